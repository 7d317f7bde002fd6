"""Test helpers for background work.

Tests keep the real database task backend: enqueuing writes a `DBTaskResult` row, and
`run_pending_tasks()` then runs the ready ones in this process exactly the way `ascolto worker`
does (claim the row, call the task, record success or the exception), and first does once what
the worker's loops do beside the tasks (`WORKER_LOOPS` in the schedule: the survey page's pending
submissions are stored). Remember that work enqueued
with `transaction.on_commit` inside a test transaction is only enqueued when the test uses
`django_capture_on_commit_callbacks(execute=True)`.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ascolto.core.jobs import worker_loops
from ascolto.core.leases import default_owner


def _worker(queue_names: list[str]) -> Worker:
    return Worker(
        queue_names=queue_names,
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=default_owner(),
        excluded_queue_names=[],
    )


def run_pending_tasks(
    *, queues: list[str] | None = None, now: datetime | None = None, max_tasks: int = 1000
) -> int:
    """Run ready tasks (and the tasks they enqueue) until none is left; return how many ran.

    `now` also runs tasks deferred until then (`run_after <= now`). Failed tasks do not raise:
    inspect them with `failed_tasks()` or the `DBTaskResult` rows.
    """
    worker = _worker(queues or ["*"])
    loops = [loop.batch_function for loop in worker_loops()]
    ran = 0
    while ran < max_tasks:
        for batch in loops:  # what the worker's threads do beside the tasks
            batch()
        ready = DBTaskResult.objects.filter(status="READY")
        if queues:
            ready = ready.filter(queue_name__in=queues)
        if now is None:
            ready = ready.ready()
        else:
            ready = ready.filter(run_after__lte=max(now, timezone.now())) | ready.ready()
        task_result = ready.order_by("-priority", "run_after", "enqueued_at").first()
        if task_result is None:
            break
        task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        ran += 1
    return ran


def failed_tasks() -> list[DBTaskResult]:
    """Task results that ended in an exception, oldest first, with their tracebacks."""
    return list(DBTaskResult.objects.failed().order_by("enqueued_at"))
