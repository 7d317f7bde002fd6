"""The promise catalogue, the checks of each interaction against it, broken-promise crises,
and what customers need (their expectations), which the fit check compares with the catalogue.

Units: a duration target is stored in minutes (`limit`), whatever unit the form used to enter
it (`unit` keeps that unit for display); a punctuality target is a window of ± `limit`
minutes; a threshold target compares the interaction's measured value `measure` with `limit`.
Checks store their measured value in the same unit as the limit (minutes, or the measure's
own unit), so the gap page and the fit check compare like with like.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer, Segment
from ascolto.feedback.models import Question
from ascolto.interactions.models import Interaction, Touchpoint
from ascolto.lib.dimensions import Dimension
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.tenancy import SameWorkspaceMixin, WorkspaceQuerySet


class TargetType(models.TextChoices):
    DURATION = "duration", _("Maximum time between two moments")
    PUNCTUALITY = "punctuality", _("On time within a window")
    THRESHOLD = "threshold", _("A measured value within a limit")
    FLAG = "flag", _("Kept or not, as staff record it")


class Moment(models.TextChoices):
    """The timestamps of an interaction a duration or punctuality target can read."""

    REQUESTED = "requested_at", _("requested")
    SCHEDULED = "scheduled_for", _("scheduled")
    STARTED = "started_at", _("started")
    COMPLETED = "completed_at", _("completed")
    OCCURRED = "occurred_at", _("recorded")


class DurationUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


MINUTES_PER_UNIT = {"minutes": 1, "hours": 60, "days": 24 * 60}


class Comparison(models.TextChoices):
    AT_MOST = "at_most", _("at most")
    AT_LEAST = "at_least", _("at least")
    EQUAL = "equal", _("exactly")


class MeasurableTarget:
    """What a promise and a customer's need share: a target of one of the TargetType shapes
    (`target_type`, `limit`, `unit`, `measure`, `comparison`), its limit as entered, and the
    checks of those fields. Each model words its own messages."""

    negative_message = _("A target cannot be negative.")
    missing_limit_message = _("This target needs a limit.")
    unknown_type_message = _("Unknown kind of target.")

    @property
    def limit_in_unit(self):
        """The limit as entered: minutes are stored, hours or days are shown."""
        if self.limit is None:
            return None
        if self.target_type == TargetType.DURATION and self.unit in MINUTES_PER_UNIT:
            return self.limit / MINUTES_PER_UNIT[self.unit]
        return self.limit

    def target_errors(self) -> dict[str, object]:
        errors: dict[str, object] = {}
        if self.limit is not None and self.limit < 0:
            errors["limit"] = self.negative_message
        kind = self.target_type
        if kind in (TargetType.DURATION, TargetType.PUNCTUALITY, TargetType.THRESHOLD):
            if self.limit is None and "limit" not in errors:
                errors["limit"] = self.missing_limit_message
        if kind == TargetType.DURATION and self.unit not in MINUTES_PER_UNIT:
            errors["unit"] = _("Unknown unit: use minutes, hours or days.")
        elif kind == TargetType.PUNCTUALITY and self.unit != DurationUnit.MINUTES:
            errors["unit"] = _("A punctuality window is given in minutes.")
        elif kind == TargetType.THRESHOLD:
            if not self.measure:
                errors["measure"] = _('Name the measured value, e.g. "defects".')
            if self.comparison not in Comparison.values:
                errors["comparison"] = _("Choose how the value compares with the limit.")
        elif kind not in TargetType.values:
            errors["target_type"] = self.unknown_type_message
        return errors


class Promise(SameWorkspaceMixin, MeasurableTarget, models.Model):
    """Something the business promises, explicitly or implicitly, with a measurable target."""

    class Kind(models.TextChoices):
        EXPLICIT = "explicit", _("Explicit (written or said)")
        IMPLICIT = "implicit", _("Implicit (taken for granted)")

    same_workspace_fields = ("touchpoint", "segment", "question")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="promises")
    name_it = models.CharField(_("name (Italian)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    wording_it = models.CharField(_("what the customer is told (Italian)"), max_length=300)
    wording_en = models.CharField(
        _("what the customer is told (English)"), max_length=300, blank=True
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.EXPLICIT)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    touchpoint = models.ForeignKey(
        Touchpoint, verbose_name=_("touchpoint"), on_delete=models.PROTECT, related_name="promises"
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("only for segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promises",
    )
    target_type = models.CharField(_("target"), max_length=12, choices=TargetType.choices)
    start_moment = models.CharField(
        _("from"), max_length=16, choices=Moment.choices, blank=True, default=""
    )
    end_moment = models.CharField(
        _("to"), max_length=16, choices=Moment.choices, blank=True, default=""
    )
    business_hours = models.BooleanField(
        _("count business hours only"),
        default=False,
        help_text=_("Monday to Friday, 9:00–18:00, Italian public holidays excluded."),
    )
    measure = models.SlugField(
        _("measured value"),
        max_length=40,
        blank=True,
        help_text=_('The name of the value recorded on the interaction, e.g. "defects".'),
    )
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, blank=True, default=""
    )
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True, default="")
    question = models.ForeignKey(
        Question,
        verbose_name=_("survey question that measures it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promises",
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        ordering = ["name_it", "pk"]
        indexes = [
            models.Index(fields=["workspace", "touchpoint", "active"], name="promise_ws_tp"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(limit__gte=0), name="promise_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "it").startswith("en") and self.name_en:
            return self.name_en
        return self.name_it

    def wording(self, language: str | None = None) -> str:
        language = language or get_language() or "it"
        if language.startswith("en") and self.wording_en:
            return self.wording_en
        return self.wording_it

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        if "question" not in errors and self.question_id and not self.question.is_numeric:
            errors["question"] = _("Choose a question answered with a rating.")
        errors.update(self.target_errors())
        kind = self.target_type
        if kind == TargetType.DURATION:
            if not self.start_moment or not self.end_moment:
                errors["start_moment"] = _("Choose the two moments the time is measured between.")
            elif self.start_moment == self.end_moment:
                errors["end_moment"] = _("The two moments must differ.")
        if self.business_hours and kind != TargetType.DURATION:
            errors["business_hours"] = _("Business hours apply only to a maximum time.")
        if errors:
            raise ValidationError(errors)


class PromiseCheck(models.Model):
    """Whether one interaction kept one promise, with the value measured."""

    class Outcome(models.TextChoices):
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")
        NOT_MEASURABLE = "not_measurable", _("Not measurable")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="checks")
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="promise_checks"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="promise_checks")
    # The interaction's time, copied so the monthly trend reads one table.
    occurred_at = models.DateTimeField(_("when"))
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    measured = models.FloatField(_("measured value"), null=True, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    # Set when a member recorded or corrected the outcome: automatic rechecks leave it alone.
    manual = models.BooleanField(_("set by staff"), default=False)
    set_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("promise check")
        verbose_name_plural = _("promise checks")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["promise", "interaction"], name="promise_check_unique_interaction"
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "promise", "occurred_at"], name="promise_check_ws_time"
            ),
            models.Index(fields=["customer", "-occurred_at"], name="promise_check_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.promise} · {self.get_outcome_display()}"

    @property
    def reason_label(self) -> str:
        from ascolto.promises.evaluation import REASONS

        return str(REASONS.get(self.reason, self.reason))


class Crisis(models.Model):
    """A broken promise being handled: the "red siren" and its checklist."""

    class Step(models.TextChoices):
        CALL = "call", _("Call the customer")
        APOLOGISE = "apologise", _("Apologise")
        EXPLAIN = "explain", _("Explain honestly what happened")
        REMEDY = "remedy", _("Offer a remedy from the policy")
        FOLLOW_UP = "follow_up", _("Follow up")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="crises")
    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="crises")
    promise_check = models.OneToOneField(
        PromiseCheck, on_delete=models.CASCADE, related_name="crisis"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("handled"), null=True, blank=True)
    closed_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the check was corrected to "kept": the siren was a false alarm.
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    note = models.TextField(_("notes"), blank=True, max_length=5_000)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("broken promise")
        verbose_name_plural = _("broken promises")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "closed_at"], name="crisis_ws_open"),
            models.Index(fields=["customer", "closed_at"], name="crisis_customer_open"),
        ]

    def __str__(self) -> str:
        return f"{self.promise} · {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CrisisStep(models.Model):
    """One ticked step of a crisis checklist, with who ticked it and when."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=10, choices=Crisis.Step.choices)
    done_at = models.DateTimeField(_("done"), default=timezone.now)
    done_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")
        ordering = ["done_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["crisis", "step"], name="crisis_step_unique"),
        ]

    def __str__(self) -> str:
        return self.get_step_display()


