"""Writes for survey invitations: create, send (durably), remind, open; and open links."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.core.emails import LeasedEmail, leased_email_send
from ascolto.core.leases import lease_dispatched, lease_sweep
from ascolto.core.ratelimit import Decision, Limit, rate_limit_hit, rate_limit_undo
from ascolto.customers.models import Customer
from ascolto.feedback import hooks
from ascolto.feedback.models import (
    CadenceRule,
    Invitation,
    OpenLink,
    SendState,
    Survey,
    token_hash_of,
)
from ascolto.lib import emails
from ascolto.lib.phones import whatsapp_link, whatsapp_number
from ascolto.lib.register import customer_language
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role

logger = logging.getLogger("ascolto.feedback")

OPEN_LINK_SUBMITS_PER_HOUR = 10
OPEN_LINK_SUBMITS = Limit("survey-open-link", OPEN_LINK_SUBMITS_PER_HOUR, 3600)


def survey_link(token: str) -> str:
    return settings.SITE_URL + reverse("survey:answer", args=[token])


def survey_invitation_whatsapp_url(invitation: Invitation) -> str:
    """The click-to-chat link of a WhatsApp invitation: a chat with the customer's mobile, the
    message and the personal survey link typed in, in the invitation's language ("" when the
    customer's number is no longer a mobile one)."""
    number = whatsapp_number(invitation.customer.phone)
    if not number:
        return ""
    context = {
        "name": invitation.customer.name,
        "business": invitation.survey.workspace.name,
        "link": survey_link(invitation.token),
    }
    workspace = invitation.survey.workspace
    with translation.override(customer_language(invitation.language, workspace.customer_address)):
        text = render_to_string("feedback/whatsapp_message.txt", context).strip()
    return whatsapp_link(number, " ".join(text.split()))


def unsubscribe_link(token: str) -> str:
    """The invitation's "no more surveys" link (the same token as its survey link)."""
    return f"{settings.SITE_URL}{reverse('survey:unsubscribe', args=[token])}"


def open_link_url(open_link: OpenLink) -> str:
    return settings.SITE_URL + reverse("survey:open", args=[open_link.token])


def _enqueue_send(invitation_id: int) -> None:
    from ascolto.feedback.tasks import survey_invitation_send_task

    survey_invitation_send_task.enqueue(invitation_id)


def _dispatch(invitation_id: int) -> None:
    """Enqueue the send task when the transaction commits, and note it so the sweeper waits."""
    lease_dispatched(Invitation.objects.filter(pk=invitation_id))
    transaction.on_commit(lambda: _enqueue_send(invitation_id))


class InvitationNeedsConfirmation(ValidationError):
    """The invitation is held: `cautions` say why to think twice; the member confirms to send."""

    def __init__(self, cautions: list[str]):
        super().__init__(cautions, code="needs_confirmation")
        self.cautions = cautions


def survey_invitation_cautions(*, customer: Customer) -> list[str]:
    """Why inviting `customer` now may be a mistake (an open broken-promise crisis...), from
    the `invitation_cautions` hook; empty when nothing stands in the way."""
    return [
        caution for found in hooks.invitation_cautions.call(customer=customer) for caution in found
    ]


@transaction.atomic
def survey_invitation_create(
    *,
    survey: Survey,
    customer: Customer,
    by: Membership,
    channel: str = Invitation.Channel.EMAIL,
    language: str | None = None,
    confirmed: bool = False,
) -> Invitation:
    """A member invites `customer` to answer `survey`, by email (queued at commit) or as a
    link to hand over (any member). Internal customers may be asked; lost customers may not,
    nor, by email, customers without an address. A customer has one open invitation per
    survey: an expired one is closed and replaced, a live one is refused. When there is a
    reason to think twice (`survey_invitation_cautions`: an open crisis) the invitation is
    held, raising `InvitationNeedsConfirmation`, unless `confirmed`."""
    require_member(by, survey.workspace_id, Role.AGENT)
    if not confirmed and survey.workspace_id == customer.workspace_id:
        cautions = survey_invitation_cautions(customer=customer)
        if cautions:
            raise InvitationNeedsConfirmation(cautions)
    return _invitation_create(survey, customer, by, channel, language)


@transaction.atomic
def survey_invitation_create_for_rule(*, rule: CadenceRule, customer: Customer) -> Invitation:
    """The invitation a cadence rule makes on its own (by email, to the rule's survey): the
    system acts, so there is no member; the rule itself was set by a manager or an owner."""
    return _invitation_create(rule.survey, customer, None, Invitation.Channel.EMAIL, None)


