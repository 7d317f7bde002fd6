from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.tenancy import WorkspaceQuerySet


def shift_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (earlier when negative), or that month's last day when it
    is shorter (31 January + 1 month → 28/29 February)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def one_month_after(moment: datetime) -> datetime:
    """The GDPR's answer time (Art. 12(3)): one month."""
    return shift_months(moment, 1)


class DataRequest(models.Model):
    """A person's request about their data (see, take away, delete, stop): when it came, when
    the answer is due (one month) and when it was answered. It names the customer by id while
    they exist; after an erasure only a keyed hash of their address remains (`subject_key`), so
    the log proves the answer without keeping who asked."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("See or take away their data")
        ERASURE = "erasure", _("Delete their data")
        OBJECTION = "objection", _("Stop surveys and messages")
        RECTIFICATION = "rectification", _("Correct their data")

    other_workspace_message = _("This request belongs to another workspace.")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("request"), max_length=16, choices=Kind.choices)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_key = models.CharField(max_length=64, blank=True, editable=False)
    channel = models.CharField(_("received by"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    done_at = models.DateTimeField(_("answered"), null=True, blank=True)
    handled_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")
        ordering = ["done_at", "due_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "done_at", "due_at"], name="datareq_open")]

    def __str__(self) -> str:
        return f"{self.kind} {self.received_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        if self.due_at is None:
            self.due_at = one_month_after(self.received_at)
        super().save(*args, **kwargs)

    @property
    def is_late(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()