class Expectation(SameWorkspaceMixin, MeasurableTarget, models.Model):
    """What one customer (or prospect) needs on one dimension: "someone on site within 4 h",
    "budget at most 300 €/month". Same target shapes as a promise, so the fit check compares
    them directly."""

    negative_message = _("A need cannot be negative.")
    missing_limit_message = _("Say how much: this need has a limit.")
    unknown_type_message = _("Unknown kind of need.")

    same_workspace_fields = ("customer", "touchpoint")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="expectations")
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    touchpoint = models.ForeignKey(
        Touchpoint,
        verbose_name=_("touchpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.CharField(_("what they need, in their words"), max_length=300)
    target_type = models.CharField(_("kind of need"), max_length=12, choices=TargetType.choices)
    measure = models.SlugField(_("measured value"), max_length=40, blank=True)
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, blank=True, default=""
    )
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True, default="")
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer need")
        verbose_name_plural = _("customer needs")
        ordering = ["dimension", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(limit__isnull=True) | Q(limit__gte=0),
                name="expectation_limit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        errors.update(self.target_errors())
        if errors:
            raise ValidationError(errors)


class FitOverride(models.Model):
    """A prospect converted to customer although the fit check found mismatches, and why."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="fit_overrides")
    reason = models.TextField(_("why take them anyway"), max_length=2_000)
    mismatches = models.JSONField(_("mismatches"), default=list)
    decided_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("taken despite a misfit")
        verbose_name_plural = _("taken despite a misfit")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.decided_at:%Y-%m-%d}"