def _invitation_create(
    survey: Survey,
    customer: Customer,
    by: Membership | None,
    channel: str,
    language: str | None,
) -> Invitation:
    if survey.workspace_id != customer.workspace_id:
        raise ValidationError({"customer": _("This customer belongs to another workspace.")})
    if not survey.active:
        raise ValidationError({"survey": _("This survey is not active.")})
    if customer.status == Customer.Status.LOST:
        raise ValidationError({"customer": _("This customer is marked as lost.")})
    if channel not in Invitation.Channel.values:
        raise ValidationError({"channel": _("Choose email or link.")})
    if channel == Invitation.Channel.EMAIL and not customer.email:
        raise ValidationError({"customer": _("This customer has no email address.")})
    if channel == Invitation.Channel.WHATSAPP and not whatsapp_number(customer.phone):
        raise ValidationError({"customer": _("This customer has no mobile number.")})
    if Customer.objects.filter(pk=customer.pk, surveys_opted_out_at__isnull=False).exists():
        raise ValidationError({"customer": _("This customer asked not to receive surveys.")})
    now = timezone.now()
    current = (
        Invitation.objects.select_for_update()
        .filter(survey=survey, customer=customer, closed_at__isnull=True)
        .first()
    )
    if current is not None:
        if current.expires_at > now:
            raise ValidationError(
                {"customer": _("This customer already has an open invitation to this survey.")}
            )
        Invitation.objects.filter(pk=current.pk).update(closed_at=now)
    salt = secrets.token_urlsafe(24)
    invitation = Invitation(
        workspace_id=survey.workspace_id,
        survey=survey,
        customer=customer,
        channel=channel,
        language=language or customer.preferred_language,
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(days=survey.expires_after_days),
        token_salt=salt,
        state=SendState.PENDING if channel == Invitation.Channel.EMAIL else SendState.DONE,
        # a WhatsApp invitation is sent by the member, from the chat its page opens
        sent_at=now if channel == Invitation.Channel.WHATSAPP else None,
        message_id=emails.message_id(f"survey.{secrets.token_hex(8)}"),
    )
    invitation.token_hash = token_hash_of(invitation.token)
    invitation.full_clean()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise ValidationError(
            {"customer": _("This customer already has an open invitation to this survey.")}
        ) from None
    if channel == Invitation.Channel.EMAIL:
        _dispatch(invitation.pk)
    return invitation


def _reminder_message_id(invitation: Invitation) -> str:
    local, _sep, domain = invitation.message_id.strip("<>").partition("@")
    return f"<{local}.reminder@{domain}>"


