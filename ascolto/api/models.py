"""Tables of the connection layer: API tokens, remembered answers to retried requests, and the
external ids other systems give to the records they send."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork
from ascolto.workspaces.models import Membership, Role, Workspace
from ascolto.workspaces.tenancy import WorkspaceQuerySet


class ApiToken(models.Model):
    """A key another system uses to call the API on behalf of a workspace.

    The token is shown once, when it is created; only its SHA-256 is stored, with a short
    public `prefix` to find the row. The token acts with `role`, never more than the member
    who created it has now (`created_by`; the token goes when that membership goes)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    read_only = models.BooleanField(_("read only"), default=False)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    rate_window_start = models.DateTimeField(null=True, blank=True)
    rate_count = models.PositiveIntegerField(default=0)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an `Idempotency-Key`, returned again to a retry
    of the same request with the same key (per token) until `expires_at`."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    body = models.BinaryField(blank=True, default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_unique_key"),
        ]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_expiry")]

    def __str__(self) -> str:
        return self.key


class ExternalRef(models.Model):
    """The id another system gives one of our records (`kind`: customer, contract,
    interaction), unique per workspace and kind: sending the same external id twice finds the
    same record instead of making a second one."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        CONTRACT = "contract", _("contract")
        INTERACTION = "interaction", _("interaction")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    external_id = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "external_id"], name="externalref_unique_id"
            ),
            models.UniqueConstraint(
                fields=["workspace", "kind", "object_id"], name="externalref_unique_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.external_id}"


class WebhookEvent(models.TextChoices):
    RESPONSE_RECEIVED = "response.received", _("A survey answer arrived")
    RESPONSE_DETRACTOR = "response.detractor", _("A customer gave a low score (detractor)")
    PROMISE_BROKEN = "promise.broken", _("A promise was broken")
    CUSTOMER_LOST = "customer.lost", _("A customer was marked as lost")
    CASE_OPENED = "case.opened", _("A case was opened")
    CASE_STATUS_CHANGED = "case.status_changed", _("A case changed status (resolved, closed…)")
    CASE_CLOCK_MISSED = "case.clock_missed", _("A case missed a deadline")
    HEALTH_LEVEL_DROPPED = "health.level_dropped", _("A customer's health fell to a worse level")


class WebhookSubscription(models.Model):
    """An address of another system that hears about events of the workspace, each delivery
    signed with `secret` (HMAC-SHA256 over the timestamp and the body)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, editable=False)
    allow_private = models.BooleanField(
        _("allow a private network address"),
        default=False,
        help_text=_("Only for a program on your own network, such as a server in the office."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(LeasedWork):
    """One event to one subscription, delivered durably: claimed with a lease, retried with
    back-off until the receiver answers 2xx. `event_id` is the same on every attempt, so a
    receiver keeps each event once."""

    lease_seconds = 60
    max_attempts = 12
    retry_base_seconds = 30
    retry_cap_seconds = 6 * 60 * 60
    redispatch_after_seconds = 120

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    payload = models.TextField()
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhookdelivery_unique_event"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhookdelivery_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class ImportMapping(models.Model):
    """The field each spreadsheet header was mapped to, remembered per workspace and kind."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    mapping = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind"], name="importmapping_unique"),
        ]

    def __str__(self) -> str:
        return self.kind
