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


def test_survey_answer_waiting_to_be_filed_is_reported(client, settings, workspace_a, alice):
    """No worker and no scheduler: an answer the page accepted waits; after the stale limit the
    health check says so (the answer itself is safe, but its alert has not gone out)."""
    from ascolto.customers.tests.factories import CustomerFactory
    from ascolto.feedback.models import Submission
    from ascolto.feedback.services import survey_invitation_create
    from ascolto.feedback.submissions.filing import submissions_store_all
    from ascolto.feedback.tests.factories import SurveyFactory

    survey = SurveyFactory(workspace=workspace_a, by=alice)
    invitation = survey_invitation_create(
        survey=survey, customer=CustomerFactory(workspace=workspace_a), by=alice
    )
    main = survey.questions.get(role="main")
    Submission.objects.create(
        workspace=workspace_a,
        invitation=invitation,
        submitted_at=timezone.now() - timedelta(minutes=11),
        answers=[[main.pk, 9, "", ""]],
    )
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["problems"] == ["A survey answer has waited 11 minutes to be filed."]
    submissions_store_all()
    assert client.get("/health/").status_code == 200
