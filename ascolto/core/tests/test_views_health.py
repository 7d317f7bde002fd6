"""/health/: 200 while the database answers and background work flows, 503 with reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ascolto.core.models import ScheduledRun
from ascolto.core.services import job_run_now, scheduler_tick
from ascolto.core.tests.tasks_for_tests import explode_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def test_schedule(settings):
    settings.SCHEDULE_MODULE = "ascolto.core.tests.schedule_for_tests"
    settings.HEALTH_STALE_MINUTES = 10
    settings.LANGUAGE_CODE = "en"


def test_fresh_install_is_healthy(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_stale_scheduler_is_reported(client):
    scheduler_tick(now=timezone.now() - timedelta(minutes=11))
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["problems"] == ["The scheduler has not run for 11 minutes."]
    scheduler_tick()
    assert client.get("/health/").status_code == 200


def test_manual_runs_do_not_count_as_scheduler_ticks(client):
    scheduler_tick(now=timezone.now() - timedelta(minutes=30))
    from ascolto.core.jobs import job_get

    job_run_now(job=job_get("record-inline"))
    assert client.get("/health/").status_code == 503


def test_task_waiting_for_a_worker_is_reported(client, settings):
    explode_task.enqueue()
    assert client.get("/health/").status_code == 200
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=12))
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["problems"] == ["A task has waited 12 minutes for a worker."]
    settings.HEALTH_STALE_MINUTES = 0
    assert client.get("/health/").status_code == 200
    assert ScheduledRun.objects.count() == 0
