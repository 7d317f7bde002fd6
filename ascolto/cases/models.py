"""Complaints as moments of truth: a case per complaint, broken promise or detractor to call
back, with its owner, status, clocks and every change kept as an event.

A case moves through `Case.Status` (new → acknowledged → in progress → resolved → closed, and
back to in progress when reopened); `TRANSITIONS` says which moves exist. Every change writes a
`CaseEvent` (who, when, what), which is what the customer's timeline shows.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork
from ascolto.customers.models import Customer, LostRecord
from ascolto.feedback.models import Response
from ascolto.interactions.models import Channel, Interaction
from ascolto.promises.models import Crisis, PromiseCheck
from ascolto.workspaces.models import Language, Membership, Role, Workspace
from ascolto.workspaces.tenancy import SameWorkspaceMixin, WorkspaceQuerySet


class CaseCategory(models.Model):
    """What a case is about: a per-workspace list, seeded with Italian defaults."""

    other_workspace_message = _("Choose a category from this workspace's list.")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="case_categories"
    )
    code = models.SlugField(_("code"), max_length=50)
    name_it = models.CharField(_("name (Italian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["position", "name_it"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="casecategory_unique_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "it").startswith("en") and self.name_en:
            return self.name_en
        return self.name_it


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CaseEmotion(models.TextChoices):
    """The customer's emotion, as text analysis reads it (or staff correct it)."""

    ANGER = "anger", _("Anger")
    FEAR = "fear", _("Worry or confusion")
    SADNESS = "sadness", _("Sadness")
    JOY = "joy", _("Joy")
    TRUST = "trust", _("Trust")
    NONE = "none", _("No emotion")


