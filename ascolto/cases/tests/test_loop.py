"""Closing the loop, end to end with a real SMTP server and the public survey page:
a complaint logged on the timeline → a case → the acknowledgement email → a remedy within the
agent's budget → resolved → the follow-up question emailed → the customer answers on the
public page → the case is closed (satisfied) or reopened with an alert; the case's history and
the customer's timeline show each step."""

from __future__ import annotations

import re
from email.header import decode_header, make_header

import pytest
from django.test import Client
from django.urls import reverse

from ascolto.cases import services
from ascolto.cases.models import Case, CaseEmail, CaseEvent, Remedy
from ascolto.core.testing import failed_tasks, run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback.models import Invitation, Question, Response
from ascolto.feedback.services.cadence import cadence_rule_create
from ascolto.feedback.submissions.filing import submissions_store_all
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.selectors import timeline_for_customer
from ascolto.interactions.services import interaction_record
from ascolto.notifications.models import Notification


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


@pytest.mark.parametrize(
    ("score", "status", "outcome"),
    [("3", "in_progress", ""), ("10", "closed", "satisfied"), ("8", "closed", "partly")],
)
def test_the_loop_end_to_end(
    workspace_a, alice, bob, smtp_server, django_capture_on_commit_callbacks,
    score, status, outcome,
):  # fmt: skip
    customer = CustomerFactory(
        workspace=workspace_a, account_owner=bob, name="Edil Rossi", email="rossi@example.com"
    )
    survey = SurveyFactory(workspace=workspace_a, by=alice, name="Come abbiamo gestito")
    cadence_rule_create(workspace=workspace_a, by=alice, survey=survey, name="Dopo un reclamo",
                        after_complaint_resolved=True, fatigue_days=1)  # fmt: skip

    # 1. A complaint logged on the timeline opens a case and greets the customer by email.
    complaint = Touchpoint.objects.get(workspace=workspace_a, code="reclamo")
    with django_capture_on_commit_callbacks(execute=True):
        interaction_record(customer=customer, by=bob, touchpoint=complaint,
                           text="Il tecnico è arrivato in ritardo di due giorni!")  # fmt: skip
    case = Case.objects.get(customer=customer)
    assert case.owner == bob and case.category.code == "ritardo"
    run_pending_tasks()  # the greeting, the text analysis, the health score
    assert failed_tasks() == []
    [greeting] = smtp_server.messages
    assert greeting["X-Envelope-To"] == "rossi@example.com"
    assert f"n. {case.pk}" in _subject(greeting)
    assert "Gentile Edil Rossi" in smtp_server.text(greeting)  # "Lei" by default
    assert CaseEmail.objects.get(case=case).sent_at is not None

    # 2. A remedy within the agent's budget is granted at once.
    remedy = services.case_remedy_grant(case=case, by=bob, kind="discount", amount="150",
                                        why="Sconto sul prossimo intervento")  # fmt: skip
    assert remedy.status == Remedy.Status.GRANTED and remedy.decided_by == bob

    # 3. Resolved: the follow-up question is emailed through the cadence rule.
    with django_capture_on_commit_callbacks(execute=True):
        services.case_status_change(case=case, by=bob, status="resolved")
    run_pending_tasks()
    assert len(smtp_server.messages) == 2
    invitation = Invitation.objects.get(customer=customer, survey=survey)
    link = reverse("survey:answer", args=[invitation.token])
    assert link in smtp_server.text(smtp_server.messages[1])

    # 4. The customer answers on the public page; the worker files the answer.
    main = survey.questions.get(role=Question.Role.MAIN)
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        page = Client().post(link, {f"q{main.pk}": score})
        assert page.status_code == 302 and page["Location"].endswith("/thanks/")
        submissions_store_all()
    response = Response.objects.get(invitation=invitation)
    case.refresh_from_db()
    assert (case.status, case.outcome) == (status, outcome)
    assert response in case.responses.all()
    # The unhappy answer reopened this case: no second "call back" case for it.
    assert Case.objects.filter(customer=customer).count() == 1
    alerts = Notification.objects.filter(kind="case", pk__gt=before)
    if status == "in_progress":
        assert case.reopened_count == 1
        assert [n.recipient for n in alerts] == [bob]
        run_pending_tasks()
        assert any(
            m["X-Envelope-To"] == bob.user.email and f"#{case.pk}" in _subject(m)
            for m in smtp_server.messages
        )
    else:
        assert case.closed_at is not None and not alerts.exists()

    # 5. Every step is in the case's history and on the customer's timeline.
    kinds = list(
        CaseEvent.objects.filter(case=case).order_by("at", "pk").values_list("kind", "data")
    )
    names = [k for k, _ in kinds]
    assert names[:2] == ["opened", "email"]
    assert "remedy" in names and "answer" in names
    assert [d.get("email") for k, d in kinds if k == "email"] == ["ack", "follow_up"]
    assert names[-1] == ("reopened" if status == "in_progress" else "status")
    entries, _cursor = timeline_for_customer(workspace=workspace_a, customer=customer)
    shown = [e.obj.kind for e in entries if e.kind == "case"]
    assert sorted(shown) == sorted(names)
    html = Client()
    html.force_login(bob.user)
    detail = html.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert re.search(r"follow-up|domanda di verifica", detail, re.I)


def test_no_greeting_without_an_address_or_after_an_unsubscribe(
    workspace_a, bob, alice, smtp_server, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from ascolto.cases.tests.factories import open_case

    nobody = CustomerFactory(workspace=workspace_a, email="")
    gone = CustomerFactory(workspace=workspace_a, surveys_opted_out_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        open_case(nobody, bob)
        open_case(gone, bob)
    services.case_settings_update(workspace=workspace_a, by=alice, acknowledge_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        open_case(CustomerFactory(workspace=workspace_a), bob)
    run_pending_tasks()
    assert not CaseEmail.objects.exists() and smtp_server.messages == []


def test_the_greeting_is_sent_once_and_in_the_workspaces_register(
    workspace_a, bob, alice, smtp_server, django_capture_on_commit_callbacks
):
    from ascolto.cases.services.replies import case_acknowledgement_queue, case_email_send
    from ascolto.cases.tests.factories import open_case
    from ascolto.workspaces.services import workspace_update

    workspace_update(workspace=workspace_a, by=alice, customer_address="tu")
    customer = CustomerFactory(workspace=workspace_a, name="Gianni")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(customer, bob, emotion="anger")
    assert case_acknowledgement_queue(case=case) is None  # never twice
    run_pending_tasks()
    email = CaseEmail.objects.get()
    assert case_email_send(email_id=email.pk) is False  # a second task sends nothing
    [message] = smtp_server.messages
    assert "Ciao Gianni, scusami" in smtp_server.text(message)
    assert "tua segnalazione" in _subject(message)
