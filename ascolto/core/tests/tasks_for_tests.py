"""Tasks used only by the core tests."""

from __future__ import annotations

from django_tasks import task

from ascolto.core.models import ScheduledRun


@task()
def mark_run_done_task(run_id: int) -> str:
    ScheduledRun.objects.filter(pk=run_id).update(state="done")
    return "ok"


@task()
def enqueue_another_task(run_id: int) -> None:
    mark_run_done_task.enqueue(run_id)


@task(queue_name="email")
def explode_task() -> None:
    raise RuntimeError("kaboom")
