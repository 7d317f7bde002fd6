"""The built-in `sweeper` and `housekeeping` jobs (see `ascolto/schedule.py`)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from ascolto.core.jobs import job_get, jobs, sweepers
from ascolto.core.leases import WorkState, lease_sweep
from ascolto.core.models import ScheduledRun
from ascolto.core.ratelimit import rate_counters_sweep

logger = logging.getLogger("ascolto.sweeper")

KEEP_FINISHED = timedelta(days=14)


class SweepError(Exception):
    pass


def sweep_all(*, now: datetime) -> dict[str, int]:
    """Call every sweeper listed in `SWEEPERS`. One failing sweeper does not stop the others;
    the run is failed afterwards so the error is visible."""
    counts: dict[str, int] = {}
    failed: list[str] = []
    for path in sweepers():
        try:
            counts[path] = import_string(path)(now=now) or 0
        except Exception:
            logger.exception("Sweeper %s failed", path)
            failed.append(path)
    if failed:
        raise SweepError(f"Sweepers failed: {', '.join(failed)}")
    return counts


def scheduled_runs_sweep(*, now: datetime) -> int:
    """Re-enqueue scheduled runs whose worker died or that are due for a retry."""
    from ascolto.core.tasks import scheduled_run_execute_task

    def enqueue(run_id: int) -> None:
        run = ScheduledRun.objects.get(pk=run_id)
        job = job_get(run.job)
        queue = job.queue if job is not None else "default"
        scheduled_run_execute_task.using(queue_name=queue).enqueue(run_id)

    # Inline jobs are run by the scheduler at their next period, never by a worker.
    inline = [job.name for job in jobs() if job.inline]
    return lease_sweep(ScheduledRun.objects.exclude(job__in=inline), enqueue=enqueue, now=now)


def housekeeping(*, now: datetime) -> dict[str, int]:
    """Forget finished runs and successful task results after two weeks (failures are kept
    for the admin's failed-task page until someone deletes them), and rate-limit counters of
    windows that ended a day ago."""
    cutoff = now - KEEP_FINISHED
    runs, _ = ScheduledRun.objects.filter(state=WorkState.DONE, created_at__lt=cutoff).delete()
    tasks, _ = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    counters = rate_counters_sweep(now=now)
    return {"scheduled_runs": runs, "task_results": tasks, "rate_counters": counters}