class Case(SameWorkspaceMixin, models.Model):
    """One complaint, broken promise or unhappy answer being handled."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Taken in charge")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", _("Customer satisfied")
        PARTLY = "partly", _("Partly satisfied")
        UNSATISFIED = "unsatisfied", _("Customer still unhappy")
        NO_ANSWER = "no_answer", _("No answer from the customer")
        WITHDRAWN = "withdrawn", _("Not a real problem (withdrawn)")

    other_workspace_message = _("This case belongs to another workspace.")
    same_workspace_fields = {
        "customer": None,
        "category": None,
        "owner": _("The person in charge must be a member of this workspace."),
    }

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="cases")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="cases")
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=Channel.choices, default=Channel.PHONE
    )
    description = models.TextField(_("what happened"), blank=True, max_length=10_000)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    emotion = models.CharField(
        _("emotion"), max_length=8, choices=CaseEmotion.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    owner = models.ForeignKey(
        Membership,
        verbose_name=_("in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    # What opened it, once: "crisis:12", "response:40", "interaction:7" (blank when by hand).
    source_key = models.CharField(max_length=60, blank=True, default="")

    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # The clocks (business hours of the workspace, from the SLA policy when opened).
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    respond_due_at = models.DateTimeField(_("first response by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)

    # A broken promise's case: the crisis whose checklist the case page shows.
    crisis = models.OneToOneField(
        Crisis, null=True, blank=True, on_delete=models.SET_NULL, related_name="case"
    )
    interactions = models.ManyToManyField(Interaction, blank=True, related_name="cases")
    promise_checks = models.ManyToManyField(PromiseCheck, blank=True, related_name="cases")
    responses = models.ManyToManyField(Response, blank=True, related_name="cases")

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "status"], name="case_ws_status"),
            models.Index(fields=["customer", "status"], name="case_customer_status"),
            models.Index(fields=["workspace", "owner", "status"], name="case_ws_owner"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source_key"],
                condition=~Q(source_key=""),
                name="case_unique_source",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category} · {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.RESOLVED, self.Status.CLOSED)

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        if errors:
            raise ValidationError(errors)


OPEN_STATUSES = (Case.Status.NEW, Case.Status.ACKNOWLEDGED, Case.Status.IN_PROGRESS)

# The moves a case may make; reopening is a move back to "in progress".
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Case.Status.NEW: (Case.Status.ACKNOWLEDGED, Case.Status.IN_PROGRESS, Case.Status.RESOLVED),
    Case.Status.ACKNOWLEDGED: (Case.Status.IN_PROGRESS, Case.Status.RESOLVED),
    Case.Status.IN_PROGRESS: (Case.Status.RESOLVED,),
    Case.Status.RESOLVED: (Case.Status.CLOSED, Case.Status.IN_PROGRESS),
    Case.Status.CLOSED: (Case.Status.IN_PROGRESS,),
}


class CaseEvent(models.Model):
    """One change of a case, with who made it (none: the system) and when."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        STATUS = "status", _("Status changed")
        REOPENED = "reopened", _("Reopened")
        ASSIGNED = "assigned", _("Person in charge changed")
        CHANGED = "changed", _("Details changed")
        LINKED = "linked", _("Linked")
        NOTE = "note", _("Note")
        STEP = "step", _("Checklist step")
        SLA = "sla", _("Deadline")
        REMEDY = "remedy", _("Remedy")
        EMAIL = "email", _("Email to the customer")
        ANSWER = "answer", _("The customer's answer")
        LOST = "lost", _("Customer lost")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    # Copied from the case, so the customer's timeline reads one table.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="case_events")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Case.Status.choices, blank=True)
    # What changed: {"field": [old, new]} for details, {"interaction": 7} for a link...
    data = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5_000)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="caseevent_customer_time"),
            models.Index(fields=["case", "-at"], name="caseevent_case_time"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class CaseSettings(models.Model):
    """A workspace's choices for cases (one row, created with the defaults)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="case_settings"
    )
    detractor_callback = models.BooleanField(
        _("open a call-back case for every detractor answer"), default=True
    )
    acknowledge_email = models.BooleanField(
        _("email the customer an acknowledgement when a case is opened"),
        default=True,
        help_text=_("Only to customers with an email address who have not asked for no emails."),
    )
    win_back_days = models.PositiveSmallIntegerField(
        _("remind the account owner to win a lost customer back after (days)"),
        default=60,
        help_text=_("0: no reminder."),
    )

    class Meta:
        verbose_name = _("case settings")
        verbose_name_plural = _("case settings")

    def __str__(self) -> str:
        return str(self.workspace)


class Clock(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    RESPOND = "respond", _("First response")
    RESOLVE = "resolve", _("Resolution")


class SlaPolicy(SameWorkspaceMixin, models.Model):
    """How fast a case must be acknowledged, answered and resolved, in business minutes, for
    one category and severity. A blank category or severity applies to all; the most specific
    policy wins (category and severity, then category, then severity, then neither)."""

    same_workspace_fields = ("category",)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, blank=True, default=""
    )
    acknowledge_minutes = models.PositiveIntegerField(_("acknowledge within (business minutes)"))
    respond_minutes = models.PositiveIntegerField(_("first response within (business minutes)"))
    resolve_minutes = models.PositiveIntegerField(_("resolve within (business minutes)"))

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("response-time policy")
        verbose_name_plural = _("response-time policies")
        ordering = ["category", "severity", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "category", "severity"],
                condition=Q(category__isnull=False),
                name="slapolicy_unique_category",
            ),
            models.UniqueConstraint(
                fields=["workspace", "severity"],
                condition=Q(category__isnull=True),
                name="slapolicy_unique_any_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} / {self.severity or '*'}"

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        if not errors and not (
            self.acknowledge_minutes <= self.respond_minutes <= self.resolve_minutes
        ):
            errors["respond_minutes"] = _(
                "Acknowledge first, then respond, then resolve: each time at least the one before."
            )
        if errors:
            raise ValidationError(errors)


class SlaAlert(models.Model):
    """A near-breach or breach alert of one clock of one case, sent once: the unique key is
    what makes a second run of the clock job, or a second scheduler, send nothing."""

    class Level(models.TextChoices):
        NEAR = "near", _("About to miss")
        BREACH = "breach", _("Missed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_alerts")
    clock = models.CharField(max_length=12, choices=Clock.choices)
    level = models.CharField(max_length=8, choices=Level.choices)
    # A reopened case runs its resolution clock again: each round alerts once.
    round = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "clock", "level", "round"], name="slaalert_once"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "level", "created_at"], name="slaalert_ws")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.clock} {self.level}"


class RemedyKind(models.TextChoices):
    DISCOUNT = "discount", _("Discount")
    REFUND = "refund", _("Refund or credit")
    REDO = "redo", _("Free redo")
    REPLACEMENT = "replacement", _("Replacement")
    GIFT = "gift", _("A gift")
    APOLOGY = "apology", _("An apology (no cost)")


class RemedyOption(SameWorkspaceMixin, models.Model):
    """A remedy the business allows, decided in advance by a manager: for one category (or all),
    its default value and the most it may be worth, in the workspace's currency."""

    same_workspace_fields = ("category",)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="remedy_options",
    )
    kind = models.CharField(_("remedy"), max_length=12, choices=RemedyKind.choices)
    default_amount = models.DecimalField(
        _("usual value"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    max_amount = models.DecimalField(
        _("at most"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("allowed remedy")
        verbose_name_plural = _("allowed remedies")
        ordering = ["kind", "category", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "category"],
                condition=Q(category__isnull=False),
                name="remedyoption_unique_category",
            ),
            models.UniqueConstraint(
                fields=["workspace", "kind"],
                condition=Q(category__isnull=True),
                name="remedyoption_unique_any_category",
            ),
            models.CheckConstraint(
                condition=Q(default_amount__gte=0)
                & (Q(max_amount__isnull=True) | Q(max_amount__gte=0)),
                name="remedyoption_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.category or '*'})"

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        if self.max_amount is not None and self.default_amount > self.max_amount:
            errors["default_amount"] = _("The usual value cannot be above the most allowed.")
        if self.kind == RemedyKind.APOLOGY and (self.default_amount or self.max_amount):
            errors["max_amount"] = _("An apology costs nothing.")
        if errors:
            raise ValidationError(errors)


class SpendingBudget(SameWorkspaceMixin, models.Model):
    """What a role, or one member, may grant without asking anyone: per case and per calendar
    month (in the workspace's time zone). An empty amount is unlimited."""

    same_workspace_fields = {"member": Membership.other_workspace_message}

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True, default="")
    member = models.OneToOneField(
        Membership,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spending_budget",
    )
    per_case = models.DecimalField(
        _("per case"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    per_month = models.DecimalField(
        _("per month"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("spending budget")
        verbose_name_plural = _("spending budgets")
        ordering = ["role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(member__isnull=False))
                | (~Q(role="") & Q(member__isnull=True)),
                name="spendingbudget_role_or_member",
            ),
            models.UniqueConstraint(
                fields=["workspace", "role"],
                condition=~Q(role=""),
                name="spendingbudget_one_per_role",
            ),
            models.CheckConstraint(
                condition=(Q(per_case__isnull=True) | Q(per_case__gte=0))
                & (Q(per_month__isnull=True) | Q(per_month__gte=0)),
                name="spendingbudget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.member or self.get_role_display())


class Remedy(SameWorkspaceMixin, models.Model):
    """A remedy given (or asked for) on a case: the ledger of what service recovery cost.

    Granted at once when within the budget of whoever grants it; otherwise it waits for a
    member whose budget covers it, who approves or refuses it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    same_workspace_fields = ("case",)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(_("remedy"), max_length=12, choices=RemedyKind.choices)
    amount = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    why = models.CharField(_("why"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    requested_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    # Whose budget it was granted from (the asker's, or the approver's), and when.
    decided_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "status", "decided_at"], name="remedy_ws_ledger"),
            models.Index(fields=["decided_by", "status", "decided_at"], name="remedy_member_month"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="remedy_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} · {self.case_id}"


class ReplyTemplate(SameWorkspaceMixin, models.Model):
    """A reply the business wrote in advance, offered on a case and used for the acknowledgement
    email: for one category (blank: all) and emotion (blank: all), in one language. `{name}` is
    the customer's name, `{case}` the case number, `{business}` the workspace's name."""

    same_workspace_fields = ("category",)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
    )
    emotion = models.CharField(
        _("emotion"), max_length=8, choices=CaseEmotion.choices, blank=True, default=""
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("email subject"), max_length=200)
    body = models.TextField(_("text"), max_length=5_000)
    active = models.BooleanField(_("active"), default=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["language", "category", "emotion", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "category", "emotion", "language"],
                condition=Q(category__isnull=False),
                name="replytemplate_unique_category",
            ),
            models.UniqueConstraint(
                fields=["workspace", "emotion", "language"],
                condition=Q(category__isnull=True),
                name="replytemplate_unique_any_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.category or '*'} / {self.emotion or '*'}"

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        for field in ("subject", "body"):
            names = re.findall(r"\{([^{}]*)\}", getattr(self, field) or "")
            if any(name not in ("name", "case", "business") for name in names):
                errors[field] = _("Use only {name}, {case} and {business} between braces.")
        if errors:
            raise ValidationError(errors)


class CaseEmail(LeasedWork):
    """An email to the customer about their case (the acknowledgement), sent once: the unique
    (case, kind) row is written with the case, and the leased sender emails it."""

    lease_seconds = 120

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "ack", _("Acknowledgement")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    to_email = models.EmailField()
    language = models.CharField(max_length=2, choices=Language.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=5_000)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("case email")
        verbose_name_plural = _("case emails")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="caseemail_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class LossCause(models.Model):
    """What a lost customer went through before leaving: one of their cases or broken promises,
    linked to the record of the loss when it is made (the 90 days before the loss)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(LostRecord, on_delete=models.CASCADE, related_name="causes")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="loss_causes"
    )
    promise_check = models.ForeignKey(
        PromiseCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("cause of a loss")
        verbose_name_plural = _("causes of losses")
        ordering = ["record", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(promise_check__isnull=True))
                | (Q(case__isnull=True) & Q(promise_check__isnull=False)),
                name="losscause_case_or_check",
            ),
            models.UniqueConstraint(
                fields=["record", "case"], condition=Q(case__isnull=False), name="losscause_case"
            ),
            models.UniqueConstraint(
                fields=["record", "promise_check"],
                condition=Q(promise_check__isnull=False),
                name="losscause_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.case_id or ''}{self.promise_check_id or ''}"


class WinBackReminder(models.Model):
    """The one reminder to win a lost customer back: a unique row per record of the loss,
    written with its notifications, so a rerun of the job reminds nobody twice."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    record = models.OneToOneField(LostRecord, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("win-back reminder")
        verbose_name_plural = _("win-back reminders")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.sent_at:%Y-%m-%d}"
