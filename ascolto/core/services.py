"""Scheduler services: claim due periods, run jobs."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ascolto.core.jobs import Job, job_get, jobs
from ascolto.core.leases import (
    default_owner,
    lease_claim_one,
    lease_complete,
    lease_fail,
)
from ascolto.core.models import ScheduledRun

logger = logging.getLogger("ascolto.scheduler")

MANUAL_PREFIX = "manual:"


@dataclass
class TickResult:
    claimed: list[ScheduledRun]
    skipped: list[str]


def scheduler_tick(*, now: datetime | None = None, owner: str | None = None) -> TickResult:
    """Claim the latest period of every job that has not run for it yet and start it.

    The claim is the INSERT of `ScheduledRun(job, period_key)`: when it hits the unique
    constraint another scheduler (or an earlier tick) already owns the period and the job is
    skipped. Inline jobs run here; the others are enqueued for a worker.
    """
    from ascolto.core.tasks import scheduled_run_execute_task

    now = now or timezone.now()
    owner = owner or default_owner()
    result = TickResult(claimed=[], skipped=[])
    for job in jobs():
        period_key, scheduled_for = job.latest_period(now)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(
                    job=job.name,
                    period_key=period_key,
                    scheduled_for=scheduled_for,
                    created_at=now,
                    next_attempt_at=now,
                    dispatched_at=now,
                )
        except IntegrityError:
            result.skipped.append(job.name)
            continue
        result.claimed.append(run)
        if job.inline:
            scheduled_run_execute(run_id=run.pk, owner=owner, now=now)
        else:
            scheduled_run_execute_task.using(queue_name=job.queue).enqueue(run.pk)
    return result


def scheduled_run_execute(
    *, run_id: int, owner: str | None = None, now: datetime | None = None
) -> ScheduledRun | None:
    """Run one claimed period of a job, at most once at a time (it is leased work).

    Returns the run, or None when it was not claimable (already done, failed, or running
    elsewhere). The job function gets `now`: the tick that claimed the period, so a retry sees the
    same moment the first attempt saw.
    """
    owner = owner or default_owner()
    run = lease_claim_one(ScheduledRun, run_id, owner=owner, now=now)
    if run is None:
        return None
    job = job_get(run.job)
    if job is None:
        lease_fail(
            run, owner=owner, error=f"No job named {run.job!r} in the schedule.", permanent=True
        )
        return run
    ScheduledRun.objects.filter(pk=run.pk).update(started_at=timezone.now())
    try:
        _run_job(job, run)
    except Exception:
        logger.exception("Job %s (%s) failed", run.job, run.period_key)
        # A manual run reports its failure to whoever started it, and an inline job simply runs
        # again at its next period: neither is retried by the sweeper.
        once = job.inline or run.period_key.startswith(MANUAL_PREFIX)
        lease_fail(run, owner=owner, error=traceback.format_exc(), permanent=once)
    else:
        lease_complete(run, owner=owner, finished_at=timezone.now())
    return run


WORKSPACE_MARK = "@w"


def _run_job(job: Job, run: ScheduledRun) -> None:
    """The job's work for this run: all of it; or, for a job that fans out, one workspace's
    part (a run `<period>@w<id>`), or the creation of those runs (the period's own run). A
    manual run does every workspace's part here, one after the other."""
    fan_out = job.fan_out_function
    if fan_out is None:
        job.function(now=run.created_at)
        return
    period, mark, workspace = run.period_key.partition(WORKSPACE_MARK)
    if mark:
        job.function(now=run.created_at, workspace_id=int(workspace))
    elif period.startswith(MANUAL_PREFIX):
        for workspace_id in fan_out(now=run.created_at):
            job.function(now=run.created_at, workspace_id=workspace_id)
    else:
        scheduled_runs_fan_out(job=job, run=run, workspace_ids=fan_out(now=run.created_at))


def scheduled_runs_fan_out(*, job: Job, run: ScheduledRun, workspace_ids: list[int]) -> int:
    """One run per workspace for `run`'s period, inserted in bulk (those already there are
    left: a retried fan-out creates nothing twice) and enqueued; the sweeper re-enqueues any
    whose task is lost and retries any whose worker died, like every scheduled run."""
    from ascolto.core.tasks import scheduled_run_execute_task

    now = timezone.now()
    keys = [f"{run.period_key}{WORKSPACE_MARK}{pk}" for pk in workspace_ids]
    for start in range(0, len(keys), 500):
        ScheduledRun.objects.bulk_create(
            [
                ScheduledRun(
                    job=job.name,
                    period_key=key,
                    scheduled_for=run.scheduled_for,
                    created_at=run.created_at,
                    next_attempt_at=now,
                    dispatched_at=now,
                )
                for key in keys[start : start + 500]
            ],
            ignore_conflicts=True,
        )
    pending = ScheduledRun.objects.filter(
        job=job.name, period_key__startswith=f"{run.period_key}{WORKSPACE_MARK}", state="pending"
    ).values_list("pk", flat=True)
    count = 0
    for pk in pending:
        scheduled_run_execute_task.using(queue_name=job.queue).enqueue(pk)
        count += 1
    return count


def job_run_now(*, job: Job, now: datetime | None = None) -> ScheduledRun:
    """Run a job by hand, in this process, outside its schedule (recorded as a manual run)."""
    now = now or timezone.now()
    run = ScheduledRun.objects.create(
        job=job.name,
        period_key=f"{MANUAL_PREFIX}{now.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}",
        scheduled_for=now,
        created_at=now,
        next_attempt_at=now,
        dispatched_at=now,
    )
    scheduled_run_execute(run_id=run.pk, now=now)
    run.refresh_from_db()
    return run
