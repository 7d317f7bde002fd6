"""`run_pending_tasks` runs queued tasks in-process the way the worker does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ascolto.core.models import ScheduledRun
from ascolto.core.testing import failed_tasks, run_pending_tasks
from ascolto.core.tests.tasks_for_tests import (
    enqueue_another_task,
    explode_task,
    mark_run_done_task,
)

pytestmark = pytest.mark.django_db


def _run() -> ScheduledRun:
    return ScheduledRun.objects.create(job="probe", period_key="x", scheduled_for=timezone.now())


def test_runs_tasks_and_the_tasks_they_enqueue():
    run = _run()
    enqueue_another_task.enqueue(run.pk)
    assert DBTaskResult.objects.count() == 1
    assert run_pending_tasks() == 2
    assert ScheduledRun.objects.get(pk=run.pk).state == "done"
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert run_pending_tasks() == 0


def test_failures_are_recorded_not_raised_and_queues_filter():
    explode_task.enqueue()
    assert run_pending_tasks(queues=["default"]) == 0
    assert run_pending_tasks(queues=["email"]) == 1
    [failed] = failed_tasks()
    assert "kaboom" in failed.traceback


def test_deferred_tasks_wait_for_now():
    run = _run()
    mark_run_done_task.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(run.pk)
    assert run_pending_tasks() == 0
    assert run_pending_tasks(now=timezone.now() + timedelta(hours=2)) == 1
    assert ScheduledRun.objects.get(pk=run.pk).state == "done"
