"""Surveys, their questions, invitations to answer them, and the answers.

Tokens: an invitation's link token is never stored. The row keeps a random `token_salt` and the
SHA-256 of the token; the token itself is an HMAC of the salt under the site's secret key
(`Invitation.token`), so the send task can rebuild the link after a restart or a retry, and a
copy of the database alone does not reveal any link. Lookups go by the hash (`token_hash_of`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork, WorkState
from ascolto.customers.models import Customer
from ascolto.interactions.models import Touchpoint
from ascolto.lib.dimensions import Dimension
from ascolto.workspaces.models import Language, Membership, Workspace
from ascolto.workspaces.tenancy import SameWorkspaceMixin, WorkspaceQuerySet


def token_hash_of(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def _derive_token(purpose: str, salt: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{purpose}:{salt}".encode(), hashlib.sha256
    ).digest()
    # 24 bytes = 192 bits, 32 URL-safe characters.
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


class Survey(models.Model):
    class Kind(models.TextChoices):
        NPS = "nps", _("Net Promoter Score (0–10)")
        CSAT = "csat", _("Satisfaction (1–5)")
        CES = "ces", _("Effort (1–7)")
        CUSTOM = "custom", _("Custom questions")

    other_workspace_message = _("This survey belongs to another workspace.")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="surveys")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NPS)
    title_it = models.CharField(_("title (Italian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_it = models.TextField(_("introduction (Italian)"), blank=True, max_length=2_000)
    intro_en = models.TextField(_("introduction (English)"), blank=True, max_length=2_000)
    thanks_it = models.TextField(_("thank-you text (Italian)"), blank=True, max_length=2_000)
    thanks_en = models.TextField(_("thank-you text (English)"), blank=True, max_length=2_000)
    active = models.BooleanField(_("active"), default=True)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"),
        null=True,
        blank=True,
        default=3,
        help_text=_(
            "Send one reminder when there is no answer after this many days. Empty: never."
        ),
    )
    expires_after_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=30)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_after_days__gte=1), name="survey_expiry_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.expires_after_days is not None and self.expires_after_days < 1:
            raise ValidationError(
                {"expires_after_days": _("A link must be valid for at least a day.")}
            )
        if (
            self.reminder_after_days is not None
            and self.expires_after_days
            and self.reminder_after_days >= self.expires_after_days
        ):
            raise ValidationError(
                {"reminder_after_days": _("The reminder must come before the link expires.")}
            )

    def text(self, field: str, language: str) -> str:
        """The survey's `field` ("title", "intro", "thanks") in `language`, Italian as fallback."""
        if language == "en":
            value = getattr(self, f"{field}_en")
            if value:
                return value
        return getattr(self, f"{field}_it")


def default_end_labels(survey_kind: str = "") -> tuple[str, str]:
    """The words under the ends of a rating when its question has none, in the active
    language: those of the survey's main score (NPS, CSAT, CES), or of any rating scale."""
    if survey_kind == Survey.Kind.NPS:
        return _("Not at all likely"), _("Extremely likely")
    if survey_kind == Survey.Kind.CSAT:
        return _("Very dissatisfied"), _("Very satisfied")
    if survey_kind == Survey.Kind.CES:
        return _("Very little effort"), _("A great deal of effort")
    return _("Very poor"), _("Excellent")


