"""Reads about the background machinery, for /health/ and the admin."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from ascolto.core import hooks
from ascolto.core.models import ScheduledRun
from ascolto.core.services import MANUAL_PREFIX


def last_scheduler_tick() -> datetime | None:
    """When a scheduler last claimed a period (the `sweeper` job claims one every minute)."""
    return (
        ScheduledRun.objects.exclude(period_key__startswith=MANUAL_PREFIX)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def oldest_ready_task_since() -> datetime | None:
    """Since when the longest-waiting ready task has been runnable (None: queue empty)."""
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").first()
    if oldest is None:
        return None
    run_after = oldest.run_after if oldest.run_after.year < 9999 else oldest.enqueued_at
    return max(oldest.enqueued_at, run_after)


def background_problems(*, now: datetime | None = None) -> list[str]:
    """Reasons the background work looks stuck, empty when healthy.

    The scheduler check applies once a scheduler has ever ticked (a fresh install has no ticks
    yet); the queue check catches a missing or dead worker as soon as anything waits for it,
    and so do the apps' own checks in the `background_checks` hook (survey answers waiting to
    be filed: scheduler down too).
    """
    minutes = settings.HEALTH_STALE_MINUTES
    if not minutes:
        return []
    now = now or timezone.now()
    limit = now - timedelta(minutes=minutes)
    problems = []
    tick = last_scheduler_tick()
    if tick is not None and tick < limit:
        problems.append(
            _("The scheduler has not run for %(minutes)d minutes.")
            % {"minutes": (now - tick) // timedelta(minutes=1)}
        )
    waiting = oldest_ready_task_since()
    if waiting is not None and waiting < limit:
        problems.append(
            _("A task has waited %(minutes)d minutes for a worker.")
            % {"minutes": (now - waiting) // timedelta(minutes=1)}
        )
    for found in hooks.background_checks.call(now=now, limit=limit):
        problems.extend(found)
    return problems
