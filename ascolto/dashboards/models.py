"""The dashboards only read other apps' data; their one table records the monthly reports
sent, so a retried or repeated run never sends a workspace's report for a month twice."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork
from ascolto.customers.models import Customer
from ascolto.workspaces.models import Workspace
from ascolto.workspaces.tenancy import WorkspaceQuerySet


class MonthlyReport(LeasedWork):
    """One workspace's PDF report for one month, emailed to its owners and managers.

    Unique per (workspace, month): the monthly job creates the row, a task claims it with a
    lease, renders and sends the PDF, and marks it done."""

    lease_seconds = 300
    max_attempts = 12
    retry_base_seconds = 60
    retry_cap_seconds = 60 * 60

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "workspace"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "month"], name="monthlyreport_one_per_workspace_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="monthlyreport_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace} {self.month:%Y-%m}"


class DailyScore(models.Model):
    """How many responses of a kind gave a score, per workspace and UTC day.

    Kept by database triggers on `feedback_response` (migration 0002), so every way a response
    is written or removed (the answer form, imports, the demo loader, cascades) keeps it exact,
    in the same transaction. The dashboards read whole UTC days here and the few hours at the
    edges of a period from the responses themselves (`selectors`), so periods and months still
    start at midnight in the workspace's time zone. See docs/dashboards.md."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    kind = models.CharField(max_length=8)
    score = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "kind", "score"], name="dailyscore_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.day} {self.kind} {self.score}: {self.n}"


class DailyInvitations(models.Model):
    """Invitations created per workspace and UTC day, and how many of them were opened and
    answered so far. Kept by triggers on `feedback_invitation`, like `DailyScore`."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    invited = models.IntegerField(default=0)
    opened = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day"], name="dailyinvitations_key"),
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.day}: {self.invited}/{self.opened}/{self.answered}"


class LastHeard(models.Model):
    """When we last heard from a customer (the latest survey answer or interaction, ever), with
    copies of the customer's status and segment, so coverage counts one index range instead of
    probing every customer's timeline, with or without a segment filter. Kept by triggers on
    customers, interactions and responses (migrations 0003 and 0005), like `DailyScore`.
    `segment_id` is a plain integer like `DailySegmentScore.segment_id`: a derived copy that only
    the triggers write (a deleted segment's customers are set to none by an UPDATE, which the
    customer trigger copies)."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="dashboard_last_heard"
    )
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(max_length=10)
    segment_id = models.BigIntegerField(null=True)
    at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "status", "at"], name="lastheard_ws_status_at"),
            models.Index(
                fields=["workspace", "segment_id", "status", "at"], name="lastheard_ws_segment_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.status} {self.at}"


class DailySegmentScore(models.Model):
    """`DailyScore` per customer segment: how many responses of a kind gave a score, per
    segment and UTC day, counted in the segment the response's customer is in now.

    Kept by triggers (migration 0004) on responses, on customers (a customer changing segment
    moves its responses' counts from the old segment to the new one) and on segments (a deleted
    segment's counts go with it). `segment_id` is a plain integer, not a foreign key: the counts
    are derived, the triggers alone write them, and no delete order of Django's collector can
    make them break a constraint. Responses without a customer or whose customer has no segment
    are not counted here."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    segment_id = models.BigIntegerField()
    day = models.DateField()
    kind = models.CharField(max_length=8)
    score = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["segment_id", "workspace", "day", "kind", "score"],
                name="dailysegmentscore_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id} {self.day} {self.kind} {self.score}: {self.n}"


class DailySegmentInvitations(models.Model):
    """`DailyInvitations` per customer segment (the segment the invitation's customer is in
    now), kept by the triggers of `DailySegmentScore`."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    segment_id = models.BigIntegerField()
    day = models.DateField()
    invited = models.IntegerField(default=0)
    opened = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["segment_id", "workspace", "day"], name="dailysegmentinvitations_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id} {self.day}: {self.invited}/{self.opened}/{self.answered}"
