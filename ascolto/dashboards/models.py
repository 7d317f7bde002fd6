"""The dashboards only read other apps' data; their one table records the monthly reports
sent, so a retried or repeated run never sends a workspace's report for a month twice."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork
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
