"""Writes for notifications (alerts for members), shown in the app and emailed."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ascolto.core.emails import LeasedEmail, leased_email_send
from ascolto.core.leases import WorkState, lease_dispatched, lease_sweep
from ascolto.customers.models import Customer
from ascolto.lib import emails
from ascolto.notifications.models import Notification
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.notifications")


def _enqueue_email(notification_id: int) -> None:
    from ascolto.notifications.tasks import notification_email_send_task

    notification_email_send_task.enqueue(notification_id)


@transaction.atomic
def notification_create(
    *,
    workspace: Workspace,
    recipient: Membership,
    kind: str,
    title: str,
    body: str = "",
    customer: Customer | None = None,
    url: str = "",
    email: bool = True,
) -> Notification:
    """Alert `recipient`: the notification shows in the app at once, and its email is queued
    at commit (durably: retried until the mail server takes it)."""
    send = email and bool(recipient.user.email)
    notification = Notification(
        workspace=workspace,
        recipient=recipient,
        kind=kind,
        title=title[:300],
        body=body[:10_000],
        customer=customer,
        url=url,
        state=WorkState.PENDING if send else WorkState.DONE,
    )
    notification.full_clean()
    notification.save()
    if send:
        lease_dispatched(Notification.objects.filter(pk=notification.pk))
        transaction.on_commit(lambda: _enqueue_email(notification.pk))
    return notification


def _build_email(notification: Notification) -> EmailMultiAlternatives:
    workspace = notification.workspace
    context = {
        "notification": notification,
        "workspace": workspace,
        "recipient": notification.recipient,
        "link": settings.SITE_URL + notification.url if notification.url.startswith("/") else "",
    }
    with translation.override(notification.recipient.language or workspace.language):
        subject = render_to_string("emails/notification_subject.txt", context)
        body = render_to_string("emails/notification_body.txt", context)
        html = render_to_string("emails/notification_body.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        body,
        to=[notification.recipient.user.email],
        headers={
            "Message-ID": emails.message_id(f"notification.{notification.pk}.{workspace.pk}"),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_email_send(*, notification_id: int, owner: str | None = None) -> bool:
    """Email one notification (claimed with a lease; SMTP errors back off and retry)."""
    return leased_email_send(
        Notification, notification_id, build=_leased_email, logger=logger, owner=owner
    )


def _leased_email(claimed: Notification) -> LeasedEmail | None:
    notification = Notification.objects.select_related("workspace", "recipient__user").get(
        pk=claimed.pk
    )
    if not notification.recipient.user.email:
        return None
    return LeasedEmail(_build_email(notification), sent_field="emailed_at")


def notification_emails_sweep(*, now: datetime | None = None) -> int:
    """The sweeper: enqueue notification emails that are due or whose worker died."""
    return lease_sweep(Notification.objects.all(), enqueue=_enqueue_email, now=now)


@transaction.atomic
def notification_mark_read(*, notification: Notification, by: Membership) -> Notification:
    """Mark one of `by`'s own notifications read."""
    require_member(by, notification.workspace_id, Role.AGENT)
    if notification.recipient_id != by.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by: Membership) -> int:
    """Mark all of `by`'s notifications read (only theirs: the recipient is the scope)."""
    require_member(by, getattr(by, "workspace_id", 0), Role.AGENT)
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