class Question(SameWorkspaceMixin, models.Model):
    class Kind(models.TextChoices):
        SCORE = "score", _("Main score")
        SCALE = "scale", _("Rating scale")
        CHOICE = "choice", _("Single choice")
        YESNO = "yesno", _("Yes or no")
        TEXT = "text", _("Free text")

    class Role(models.TextChoices):
        MAIN = "main", _("Main score")
        WHY = "why", _("Why?")
        IMPROVE = "improve", _("What could be better")
        DIMENSION = "dimension", _("Rates a promise dimension or touchpoint")
        OTHER = "other", _("Other")

    other_workspace_message = _("This question belongs to another workspace.")
    same_workspace_fields = ("survey", "touchpoint")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.OTHER)
    text_it = models.CharField(_("question (Italian)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    min_value = models.SmallIntegerField(_("lowest value"), null=True, blank=True)
    max_value = models.SmallIntegerField(_("highest value"), null=True, blank=True)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('A list of {"value": "...", "it": "...", "en": "..."}.'),
    )
    # What the lowest and the highest value of a rating mean, shown under its ends (empty: the
    # defaults of `end_labels`, by the survey's kind).
    low_label_it = models.CharField(_("lowest value means (Italian)"), max_length=60, blank=True)
    low_label_en = models.CharField(_("lowest value means (English)"), max_length=60, blank=True)
    high_label_it = models.CharField(_("highest value means (Italian)"), max_length=60, blank=True)
    high_label_en = models.CharField(_("highest value means (English)"), max_length=60, blank=True)
    required = models.BooleanField(_("required"), default=False)
    dimension = models.CharField(
        _("promise dimension"), max_length=16, choices=Dimension.choices, blank=True
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        verbose_name=_("touchpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="question_unique_position"),
            models.UniqueConstraint(
                fields=["survey"], condition=Q(role="main"), name="question_one_main_per_survey"
            ),
        ]

    def __str__(self) -> str:
        return self.text_it

    def text(self, language: str) -> str:
        return self.text_en if language == "en" and self.text_en else self.text_it

    def choice_list(self, language: str) -> list[tuple[str, str]]:
        return [
            (str(c["value"]), (c.get("en") if language == "en" and c.get("en") else c["it"]))
            for c in self.choices
        ]

    @property
    def is_numeric(self) -> bool:
        return self.kind in (self.Kind.SCORE, self.Kind.SCALE)

    def end_labels(self, language: str, survey_kind: str = "") -> tuple[str, str]:
        """What the lowest and the highest value mean, in `language` (the active language
        must be the same, for the defaults): the question's own words, else the defaults."""
        if not self.is_numeric:
            return "", ""
        low_default, high_default = default_end_labels(
            survey_kind if self.kind == self.Kind.SCORE else ""
        )
        english = language == "en"
        low = (self.low_label_en if english else "") or self.low_label_it
        high = (self.high_label_en if english else "") or self.high_label_it
        if english and not self.low_label_en and self.low_label_it:
            low = ""  # an Italian word on an English page: the default instead
        if english and not self.high_label_en and self.high_label_it:
            high = ""
        return low or str(low_default), high or str(high_default)

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        if self.is_numeric:
            if self.min_value is None or self.max_value is None:
                errors["max_value"] = _("A rating needs a lowest and a highest value.")
            elif not (0 <= self.min_value < self.max_value <= 10):
                errors["max_value"] = _("Ratings go from 0 or more up to 10 at most.")
        if self.kind == self.Kind.CHOICE:
            valid = isinstance(self.choices, list) and all(
                isinstance(c, dict) and c.get("value") and c.get("it") for c in self.choices
            )
            if not valid or len(self.choices) < 2:
                errors["choices"] = _("A single-choice question needs at least two choices.")
        if self.role == self.Role.MAIN and self.kind != self.Kind.SCORE:
            errors["kind"] = _("The main question must be a score.")
        if self.role in (self.Role.WHY, self.Role.IMPROVE) and self.kind != self.Kind.TEXT:
            errors["kind"] = _("This question must be a free-text question.")
        if self.role == self.Role.DIMENSION and not (self.dimension or self.touchpoint_id):
            errors["dimension"] = _("Choose the dimension or touchpoint this question rates.")
        if errors:
            raise ValidationError(errors)


SendState = WorkState


class Invitation(SameWorkspaceMixin, LeasedWork):
    """An invitation for one customer to answer one survey.

    Uniqueness rule: a customer has at most one *open* invitation per survey (a partial unique
    constraint on `closed_at IS NULL`). An invitation closes when it is answered, or when a new
    one replaces it after it expired; closed invitations stay as history, so the same customer
    can be asked the same survey again next quarter.

    Sending is durable: `state` is the truth (pending until the email is accepted by the SMTP
    server), claimed with a lease by a conditional UPDATE; a sweeper re-enqueues what is
    pending or whose lease expired. Retries back off from 30 seconds to 15 minutes, for about
    nine hours before the invitation is marked failed.
    """

    lease_seconds = 120
    max_attempts = 40
    retry_base_seconds = 30
    retry_cap_seconds = 15 * 60
    redispatch_after_seconds = 120

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        LINK = "link", _("Link or printed QR code")
        WHATSAPP = "whatsapp", _("WhatsApp")

    # No index of their own: `invitation_ws_time` and `invitation_customer` start with them
    # (on PostgreSQL a submission's UPDATE writes a new entry in every index of the table).
    same_workspace_fields = ("survey", "customer")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="survey_invitations", db_index=False
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="survey_invitations", db_index=False
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    token_salt = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    closed_at = models.DateTimeField(null=True, blank=True)

    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "customer"],
                condition=Q(closed_at__isnull=True),
                name="invitation_one_open_per_customer_survey",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="invitation_send_queue"),
            models.Index(
                fields=["workspace", "survey", "-created_at"], name="invitation_ws_survey"
            ),
            models.Index(fields=["customer", "-created_at"], name="invitation_customer"),
            models.Index(fields=["workspace", "created_at"], name="invitation_ws_time"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer}"

    @property
    def token(self) -> str:
        return _derive_token("feedback.invitation", self.token_salt)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class OpenLink(models.Model):
    """An anonymous link to a survey (printed on a receipt, a poster, a QR code at the desk).

    Its token is meant to be public, so it is stored as is (members print it again and again);
    submissions through it are rate-limited per client address.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="open_links")
    token = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("open survey link")
        verbose_name_plural = _("open survey links")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.label or self.survey.name


class Response(models.Model):
    """One submitted answer set. At most one per invitation, enforced by the database."""

    class Band(models.TextChoices):
        PROMOTER = "promoter", _("Promoter")
        PASSIVE = "passive", _("Passive")
        DETRACTOR = "detractor", _("Detractor")

    # Every index is one more write per submission on the busiest write path, so the foreign
    # keys that lead a composite index below (workspace, customer) have no index of their own,
    # and `open_link` is indexed only where set (see docs/submissions.md, "Indexes").
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="survey_responses", db_index=False
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    open_link = models.ForeignKey(
        OpenLink,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
        db_index=False,
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        db_index=False,
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )
    # The survey's kind, copied when the response is stored (a survey's kind never changes), so
    # the dashboards' aggregates read one covering index instead of joining every row to its
    # survey (docs/dashboards.md).
    kind = models.CharField(
        _("kind"), max_length=8, choices=Survey.Kind.choices, blank=True, editable=False
    )
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=10, choices=Band.choices, blank=True)
    all_good = models.BooleanField(
        _("all good, nothing to improve"),
        default=False,
        help_text=_("Top score and nothing to improve: counts as a warning in the health score."),
    )
    # Set on responses loaded by `ascolto import-responses`: the SHA-256 of the row's content,
    # so importing the same file again adds nothing.
    import_key = models.CharField(  # noqa: DJ001 (NULL for most rows: unique only when set)
        max_length=64, null=True, blank=True, editable=False
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "-submitted_at"], name="response_ws_time"),
            models.Index(
                fields=["workspace", "survey", "-submitted_at"], name="response_ws_survey"
            ),
            models.Index(fields=["customer", "-submitted_at"], name="response_customer_time"),
            models.Index(
                fields=["workspace", "kind", "submitted_at", "score"], name="response_ws_kind_time"
            ),
            models.Index(
                fields=["workspace", "customer"],
                condition=Q(all_good=True),
                name="response_all_good",
            ),
            models.Index(
                fields=["open_link"],
                condition=Q(open_link__isnull=False),
                name="response_open_link",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "import_key"], name="response_unique_import_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.submitted_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.kind and self.survey_id:
            self.kind = self.survey.kind
        super().save(*args, **kwargs)

    # What a band is called for each kind of survey: promoters and detractors are NPS words;
    # a CSAT answer is satisfied or not, a CES answer easy or hard.
    BAND_LABELS = {
        "csat": {
            "promoter": _("Satisfied"),
            "passive": pgettext_lazy("csat answer", "Neutral"),
            "detractor": _("Dissatisfied"),
        },
        "ces": {
            "promoter": _("Easy"),
            "passive": _("Some effort"),
            "detractor": _("Hard"),
        },
    }

    @property
    def band_label(self) -> str:
        """The band in the words of this survey's kind ("" without a band)."""
        if not self.band:
            return ""
        labels = self.BAND_LABELS.get(self.survey.kind)
        return str(labels[self.band]) if labels else str(self.get_band_display())

    @property
    def is_detractor(self) -> bool:
        return self.band == self.Band.DETRACTOR

    @property
    def is_promoter(self) -> bool:
        return self.band == self.Band.PROMOTER


