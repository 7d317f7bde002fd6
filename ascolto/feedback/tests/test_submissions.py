"""Submissions: accepted by the public page as one row, stored as responses by the worker.

GIVEN answers accepted on an invitation's page
WHEN the worker's `submissions_process` runs (once, twice, in batches, after edits and failures)
THEN each becomes exactly one response with the time it was sent, and nothing is lost.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ascolto.core.sweep import sweep_all
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.models import Answer, Invitation, Response, Submission
from ascolto.feedback.submissions.accept import submission_accept
from ascolto.feedback.submissions.filing import (
    submissions_process,
    submissions_store_all,
    submissions_sweep,
)
from ascolto.feedback.submissions.form import invitation_form_by_token
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _invite(survey, customer, alice):
    return services.survey_invitation_create(survey=survey, customer=customer, by=alice)


def _accept(invitation, **answers):
    """Submit like the public page: its one read, then the accept."""
    form = invitation_form_by_token(invitation.token)
    fields = {q.role: f"q{q.pk}" for q in invitation.survey.questions.all()}
    data = {fields[role]: value for role, value in answers.items()}
    return submission_accept(target=form.target, questions=form.questions, data=data)


def test_accept_stores_one_row_and_the_worker_turns_it_into_the_response(
    survey_a, customer_a, alice
):
    invitation = _invite(survey_a, customer_a, alice)
    sent = timezone.now() - timedelta(minutes=3)
    with time_machine.travel(sent, tick=False):
        assert _accept(invitation, main="3", why="Sempre in ritardo", improve="") == 3
    submission = Submission.objects.get()
    assert (submission.score, submission.submitted_at, submission.error) == (3, sent, "")
    assert not Response.objects.exists() and not Notification.objects.exists()

    assert submissions_process() == 1
    response = Response.objects.get()
    assert (response.score, response.band, response.submitted_at) == (3, "detractor", sent)
    assert response.customer == customer_a and response.invitation == invitation
    assert list(Answer.objects.filter(response=response).exclude(text="").values_list("text")) == [
        ("Sempre in ritardo",)
    ]
    invitation.refresh_from_db()
    assert invitation.answered_at == invitation.closed_at == sent
    assert not Submission.objects.exists()
    assert Notification.objects.filter(kind="detractor", customer=customer_a).count() == 1
    [task] = DBTaskResult.objects.all()  # the comment's analysis, queued with the response
    assert task.task_path.endswith("text_analyses_store_task")
    assert submissions_process() == 0  # a second run finds nothing and stores nothing
    assert Response.objects.count() == 1


def test_bad_answers_store_nothing_and_a_second_accept_is_already_answered(
    survey_a, customer_a, alice
):
    invitation = _invite(survey_a, customer_a, alice)
    with pytest.raises(ValidationError) as exc:
        _accept(invitation, main="11")
    assert list(exc.value.message_dict) == [f"q{survey_a.questions.get(role='main').pk}"]
    assert not Submission.objects.exists()
    _accept(invitation, main="9")
    with pytest.raises(services.AlreadyAnswered):
        _accept(invitation, main="2")
    submissions_store_all()
    # Stored: the page's read now sees it answered and does not try to insert at all.
    assert invitation_form_by_token(invitation.token).answered
    assert Response.objects.get().score == 9 and not Submission.objects.exists()


def test_a_submission_for_an_invitation_answered_meanwhile_is_dropped(survey_a, customer_a, alice):
    """GIVEN a pending submission WHEN the invitation gets its response another way first (a
    member records it) THEN the worker drops the submission: one response, never two."""
    invitation = _invite(survey_a, customer_a, alice)
    _accept(invitation, main="9")
    main = survey_a.questions.get(role="main")
    services.response_submit(
        survey=survey_a, data={f"q{main.pk}": "6"}, language="it", invitation=invitation
    )
    assert submissions_process() == 1
    assert list(Response.objects.values_list("score", flat=True)) == [6]
    assert not Submission.objects.exists()


def test_answers_to_a_question_deleted_meanwhile_are_dropped_the_rest_is_stored(
    survey_a, customer_a, alice
):
    invitation = _invite(survey_a, customer_a, alice)
    _accept(invitation, main="8", why="Puntuali", improve="Gli orari")
    services.question_delete(question=survey_a.questions.get(role="why"), by=alice)
    assert submissions_process() == 1
    response = Response.objects.get()
    assert list(response.answers.exclude(text="").values_list("text", flat=True)) == ["Gli orari"]


def test_a_submission_that_cannot_be_stored_is_kept_with_its_reason(
    survey_a, customer_a, alice, workspace_a
):
    """GIVEN a malformed pending row between two good ones WHEN the worker runs THEN the good
    ones are stored, the bad one stays with the reason, and later runs leave it alone."""
    first, broken, last = (
        _invite(survey_a, CustomerFactory(workspace=workspace_a), alice) for _i in range(3)
    )
    _accept(first, main="10")
    Submission.objects.create(
        workspace=workspace_a, invitation=broken, submitted_at=timezone.now(), answers=[[1, 2]]
    )
    _accept(last, main="7")
    assert submissions_process() == 3
    assert sorted(Response.objects.values_list("invitation_id", flat=True)) == [first.pk, last.pk]
    kept = Submission.objects.get()
    assert kept.invitation == broken and "ValueError" in kept.error
    assert submissions_process() == 0 and submissions_store_all() == 0
    with pytest.raises(services.AlreadyAnswered):  # its slot stays taken: nothing overwritten
        _accept(broken, main="1")


def test_batches_take_the_oldest_first_and_store_all_finishes(survey_a, workspace_a, alice):
    invitations = [
        _invite(survey_a, CustomerFactory(workspace=workspace_a), alice) for _i in range(7)
    ]
    for n, invitation in enumerate(invitations):
        _accept(invitation, main=str(n))
    assert submissions_process(limit=3) == 3
    assert sorted(Response.objects.values_list("score", flat=True)) == [0, 1, 2]
    assert submissions_store_all() == 4
    assert Response.objects.count() == 7 and not Submission.objects.exists()


def test_the_sweeper_stores_what_no_worker_has(survey_a, customer_a, alice, settings):
    """Every worker down: the scheduler's one-minute sweeper stores the answers."""
    settings.SCHEDULE_MODULE = "ascolto.schedule"
    _accept(_invite(survey_a, customer_a, alice), main="9")
    counts = sweep_all(now=timezone.now())
    assert counts["ascolto.feedback.submissions.filing.submissions_sweep"] == 1
    assert Response.objects.count() == 1
    assert submissions_sweep(now=timezone.now()) == 0


