"""Notification emails through a real SMTP server: sent once, refused for good, retried."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ascolto.core.leases import WorkState
from ascolto.core.testing import failed_tasks, run_pending_tasks
from ascolto.notifications.models import Notification
from ascolto.notifications.services import notification_create, notification_email_send

pytestmark = pytest.mark.django_db


def _notify(member, capture, **fields) -> Notification:
    with capture(execute=True):
        return notification_create(
            workspace=member.workspace,
            recipient=member,
            kind=Notification.Kind.OTHER,
            title="Edil Bianchi ha dato 3",
            url="/customers/1/",
            **fields,
        )


def test_a_notification_is_emailed_once_with_its_message_id(
    smtp_server, alice, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Ascolto <avvisi@noleggi-rossi.it>"
    notification = _notify(alice, django_capture_on_commit_callbacks)
    assert run_pending_tasks() == 1 and failed_tasks() == []
    [message] = smtp_server.messages
    assert message["X-Envelope-To"] == alice.user.email
    assert message["Message-ID"] == (
        f"<notification.{notification.pk}.{alice.workspace_id}@noleggi-rossi.it>"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    notification.refresh_from_db()
    assert notification.state == WorkState.DONE and notification.emailed_at is not None
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(smtp_server.messages) == 1


def test_an_address_refused_for_good_fails_at_once(
    smtp_server, alice, django_capture_on_commit_callbacks
):
    smtp_server.refuse[alice.user.email] = "550 5.1.1 No such user"
    notification = _notify(alice, django_capture_on_commit_callbacks)
    run_pending_tasks()
    notification.refresh_from_db()
    assert notification.state == WorkState.FAILED and notification.attempts == 1
    assert notification.last_error.startswith("SMTPRecipientsRefused")
    assert notification.emailed_at is None and smtp_server.messages == []


def test_a_full_mailbox_is_tried_again_later(
    smtp_server, alice, django_capture_on_commit_callbacks
):
    smtp_server.refuse[alice.user.email] = "452 4.2.2 Mailbox full"
    notification = _notify(alice, django_capture_on_commit_callbacks)
    run_pending_tasks()
    notification.refresh_from_db()
    assert notification.state == WorkState.PENDING and notification.attempts == 1
    assert notification.next_attempt_at > timezone.now()
    del smtp_server.refuse[alice.user.email]
    notification.next_attempt_at = timezone.now()
    notification.save(update_fields=["next_attempt_at"])
    assert notification_email_send(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.state == WorkState.DONE and len(smtp_server.messages) == 1


def test_no_email_when_not_asked_or_no_address(
    smtp_server, alice, django_capture_on_commit_callbacks
):
    quiet = _notify(alice, django_capture_on_commit_callbacks, email=False)
    alice.user.email = ""
    alice.user.save()
    alice.refresh_from_db()
    no_address = _notify(alice, django_capture_on_commit_callbacks)
    assert run_pending_tasks() == 0
    for notification in (quiet, no_address):
        notification.refresh_from_db()
        assert notification.state == WorkState.DONE and notification.emailed_at is None
    assert smtp_server.messages == []
