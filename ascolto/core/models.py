from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork


class ScheduledRun(LeasedWork):
    """One run of a periodic job for one period (`ascolto/schedule.py`).

    The unique (job, period_key) pair is the claim: the scheduler that INSERTs it first owns the
    period, so a second scheduler or a late tick never runs the same period twice. The run itself
    is leased work, so a worker that dies while running it is repaired by the sweeper.
    """

    lease_seconds = 30 * 60
    max_attempts = 3
    retry_base_seconds = 60

    job = models.CharField(_("job"), max_length=100)
    period_key = models.CharField(_("period"), max_length=40)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-scheduled_for", "job"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "period_key"], name="scheduledrun_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="scheduledrun_due_idx")]

    def __str__(self) -> str:
        return f"{self.job} {self.period_key}"


class RateCounter(models.Model):
    """Hits of one key in one window of one rate limit (`ascolto/core/ratelimit.py`), when the
    counters live in the database. The key is a keyed hash: the table says "how often", never
    "who"."""

    limit = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate limit counter")
        verbose_name_plural = _("rate limit counters")
        constraints = [
            models.UniqueConstraint(
                fields=["limit", "key", "window_start"], name="ratecounter_unique_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="ratecounter_window_idx")]

    def __str__(self) -> str:
        return f"{self.limit}:{self.key[:12]}"