class Answer(models.Model):
    """One answer to one question. Numbers live in a column so aggregates run in SQL."""

    # Looked up through the unique (response, question) index below.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=5_000)
    choice = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique_question"),
        ]

    def __str__(self) -> str:
        return str(self.number if self.number is not None else self.choice or self.text[:40])

    @property
    def question_text(self) -> str:
        """The question in the active language (the reader's)."""
        return self.question.text("en" if (get_language() or "").startswith("en") else "it")

    @property
    def value_text(self) -> str:
        """The answer as a reader says it: "Yes"/"No", a choice's label in the active
        language, the number, or the text."""
        if self.text:
            return self.text
        if self.question.kind == Question.Kind.YESNO and self.number is not None:
            return str(_("Yes") if self.number else _("No"))
        if self.choice:
            language = "en" if (get_language() or "").startswith("en") else "it"
            return dict(self.question.choice_list(language)).get(self.choice, self.choice)
        return "" if self.number is None else str(self.number)


class SubmissionQuerySet(WorkspaceQuerySet):
    def waiting(self) -> SubmissionQuerySet:
        """Submissions still to be filed (those set aside with an error are not)."""
        return self.filter(error="")


class Submission(models.Model):
    """An answer set received on an invitation's public page, not yet stored as a `Response`.

    The public page does the least work a durable answer needs: it validates the answers and
    inserts this one row; the unique invitation column lets one submission per invitation in.
    The worker turns it into the response, its answers, the timeline entry, the dashboards'
    counts, the text analysis and any detractor alert, within a second or so, keeping the time
    of the submission (`feedback.submissions`). The row is deleted in the same transaction, so
    an invitation has its submission or its answered response, never both. A submission that
    cannot be stored keeps its row with the reason in `error`: nothing is lost.
    """

    # The table is a queue, nearly always empty: the foreign keys need no index but the
    # invitation's unique one.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="submission"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    # The main score, so the thank-you page knows a detractor before the response exists.
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    # [[question id, number, text, choice], ...]: the validated, non-empty answers.
    answers = models.JSONField(default=list)
    error = models.TextField(blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey submission")
        verbose_name_plural = _("survey submissions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.invitation_id} · {self.submitted_at:%Y-%m-%d %H:%M}"


class CadenceRule(SameWorkspaceMixin, models.Model):
    """When to ask which customers to answer a survey, without being asked twice too soon.

    A rule asks periodically (`every_days`), after a trigger (an interaction of a touchpoint, a
    resolved complaint, an upcoming contract renewal), or both. `fatigue_days` holds for every
    survey: a customer invited in the last M days is not invited again by any rule. See
    docs/cadence.md.
    """

    same_workspace_fields = {
        "survey": _("Choose a survey of this workspace."),
        "segment": _("Choose a segment of this workspace."),
        "after_touchpoint": None,
    }

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="cadence_rules"
    )
    active = models.BooleanField(_("active"), default=True)
    customer_kind = models.CharField(
        _("customers"),
        max_length=10,
        choices=Customer.Kind.choices,
        default=Customer.Kind.EXTERNAL,
        help_text=_("Internal customers (other departments) follow a cadence of their own."),
    )
    segment = models.ForeignKey(
        "customers.Segment",
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every segment."),
    )
    every_days = models.PositiveIntegerField(
        _("ask every (days)"),
        null=True,
        blank=True,
        help_text=_("Ask each customer again after this many days. Empty: no periodic asking."),
    )
    fatigue_days = models.PositiveIntegerField(
        _("never more often than every (days)"),
        default=30,
        help_text=_("A customer invited to any survey in this many days is not invited again."),
    )
    after_touchpoint = models.ForeignKey(
        Touchpoint,
        verbose_name=_("after an interaction of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("For example after a repair: asked once the work is completed."),
    )
    after_complaint_resolved = models.BooleanField(
        _("after a complaint is resolved"), default=False
    )
    days_before_renewal = models.PositiveIntegerField(
        _("days before a contract renewal"),
        null=True,
        blank=True,
        help_text=_("Ask this many days before a contract is due for renewal. Empty: never."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadence rule")
        verbose_name_plural = _("cadence rules")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(every_days__isnull=True) | Q(every_days__gte=1),
                name="cadence_every_days_positive",
            ),
            models.CheckConstraint(
                condition=Q(fatigue_days__gte=1), name="cadence_fatigue_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(days_before_renewal__isnull=True) | Q(days_before_renewal__gte=1),
                name="cadence_renewal_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        for field in ("every_days", "days_before_renewal"):
            value = getattr(self, field)
            if value is not None and not 1 <= value <= 3650:
                errors[field] = _("Enter a number of days between 1 and 3650.")
        if self.fatigue_days is None or not 1 <= self.fatigue_days <= 3650:
            errors["fatigue_days"] = _("Enter a number of days between 1 and 3650.")
        if not (
            self.every_days
            or self.after_touchpoint_id
            or self.after_complaint_resolved
            or self.days_before_renewal
        ):
            errors["every_days"] = _(
                "Choose when to ask: every N days, after a touchpoint, after a resolved "
                "complaint or before a renewal."
            )
        if errors:
            raise ValidationError(errors)


class CadenceTrigger(models.Model):
    """One event that a cadence rule has acted on: the idempotency key of the triggers.

    `(rule, source_kind, source_key)` is unique, so an interaction, a resolved complaint or a
    contract renewal date triggers a rule at most once, however often the job runs.
    `invitation` is empty when the event was recorded but skipped (fatigue rule, no email).
    """

    class Source(models.TextChoices):
        TOUCHPOINT = "touchpoint", _("After an interaction")
        COMPLAINT = "complaint", _("After a resolved complaint")
        RENEWAL = "renewal", _("Before a renewal")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(CadenceRule, on_delete=models.CASCADE, related_name="triggers")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    source_kind = models.CharField(max_length=12, choices=Source.choices)
    source_key = models.CharField(max_length=64)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadence trigger")
        verbose_name_plural = _("cadence triggers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "source_kind", "source_key"], name="cadence_trigger_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.source_kind} {self.source_key}"


class BulkSend(SameWorkspaceMixin, LeasedWork):
    """A survey sent to many customers at once, and the durable work of inviting them.

    `customer_ids` are the customers the choice asked when it was made (the held back were
    already left out); the worker invites them in chunks and counts `processed` with each
    chunk, in the chunk's transaction, so the progress shown is what really happened and a
    restarted worker carries on where it stopped. See `feedback/services/bulk.py`."""

    lease_seconds = 300
    max_attempts = 10
    retry_base_seconds = 30
    retry_cap_seconds = 10 * 60
    redispatch_after_seconds = 120

    same_workspace_fields = ("survey",)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="bulk_sends")
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    choice = models.JSONField(default=dict, blank=True)
    customer_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey sent to many")
        verbose_name_plural = _("surveys sent to many")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="bulksend_queue")]

    def __str__(self) -> str:
        return f"{self.survey} × {self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.processed / self.total)

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None or self.processed >= self.total
