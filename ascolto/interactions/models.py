from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.tenancy import SameWorkspaceMixin, WorkspaceQuerySet


class Touchpoint(models.Model):
    """A kind of contact with the customer (request, repair, delivery, invoice, …).

    The catalogue is per workspace; promises, surveys and dashboards refer to it.
    """

    other_workspace_message = _("Choose a touchpoint from this workspace's catalogue.")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="touchpoints")
    code = models.SlugField(_("code"), max_length=50)
    name_it = models.CharField(_("name (Italian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_negative = models.BooleanField(
        _("negative event"),
        default=False,
        help_text=_("Complaints, errors, delays, missed payments."),
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["position", "name_it"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "code"], name="touchpoint_unique_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "it").startswith("en") and self.name_en:
            return self.name_en
        return self.name_it


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    ON_SITE = "on_site", _("On site")
    WEB = "web", _("Web")
    CHAT = "chat", _("Chat / WhatsApp")
    SOCIAL = "social", _("Social media")
    LETTER = "letter", _("Letter")
    OTHER = "other", _("Other")


class Interaction(SameWorkspaceMixin, models.Model):
    """One event on the customer's timeline: a request, a visit, an invoice, a complaint…"""

    same_workspace_fields = ("customer", "touchpoint", "member")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="interactions")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    touchpoint = models.ForeignKey(
        Touchpoint,
        verbose_name=_("touchpoint"),
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=Channel.choices, default=Channel.PHONE
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    member = models.ForeignKey(
        Membership,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("description"), blank=True, max_length=10_000)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Values measured on this interaction that a promise may set a threshold on,
    # e.g. {"defects": 0, "price_over_list": 12.5}.
    measures = models.JSONField(_("measured values"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_customer_time"),
            models.Index(fields=["workspace", "-occurred_at"], name="interaction_ws_time"),
            models.Index(
                fields=["workspace", "touchpoint", "-occurred_at"], name="interaction_ws_tp_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.touchpoint} · {self.customer}"

    def clean(self) -> None:
        errors = self.same_workspace_errors()
        if self.requested_at and self.started_at and self.started_at < self.requested_at:
            errors["started_at"] = _("Work cannot start before it was requested.")
        if self.started_at and self.completed_at and self.completed_at < self.started_at:
            errors["completed_at"] = _("Work cannot be completed before it started.")
        if not isinstance(self.measures, dict) or not all(
            isinstance(k, str)
            and isinstance(v, int | float)
            and not isinstance(v, bool)
            and abs(v) < 1e12
            for k, v in self.measures.items()
        ):
            errors["measures"] = _("Measured values must be numbers, each with a name.")
        if errors:
            raise ValidationError(errors)


class StaffSignal(SameWorkspaceMixin, models.Model):
    """A hint about a customer noticed by anyone on the staff ("seemed annoyed on the phone")."""

    class Polarity(models.TextChoices):
        NEGATIVE = "negative", _("Negative")
        NEUTRAL = "neutral", _("Neutral")
        POSITIVE = "positive", _("Positive")

    same_workspace_fields = ("customer",)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="staff_signals")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="staff_signals")
    member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("what did you notice?"), max_length=500)
    polarity = models.CharField(_("polarity"), max_length=8, choices=Polarity.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff signal")
        verbose_name_plural = _("staff signals")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="signal_customer_time")]

    def __str__(self) -> str:
        return self.text[:60]
