"""Retention (test plan P03): the dry run counts; a run empties, erases or deletes exactly
what expired; a second run does nothing; scores and counts stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ascolto.audit.models import Action, AuditEntry
from ascolto.audit.services import audit_record
from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory, LostRecordFactory
from ascolto.feedback.models import Answer, Response
from ascolto.interactions.models import Interaction
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.notifications.models import Notification
from ascolto.privacy.retention import retention_run

MONTHS = {
    "survey_comments": 24,
    "interaction_notes": 12,
    "lost_customers": 36,
    "notifications": 12,
    "audit_log": 12,
    "failed_tasks": 3,
}


@pytest.fixture
def policy(settings):
    settings.PRIVACY_RETENTION_MONTHS = dict(MONTHS)


def _answer(workspace, customer, survey, *, days_ago, text):
    response = Response.objects.create(
        workspace=workspace,
        survey=survey,
        customer=customer,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        kind=survey.kind,
        score=9,
        band="promoter",
    )
    question = survey.questions.get(role="why")
    return Answer.objects.create(response=response, question=question, text=text)


@pytest.mark.django_db
def test_dry_run_counts_run_removes_exactly_the_expired_rerun_is_a_noop(
    policy, workspace_a, alice, survey_a
):
    customer = CustomerFactory(workspace=workspace_a)
    old_answer = _answer(workspace_a, customer, survey_a, days_ago=800, text="vecchio")
    new_answer = _answer(workspace_a, customer, survey_a, days_ago=600, text="recente")
    old_note = InteractionFactory(
        customer=customer,
        workspace=workspace_a,
        text="nota vecchia",
        occurred_at=timezone.now() - timedelta(days=400),
    )
    new_note = InteractionFactory(
        customer=customer,
        workspace=workspace_a,
        text="nota nuova",
        occurred_at=timezone.now() - timedelta(days=300),
    )
    gone = CustomerFactory(workspace=workspace_a, status=Customer.Status.LOST, name="Ex Cliente")
    LostRecordFactory(customer=gone, lost_on=timezone.localdate() - timedelta(days=1200))
    recent_lost = CustomerFactory(
        workspace=workspace_a, status=Customer.Status.LOST, name="Da poco"
    )
    LostRecordFactory(customer=recent_lost, lost_on=timezone.localdate() - timedelta(days=100))
    for days, read in ((400, True), (400, False), (100, True)):
        Notification.objects.create(
            workspace=workspace_a,
            recipient=alice,
            title_it="x",
            created_at=timezone.now() - timedelta(days=days),
            read_at=timezone.now() if read else None,
            state="pending" if not read else "done",
        )
    # Entries cannot be changed, in the ORM or the database: an old one is written old.
    AuditEntry.objects.create(
        action=Action.LOGIN, user=alice.user, at=timezone.now() - timedelta(days=400)
    )
    audit_record(action=Action.LOGIN, user=alice.user)
    scores = list(Response.objects.order_by("pk").values_list("score", flat=True))

    expected = {
        "survey_comments": 1,
        "interaction_notes": 1,
        "lost_customers": 1,
        "notifications": 1,
        "audit_log": 1,
        "failed_tasks": 0,
    }
    assert retention_run(dry_run=True) == expected
    assert Answer.objects.get(pk=old_answer.pk).text == "vecchio"  # the dry run changed nothing

    assert retention_run() == expected

    assert Answer.objects.get(pk=old_answer.pk).text == ""
    assert Answer.objects.get(pk=new_answer.pk).text == "recente"
    assert Interaction.objects.get(pk=old_note.pk).text == ""
    assert Interaction.objects.get(pk=new_note.pk).text == "nota nuova"
    gone.refresh_from_db()
    recent_lost.refresh_from_db()
    assert gone.name != "Ex Cliente" and gone.email == ""
    assert recent_lost.name == "Da poco"
    assert Notification.objects.count() == 2
    assert list(Response.objects.order_by("pk").values_list("score", flat=True)) == scores
    assert AuditEntry.objects.filter(action=Action.RETENTION_RUN).count() == 1

    assert set(retention_run(dry_run=True).values()) == {0}
    assert set(retention_run().values()) == {0}


@pytest.mark.django_db
def test_kinds_kept_for_ever_are_left_alone(settings, workspace_a, survey_a):
    settings.PRIVACY_RETENTION_MONTHS = {}
    customer = CustomerFactory(workspace=workspace_a)
    old = _answer(workspace_a, customer, survey_a, days_ago=5000, text="per sempre")
    assert retention_run() == {}
    assert Answer.objects.get(pk=old.pk).text == "per sempre"


@pytest.mark.django_db
def test_command_prints_the_dry_run(policy, capsys, db):
    call_command("gdpr", "retention", "--dry-run")
    out = capsys.readouterr().out
    assert "survey_comments: 0" in out and "audit_log: 0" in out
