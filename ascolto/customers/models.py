from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ascolto.workspaces.models import Language, Membership, Workspace
from ascolto.workspaces.tenancy import SameWorkspaceMixin, WorkspaceQuerySet


class Segment(models.Model):
    """A group of customers the business treats alike (e.g. "Edilizia", "Eventi")."""

    other_workspace_message = _("This segment belongs to another workspace.")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("name"), max_length=100)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace", Lower("name"), name="segment_unique_name_per_workspace"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Customer(SameWorkspaceMixin, models.Model):
    class Kind(models.TextChoices):
        EXTERNAL = "external", _("External")
        INTERNAL = "internal", _("Internal")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        LOST = "lost", _("Lost")

    other_workspace_message = _("This customer belongs to another workspace.")
    same_workspace_fields = {
        "segment": None,
        "account_owner": _("The account owner must be a member of this workspace."),
    }

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customers")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EXTERNAL)
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    account_owner = models.ForeignKey(
        Membership,
        verbose_name=_("account owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True, max_length=10_000)
    # Set when the customer asks for no more surveys (the unsubscribe link, or staff on their
    # word); the history is in ConsentEvent. No invitation is made or sent while it is set.
    surveys_opted_out_at = models.DateTimeField(
        _("no surveys since"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["workspace", "name"], name="customer_ws_name"),
            models.Index(fields=["workspace", "status"], name="customer_ws_status"),
            models.Index(fields=["workspace", "email"], name="customer_ws_email"),
        ]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contracts")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contracts")
    title = models.CharField(_("title"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    renewal_date = models.DateField(_("renewal date"))
    yearly_value = models.DecimalField(
        _("yearly value"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    auto_renew = models.BooleanField(_("renews automatically"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["renewal_date", "pk"]
        indexes = [models.Index(fields=["workspace", "renewal_date"], name="contract_ws_renewal")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(renewal_date__gte=models.F("start_date")),
                name="contract_renewal_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.customer} {self.start_date:%Y-%m-%d}"

    def clean(self) -> None:
        if self.start_date and self.renewal_date and self.renewal_date < self.start_date:
            raise ValidationError(
                {"renewal_date": _("The renewal date cannot be before the start date.")}
            )


class LostReason(models.Model):
    """Why customers leave: a per-workspace list, seeded with Italian defaults."""

    other_workspace_message = _("Choose a reason from this workspace's list.")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="lost_reasons")
    code = models.SlugField(_("code"), max_length=50)
    name_it = models.CharField(_("name (Italian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("reason for leaving")
        verbose_name_plural = _("reasons for leaving")
        ordering = ["name_it"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="lostreason_unique_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "it").startswith("en") and self.name_en:
            return self.name_en
        return self.name_it


class LostRecord(SameWorkspaceMixin, models.Model):
    same_workspace_fields = ("reason",)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="lost_records")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="lost_records")
    lost_on = models.DateField(_("date"))
    reason = models.ForeignKey(
        LostReason, verbose_name=_("reason"), on_delete=models.PROTECT, related_name="+"
    )
    details = models.TextField(_("details"), blank=True, max_length=5_000)
    competitor = models.CharField(_("competitor"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("lost customer record")
        verbose_name_plural = _("lost customer records")
        ordering = ["-lost_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.customer} {self.lost_on}"


class ConsentEvent(models.Model):
    """One change of a customer's wish about surveys: who or what recorded it, and when. The
    customer's current state is `Customer.surveys_opted_out_at`; these rows are its history."""

    class Action(models.TextChoices):
        WITHDRAWN = "withdrawn", _("No more surveys")
        GIVEN = "given", _("Surveys again")

    class Source(models.TextChoices):
        LINK = "link", _("Unsubscribe link in an email")
        ONE_CLICK = "one_click", _("Unsubscribe button of the email program")
        STAFF = "staff", _("Recorded by staff")
        ERASURE = "erasure", _("Erasure of their data")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(_("channel"), max_length=16, default="surveys")
    action = models.CharField(_("change"), max_length=10, choices=Action.choices)
    source = models.CharField(_("how"), max_length=10, choices=Source.choices)
    by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "-at"], name="consent_customer_at")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.action} {self.at:%Y-%m-%d}"