def test_no_reminder_for_an_answer_waiting_to_be_stored(survey_a, customer_a, alice):
    invitation = _invite(survey_a, customer_a, alice)
    Invitation.objects.filter(pk=invitation.pk).update(
        state="done", sent_at=timezone.now() - timedelta(days=30)
    )
    _accept(invitation, main="9")
    assert services.survey_reminders_queue() == 0
    Submission.objects.all().delete()
    assert services.survey_reminders_queue() == 1  # the same invitation without the answer


def test_deleting_the_customer_deletes_their_pending_answer(survey_a, customer_a, alice):
    _accept(_invite(survey_a, customer_a, alice), main="9")
    customer_a.delete()
    assert not Submission.objects.exists()
    assert submissions_process() == 0 and not Response.objects.exists()


def test_a_batch_queues_one_analysis_task_per_workspace(
    survey_a, workspace_a, workspace_b, alice, mallory
):
    """GIVEN comments pending in two workspaces WHEN one batch stores them THEN one analysis task
    per workspace carries exactly that workspace's comments."""
    survey_b = SurveyFactory(workspace=workspace_b, by=mallory)
    a = [_invite(survey_a, CustomerFactory(workspace=workspace_a), alice) for _i in range(3)]
    b = [_invite(survey_b, CustomerFactory(workspace=workspace_b), mallory) for _i in range(2)]
    for invitation in a + b:
        _accept(invitation, main="8", why=f"Commento {invitation.pk}", improve="")
    _accept(_invite(survey_a, CustomerFactory(workspace=workspace_a), alice), main="9")  # no text
    assert submissions_process() == 6
    tasks = {
        t.args_kwargs["kwargs"]["workspace_id"]: sorted(t.args_kwargs["kwargs"]["source_ids"])
        for t in DBTaskResult.objects.all()
    }
    assert DBTaskResult.objects.count() == 2
    for workspace, invitations in ((workspace_a, a), (workspace_b, b)):
        comments = Answer.objects.filter(response__invitation__in=invitations).exclude(text="")
        assert tasks[workspace.pk] == sorted(comments.values_list("pk", flat=True))
        assert comments.count() == len(invitations)


def test_a_good_batch_is_stored_without_a_savepoint_per_submission(survey_a, workspace_a, alice):
    """The batch is tried whole first: its statements do not grow by a savepoint per answer
    (the test's own transaction makes the batch's one savepoint)."""
    invitations = [
        _invite(survey_a, CustomerFactory(workspace=workspace_a), alice) for _i in range(4)
    ]
    for invitation in invitations:
        _accept(invitation, main="9")
    with CaptureQueriesContext(connection) as queries:
        assert submissions_process() == 4
    savepoints = [q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1
    assert Response.objects.count() == 4
