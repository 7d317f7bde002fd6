"""The health score's tables: each workspace's settings (weights and bands), one stored score
per customer per day (its history), and the alerts sent when a customer falls a level."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork
from ascolto.customers.models import Customer
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.tenancy import WorkspaceQuerySet


class Level(models.TextChoices):
    """From best to worst; `LEVEL_RANK` orders them."""

    HEALTHY = "healthy", _("Healthy")
    WATCH = "watch", _("To watch")
    AT_RISK = "at_risk", _("At risk")
    CRITICAL = "critical", _("Critical")
    UNKNOWN = "unknown", _("Not enough data")


LEVEL_RANK = {
    Level.HEALTHY: 0,
    Level.WATCH: 1,
    Level.AT_RISK: 2,
    Level.CRITICAL: 3,
    Level.UNKNOWN: -1,
}


class HealthSettings(models.Model):
    """A workspace's weights and bands (JSON over the defaults of `ascolto.health.measures`).
    `version` grows at every change, so the history can mark where the configuration changed."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="health_settings"
    )
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    bands = models.JSONField(_("bands"), default=dict, blank=True)
    card = models.JSONField(_("learned points card"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("health score settings")
        verbose_name_plural = _("health score settings")

    def __str__(self) -> str:
        return f"{self.workspace} v{self.version}"


class HealthScore(models.Model):
    """A customer's score on one day (in the workspace's zone). `contributions` lists what took
    points away ([{"measure", "band", "points", "detail"}]); 100 minus their points is the score.
    `flags` are the immediate risk indicators seen that day."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="health_scores")
    day = models.DateField(_("day"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    contributions = models.JSONField(default=list)
    missing = models.JSONField(default=list)
    flags = models.JSONField(default=list)
    settings_version = models.PositiveIntegerField(default=1)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("health score")
        verbose_name_plural = _("health scores")
        ordering = ["-day", "customer_id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "day"], name="healthscore_unique_day"),
        ]
        indexes = [
            models.Index(fields=["workspace", "day", "score"], name="healthscore_ws_day"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.day} {self.score}"


class HealthAlert(models.Model):
    """A customer fell to a worse level on `day`. One row per customer per day: the job may
    run again that day and nothing is sent twice; a customer who stays at a level raises no new
    alert until they improve and fall again."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="health_alerts")
    day = models.DateField(_("day"))
    from_level = models.CharField(max_length=10, choices=Level.choices)
    to_level = models.CharField(max_length=10, choices=Level.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("health alert")
        verbose_name_plural = _("health alerts")
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "day"], name="healthalert_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.from_level}->{self.to_level}"


class HealthDigest(LeasedWork):
    """One member's weekly digest (the week's Monday): their customers at risk, what changed
    and why, renewals ahead. Created once per member per week; sent by the leased sender."""

    lease_seconds = 300
    max_attempts = 20

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(_("week"))
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly health digest")
        verbose_name_plural = _("weekly health digests")
        ordering = ["-week", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "week"], name="healthdigest_unique_week"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="healthdigest_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.week}"
