"""Invitation emails through a real SMTP server (aiosmtpd), and an SMTP outage."""

import socket
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import time_machine
from django.utils import timezone

from ascolto.core.testing import failed_tasks, run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.models import Invitation
from ascolto.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _invite(survey, customer, by, capture):
    with capture(execute=True):
        return services.survey_invitation_create(survey=survey, customer=customer, by=by)


def test_invitation_is_delivered_to_a_real_smtp_server(
    smtp_server, survey_a, customer_a, alice, django_capture_on_commit_callbacks
):
    invitation = _invite(survey_a, customer_a, alice, django_capture_on_commit_callbacks)
    assert run_pending_tasks() == 1
    assert failed_tasks() == []
    [message] = smtp_server.messages
    assert message["X-Envelope-To"] == "bianchi@example.com"
    assert message["Message-ID"] == invitation.message_id
    text = smtp_server.text(message)
    assert survey_a.workspace.name in message["Subject"]
    assert services.survey_link(invitation.token) in text
    assert "Edil Bianchi" in text
    assert services.survey_link(invitation.token) in smtp_server.html(message)
    invitation.refresh_from_db()
    assert invitation.state == "done" and invitation.sent_at is not None
    # a retried or duplicated task sends nothing more
    from ascolto.feedback.tasks import survey_invitation_send_task

    survey_invitation_send_task.enqueue(invitation.pk)
    run_pending_tasks()
    assert len(smtp_server.messages) == 1


def test_invitation_in_english_for_an_english_customer(
    smtp_server, survey_a, workspace_a, alice, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(workspace=workspace_a, preferred_language="en", name="Ann Smith")
    _invite(survey_a, customer, alice, django_capture_on_commit_callbacks)
    run_pending_tasks()
    [message] = smtp_server.messages
    assert "would like your opinion" in message["Subject"]
    assert "Hello Ann Smith" in smtp_server.text(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_smtp_down_then_back_every_invitation_delivered_once(
    settings, survey_a, workspace_a, alice, django_capture_on_commit_callbacks
):
    """GIVEN the SMTP server is down while three invitations are queued
    WHEN the tasks run, fail, back off, and the server comes back on the same port
    THEN each invitation is delivered exactly once, with its own Message-ID."""
    from aiosmtpd.controller import Controller

    from conftest import _CollectingSmtpHandler

    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    customers = [CustomerFactory(workspace=workspace_a) for _ in range(3)]
    invitations = [
        _invite(survey_a, c, alice, django_capture_on_commit_callbacks) for c in customers
    ]
    assert run_pending_tasks() == 3
    for invitation in invitations:
        invitation.refresh_from_db()
        assert invitation.state == "pending" and invitation.attempts == 1
        assert invitation.next_attempt_at > timezone.now()
        assert "Connection" in invitation.last_error or "refused" in invitation.last_error
    # the sweeper re-enqueues them once due; the server is still down for a while
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        assert services.survey_invitations_sweep() == 3
        run_pending_tasks()
    assert {i.attempts for i in Invitation.objects.all()} == {2}
    assert {i.state for i in Invitation.objects.all()} == {"pending"}

    messages: list = []
    controller = Controller(_CollectingSmtpHandler(messages), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with time_machine.travel(timezone.now() + timedelta(hours=1), tick=True):
            assert services.survey_invitations_sweep() == 3
            run_pending_tasks()
        with time_machine.travel(timezone.now() + timedelta(hours=2), tick=True):
            # a second sweep and stray duplicate sends change nothing
            assert services.survey_invitations_sweep() == 0
            for invitation in invitations:
                assert not services.survey_invitation_send(invitation_id=invitation.pk)
            run_pending_tasks()
    finally:
        controller.stop()
    assert sorted(m["Message-ID"] for m in messages) == sorted(i.message_id for i in invitations)
    assert all(i.state == "done" and i.sent_at for i in Invitation.objects.all())


def test_reminder_after_n_days_if_unanswered(
    smtp_server, survey_a, customer_a, alice, django_capture_on_commit_callbacks
):
    invitation = _invite(survey_a, customer_a, alice, django_capture_on_commit_callbacks)
    run_pending_tasks()
    assert services.survey_reminders_queue() == 0  # not yet due
    later = timezone.now() + timedelta(days=survey_a.reminder_after_days, minutes=1)
    with time_machine.travel(later, tick=True):
        assert services.survey_reminders_queue() == 1
        services.survey_invitations_sweep()
        run_pending_tasks()
    assert len(smtp_server.messages) == 2
    assert (
        smtp_server.messages[1]["Subject"].startswith("Promemoria")
        or "Reminder" in (smtp_server.messages[1]["Subject"])
    )
    assert smtp_server.messages[1]["Message-ID"] != invitation.message_id
    assert services.survey_reminders_queue(now=later + timedelta(days=1)) == 0
    invitation.refresh_from_db()
    assert invitation.reminder_sent_at is not None


def test_no_reminder_once_answered(
    smtp_server, survey_a, customer_a, alice, django_capture_on_commit_callbacks
):
    invitation = _invite(survey_a, customer_a, alice, django_capture_on_commit_callbacks)
    run_pending_tasks()
    main = survey_a.questions.get(role="main")
    services.response_submit(
        survey=survey_a, data={f"q{main.pk}": "8"}, language="it", invitation=invitation
    )
    later = timezone.now() + timedelta(days=10)
    assert services.survey_reminders_queue(now=later) == 0


def test_detractor_alert_email_reaches_the_account_owner(
    smtp_server, survey_a, customer_a, alice, django_capture_on_commit_callbacks
):
    invitation = _invite(survey_a, customer_a, alice, django_capture_on_commit_callbacks)
    run_pending_tasks()
    main = survey_a.questions.get(role="main")
    with django_capture_on_commit_callbacks(execute=True):
        services.response_submit(
            survey=survey_a, data={f"q{main.pk}": "4"}, language="it", invitation=invitation
        )
    run_pending_tasks()
    # The staff's alert (the customer also gets the call-back case's acknowledgement).
    alerts = [m for m in smtp_server.messages if m["X-Envelope-To"] == alice.user.email]
    assert len(alerts) == 1
    alert = alerts[0]
    assert "Edil Bianchi" in str(make_header(decode_header(alert["Subject"])))
    note = Notification.objects.get()
    assert note.emailed_at is not None and note.state == "done"