def _build_message(invitation: Invitation, reminder: bool) -> EmailMultiAlternatives:
    survey = invitation.survey
    language = invitation.language
    context = {
        "invitation": invitation,
        "survey": survey,
        "customer": invitation.customer,
        "business": invitation.workspace.name,
        "title": survey.text("title", language),
        "intro": survey.text("intro", language),
        "link": survey_link(invitation.token),
        "unsubscribe": unsubscribe_link(invitation.token),
        "expires_at": invitation.expires_at,
        "reminder": reminder,
    }
    with translation.override(customer_language(language, invitation.workspace.customer_address)):
        subject = render_to_string("emails/survey_invitation_subject.txt", context)
        body = render_to_string("emails/survey_invitation_body.txt", context)
        html = render_to_string("emails/survey_invitation_body.html", context)
    message_id = _reminder_message_id(invitation) if reminder else invitation.message_id
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        body,
        to=[invitation.customer.email],
        headers={
            "Message-ID": message_id,
            "Auto-Submitted": "auto-generated",
            # One-click unsubscribe (RFC 8058): the mail program POSTs to the link.
            "List-Unsubscribe": f"<{unsubscribe_link(invitation.token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def survey_invitation_send(*, invitation_id: int, owner: str | None = None) -> bool:
    """Send the invitation email, or its reminder when the invitation was already sent.

    Claimed with a lease, so two workers never send it together; an SMTP error puts it back
    with a back-off (the sweeper enqueues it again when it is due) or, for a 5xx about the
    address, marks it failed. The Message-ID is fixed per invitation, so a resend after an
    ambiguous failure (accepted by the server, but the worker died before recording it) is
    recognisable. Returns True when an email was handed to the SMTP server by this call."""
    return leased_email_send(
        Invitation, invitation_id, build=_leased_email, logger=logger, owner=owner
    )


def _leased_email(claimed: Invitation) -> LeasedEmail | None:
    invitation = Invitation.objects.select_related("survey", "customer", "workspace").get(
        pk=claimed.pk
    )
    if (
        invitation.answered_at is not None
        or invitation.closed_at is not None
        or invitation.is_expired
        or not invitation.customer.email
        or invitation.customer.surveys_opted_out_at is not None
        or invitation.channel != Invitation.Channel.EMAIL
    ):
        return None
    reminder = invitation.sent_at is not None
    return LeasedEmail(
        _build_message(invitation, reminder),
        sent_field="reminder_sent_at" if reminder else "sent_at",
    )


def survey_reminders_queue(*, now: datetime | None = None) -> int:
    """Put back in the send queue every emailed invitation whose reminder is due: sent more
    than the survey's `reminder_after_days` ago, unanswered, still valid, not yet reminded.
    The sweeper enqueues them. Returns how many were queued."""
    now = now or timezone.now()
    due = []
    candidates = Invitation.objects.filter(
        channel=Invitation.Channel.EMAIL,
        state=SendState.DONE,
        sent_at__isnull=False,
        reminder_sent_at__isnull=True,
        answered_at__isnull=True,
        submission__isnull=True,  # answered a moment ago, not stored yet
        closed_at__isnull=True,
        expires_at__gt=now,
        survey__reminder_after_days__isnull=False,
        survey__active=True,
    ).values_list("pk", "sent_at", "survey__reminder_after_days")
    for pk, sent_at, days in candidates.iterator():
        if sent_at is not None and days is not None and sent_at <= now - timedelta(days=days):
            due.append(pk)
    queued = 0
    for pk in due:
        if Invitation.objects.filter(
            pk=pk, state=SendState.DONE, reminder_sent_at__isnull=True
        ).update(state=SendState.PENDING, next_attempt_at=now, attempts=0, dispatched_at=None):
            queued += 1
    return queued


def survey_reminder_send(*, invitation_id: int, owner: str | None = None) -> bool:
    """Send the reminder of an invitation whose first email went out (the same durable path as
    the first email: `survey_invitation_send` sends the reminder once `sent_at` is set)."""
    return survey_invitation_send(invitation_id=invitation_id, owner=owner)


def survey_invitations_sweep(*, now: datetime | None = None) -> int:
    """The sweeper: repair expired leases and enqueue every invitation that is due (new,
    retried after a back-off, reminders). Returns how many tasks were enqueued."""
    return lease_sweep(Invitation.objects.all(), enqueue=_enqueue_send, now=now)


def survey_invitation_open(*, invitation: Invitation) -> None:
    """Record the first time the link was opened."""
    if invitation.opened_at is None:
        now = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
        invitation.opened_at = now


def survey_invitation_resend(*, invitation: Invitation, by: Membership) -> Invitation:
    """Queue a failed invitation email again (after the address or the mail server was fixed);
    any member."""
    require_member(by, invitation.workspace_id, Role.AGENT)
    updated = Invitation.objects.filter(
        pk=invitation.pk, state=SendState.FAILED, channel=Invitation.Channel.EMAIL
    ).update(state=SendState.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error="")
    if updated:
        _dispatch(invitation.pk)
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def open_link_create(
    *, survey: Survey, by: Membership, label: str = "", language: str = "it"
) -> OpenLink:
    """A link anyone may answer through (a poster, a website): managers and owners."""
    require_member(by, survey.workspace_id, Role.MANAGER)
    link = OpenLink(
        workspace_id=survey.workspace_id,
        survey=survey,
        token=secrets.token_urlsafe(16),
        label=(label or "").strip(),
        language=language,
    )
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def open_link_set_active(*, open_link: OpenLink, by: Membership, active: bool) -> OpenLink:
    """Switch an open link off or on again (managers and owners)."""
    require_member(by, open_link.workspace_id, Role.MANAGER)
    open_link.active = active
    open_link.save(update_fields=["active"])
    return open_link


def open_link_hit(*, open_link: OpenLink, address: str, now: datetime | None = None) -> Decision:
    """Count one submission from `address` through the open link; not allowed once the address
    has used up its submissions for this hour (the shared rate limiter: every web worker and
    server counts in one place)."""
    return rate_limit_hit(OPEN_LINK_SUBMITS, f"{open_link.pk}:{address}", now=now)


def open_link_hit_undo(*, open_link: OpenLink, address: str, now: datetime | None = None) -> None:
    """Give back the hit `open_link_hit` counted, for an answer that was not accepted (invalid
    answers must not use up a respondent's quota). Never below zero."""
    rate_limit_undo(OPEN_LINK_SUBMITS, f"{open_link.pk}:{address}", now=now)
