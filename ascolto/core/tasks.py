"""Core tasks: running a scheduled job's period on a worker."""

from __future__ import annotations

from django_tasks import task

from ascolto.core import services


@task()
def scheduled_run_execute_task(run_id: int) -> None:
    services.scheduled_run_execute(run_id=run_id)
