"""Writes for workspaces, members and invitations."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.core.emails import LeasedEmail, leased_email_send
from ascolto.core.leases import (
    WorkState,
    lease_dispatched,
    lease_sweep,
)
from ascolto.core.ratelimit import Limit, rate_limit_hit
from ascolto.lib import emails
from ascolto.lib.updates import model_update
from ascolto.workspaces import hooks
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import (
    MemberInvitation,
    Membership,
    PasswordResetEmail,
    Role,
    Workspace,
)

logger = logging.getLogger("ascolto.security")

INVITATION_VALID_DAYS = 7
PASSWORD_RESETS_PER_WINDOW = 3
PASSWORD_RESET_WINDOW = timedelta(hours=1)
# Reset emails per requested address (the requester is never told: the same page either way).
PASSWORD_RESETS_PER_ADDRESS = Limit(
    "password-reset-email", PASSWORD_RESETS_PER_WINDOW, int(PASSWORD_RESET_WINDOW.total_seconds())
)
# Reset requests and sign-in attempts per client address (answered 429 with Retry-After).
PASSWORD_RESET_REQUESTS_PER_CLIENT = Limit("password-reset-client", 20, 3600)
LOGIN_ATTEMPTS_PER_CLIENT = Limit("login-client", 30, 600)


class InvitationUnusable(ValidationError):
    """The invitation was used (or expired) between loading the page and submitting it."""


class InvitationForAnotherAccount(ValidationError):
    """The logged-in account's email is not the invited address."""


def normalise_email(email: str | None) -> str:
    """An address as Ascolto compares and stores it: trimmed and in lower case (the domain is
    case-insensitive by standard, and no mail server in use treats the local part otherwise)."""
    return (email or "").strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def workspace_create(
    *,
    name: str,
    owner: User,
    language: str = "it",
    time_zone: str = "Europe/Rome",
    currency: str = "EUR",
) -> Workspace:
    """Create a business with its owner and the default catalogues (touchpoints, reasons),
    which the apps that own them install through the `workspace_created` hook."""
    workspace = Workspace(name=name, language=language, time_zone=time_zone, currency=currency)
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    hooks.workspace_created.call(workspace=workspace)
    return workspace


@transaction.atomic
def workspace_update(*, workspace: Workspace, by: Membership, **fields: object) -> Workspace:
    """Change the workspace's settings (owners only)."""
    require_member(by, workspace, Role.OWNER)
    model_update(
        workspace,
        fields,
        {"name", "language", "time_zone", "currency", "customer_address", "require_two_factor"},
    )
    return workspace


@transaction.atomic
def workspace_hours_update(
    *,
    workspace: Workspace,
    by: Membership,
    opening_hours: list[str],
    closed_days: str,
    public_holidays: bool,
) -> Workspace:
    """Change when the business is open (owners only). Promises in business hours count with
    the new calendar from the next check on; checks already made keep their values."""
    require_member(by, workspace, Role.OWNER)
    model_update(
        workspace,
        {
            "opening_hours": [line.strip() for line in opening_hours],
            "closed_days": closed_days.strip(),
            "public_holidays": public_holidays,
        },
        {"opening_hours", "closed_days", "public_holidays"},
    )
    return workspace


def _check_can_grant(by: Membership, role: str) -> None:
    """Managers manage agents and managers; only an owner may create or change an owner."""
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied
    if role == Role.OWNER and not by.has_role(Role.OWNER):
        raise PermissionDenied


def _enqueue_invitation_send(invitation_id: int) -> None:
    from ascolto.workspaces.tasks import member_invitation_send_task

    member_invitation_send_task.enqueue(invitation_id)


def _invitation_dispatch(invitation_id: int) -> None:
    """Enqueue the send task at commit, and note it so the sweeper waits before doing it again."""
    lease_dispatched(MemberInvitation.objects.filter(pk=invitation_id))
    transaction.on_commit(lambda: _enqueue_invitation_send(invitation_id))


def _invitation_new_token(invitation: MemberInvitation) -> str:
    invitation.token_salt = secrets.token_urlsafe(32)
    token = invitation.token
    invitation.token_hash = token_hash(token)
    return token


@transaction.atomic
def member_invite(
    *, workspace: Workspace, by: Membership, email: str, role: str
) -> tuple[MemberInvitation, str]:
    """Create an invitation and queue its email (sent by the worker, retried until the mail
    server takes it). Returns the invitation and the raw token, which is never stored."""
    require_member(by, workspace, Role.MANAGER)
    _check_can_grant(by, role)
    email = normalise_email(email)
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the workspace.")})
    invitation = MemberInvitation(
        workspace=workspace,
        email=email,
        role=role,
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
    )
    token = _invitation_new_token(invitation)
    invitation.full_clean()
    invitation.save()
    _invitation_dispatch(invitation.pk)
    logger.info("member invited: workspace=%s by=%s role=%s", workspace.pk, by.pk, role)
    hooks.member_changed.call(
        action="member.invited", workspace=workspace, by=by, target=invitation, detail=role
    )
    return invitation, token


def _check_can_manage_invitation(invitation: MemberInvitation, by: Membership) -> None:
    """The same grant rules as inviting: managers handle agent and manager invitations, only
    an owner an owner's."""
    if by.workspace_id != invitation.workspace_id:
        raise PermissionDenied
    _check_can_grant(by, invitation.role)


@transaction.atomic
def member_invitation_revoke(*, invitation: MemberInvitation, by: Membership) -> None:
    """Withdraw a pending invitation: its link stops working at once (the row is deleted, so
    an email still waiting to go out is not sent either)."""
    _check_can_manage_invitation(invitation, by)
    deleted, _rows = MemberInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True
    ).delete()
    if not deleted:
        raise ValidationError(_("This invitation has already been used."))
    logger.info(
        "member invitation revoked: workspace=%s invitation=%s by=%s",
        by.workspace_id,
        invitation.pk,
        by.pk,
    )
    hooks.member_changed.call(
        action="member.invitation_revoked",
        workspace=by.workspace,
        by=by,
        target=invitation,
        detail=invitation.role,
    )


@transaction.atomic
def member_invitation_resend(*, invitation: MemberInvitation, by: Membership) -> MemberInvitation:
    """Queue the invitation's email again, valid for another INVITATION_VALID_DAYS from now
    (the link stays the same, so an earlier copy of the mail keeps working)."""
    _check_can_manage_invitation(invitation, by)
    invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if not invitation.token_salt:
        _invitation_new_token(invitation)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_VALID_DAYS)
    invitation.state = WorkState.PENDING
    invitation.attempts = 0
    invitation.next_attempt_at = timezone.now()
    invitation.last_error = ""
    invitation.lease_owner = ""
    invitation.lease_expires_at = None
    invitation.save()
    _invitation_dispatch(invitation.pk)
    logger.info(
        "member invitation sent again: workspace=%s invitation=%s by=%s",
        by.workspace_id,
        invitation.pk,
        by.pk,
    )
    hooks.member_changed.call(
        action="member.invitation_resent",
        workspace=by.workspace,
        by=by,
        target=invitation,
        detail=invitation.role,
    )
    return invitation


def _invitation_message(invitation: MemberInvitation) -> EmailMultiAlternatives:
    link = settings.SITE_URL + reverse("workspaces:invitation-accept", args=[invitation.token])
    context = {
        "invitation": invitation,
        "link": link,
        "workspace": invitation.workspace,
        "invited_by": invitation.invited_by.display_name if invitation.invited_by else "",
        "valid_days": INVITATION_VALID_DAYS,
    }
    with translation.override(invitation.workspace.language):
        subject = render_to_string("emails/member_invitation_subject.txt", context)
        body = render_to_string("emails/member_invitation_body.txt", context)
        html = render_to_string("emails/member_invitation_body.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        body,
        to=[invitation.email],
        headers={
            "Message-ID": emails.message_id(f"member-invitation.{invitation.token_hash[:24]}")
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _invitation_email(invitation: MemberInvitation) -> LeasedEmail | None:
    invitation = MemberInvitation.objects.select_related("workspace", "invited_by__user").get(
        pk=invitation.pk
    )
    if not invitation.is_usable or not invitation.token_salt:
        return None
    return LeasedEmail(_invitation_message(invitation), sent_field="sent_at")


def member_invitation_send(*, invitation_id: int, owner: str | None = None) -> bool:
    """Email one invitation (claimed with a lease; SMTP errors back off and retry, a 5xx about
    the address fails it for good, shown on the team page). True when this call handed the
    mail to the server."""
    return leased_email_send(
        MemberInvitation, invitation_id, build=_invitation_email, logger=logger, owner=owner
    )


def member_invitations_sweep(*, now: datetime | None = None) -> int:
    """The sweeper: enqueue invitation and password-reset emails that are due or whose worker
    died, and forget reset rows finished a week ago (they hold nothing worth keeping)."""
    PasswordResetEmail.objects.filter(
        state__in=[WorkState.DONE, WorkState.FAILED],
        created_at__lt=(now or timezone.now()) - timedelta(days=7),
    ).delete()
    sent = lease_sweep(MemberInvitation.objects.all(), enqueue=_enqueue_invitation_send, now=now)
    return sent + lease_sweep(
        PasswordResetEmail.objects.all(), enqueue=_enqueue_reset_send, now=now
    )


def invitation_get_usable(*, token: str) -> MemberInvitation | None:
    invitation = (
        MemberInvitation.objects.select_related("workspace")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_is_for(*, invitation: MemberInvitation, user: User) -> bool:
    """True when `user`'s email is the invited address (without regard to case)."""
    return normalise_email(getattr(user, "email", "")) == normalise_email(invitation.email)


@transaction.atomic
def invitation_accept(*, invitation: MemberInvitation, user: User) -> Membership:
    """Join the workspace as `user`, who must have the invited address: a link opened by
    someone logged in with another account joins nobody. The invitation is claimed with a
    conditional update so a double click (or two tabs) cannot create two memberships."""
    if not invitation_is_for(invitation=invitation, user=user):
        logger.warning(
            "invitation refused to another account: workspace=%s invitation=%s user=%s",
            invitation.workspace_id,
            invitation.pk,
            user.pk,
        )
        raise InvitationForAnotherAccount(_("This invitation was sent to another email address."))
    _invitation_claim(invitation)
    return _invitation_join(invitation, user)


def _invitation_claim(invitation: MemberInvitation) -> None:
    claimed = MemberInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now())
    if not claimed:
        raise InvitationUnusable(_("This invitation has already been used."))


def _invitation_join(invitation: MemberInvitation, user: User) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    logger.info(
        "invitation accepted: workspace=%s invitation=%s member=%s",
        invitation.workspace_id,
        invitation.pk,
        membership.pk,
    )
    hooks.member_changed.call(
        action="member.joined",
        workspace=invitation.workspace,
        by=None,
        target=membership,
        detail=membership.role,
    )
    return membership


def invitation_email_has_account(*, invitation: MemberInvitation) -> bool:
    user_model = get_user_model()
    return user_model.objects.filter(
        models.Q(username__iexact=invitation.email) | models.Q(email__iexact=invitation.email)
    ).exists()


@transaction.atomic
def invitation_accept_as_new_user(
    *, invitation: MemberInvitation, first_name: str, last_name: str, password: str
) -> Membership:
    """Create the invited person's account and join them, all or nothing: a second submit of
    the same form finds the invitation claimed and creates neither a user nor a membership."""
    user_model = get_user_model()
    user = user_model(
        username=invitation.email,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_password(password)
    user.full_clean()
    _invitation_claim(invitation)
    user.save()
    return _invitation_join(invitation, user)


def user_language(user: User) -> str:
    """The language to write to a user in: their first workspace's, else the site default."""
    membership = (
        Membership.objects.filter(user=user)
        .select_related("workspace")
        .order_by("created_at", "pk")
        .first()
    )
    return membership.own_language if membership else settings.LANGUAGE_CODE


def user_language_remember(*, user: User, language: str) -> int:
    """The language a signed-in person picked with the language switch becomes the language of
    their emails (digests, notifications) in every workspace they belong to. An unknown code
    changes nothing. Returns the memberships changed."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        return 0
    return Membership.objects.filter(user=user).exclude(language=language).update(language=language)


def _enqueue_reset_send(reset_id: int) -> None:
    from ascolto.workspaces.tasks import password_reset_email_send_task

    password_reset_email_send_task.enqueue(reset_id)


@transaction.atomic
def password_reset_request(*, email: str) -> int:
    """Queue a reset email for each active account with this address (without regard to
    case) and a usable password. The same statements run whether or not such an account
    exists: a row is written and a task queued either way (for an unknown address the row has
    no user and the task sends nothing), so neither the answer nor its timing tells whether
    the address has an account. Returns the number of rows written."""
    email = normalise_email(email)
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    users = [
        user
        for user in user_model._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        if user.has_usable_password()
    ]
    rows = PasswordResetEmail.objects.bulk_create(
        [PasswordResetEmail(user=user) for user in users] or [PasswordResetEmail(user=None)]
    )
    ids = [row.pk for row in rows]
    lease_dispatched(PasswordResetEmail.objects.filter(pk__in=ids))
    transaction.on_commit(lambda: _enqueue_reset_sends(ids))
    return len(ids)


def _enqueue_reset_sends(ids: list[int]) -> None:
    for pk in ids:
        _enqueue_reset_send(pk)


def _reset_message(user: User) -> EmailMultiAlternatives:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "site_name": site.netloc,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme or "https",
        "site_url": settings.SITE_URL,
    }
    with translation.override(user_language(user)):
        subject = render_to_string("emails/password_reset_subject.txt", context)
        body = render_to_string("emails/password_reset_body.txt", context)
        html = render_to_string("emails/password_reset_body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), body, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def _reset_email(reset: PasswordResetEmail) -> LeasedEmail | None:
    user = reset.user
    if user is None or not user.is_active or not user.has_usable_password() or not user.email:
        return None
    return LeasedEmail(_reset_message(user), sent_field="sent_at")


def password_reset_email_send(*, reset_id: int, owner: str | None = None) -> bool:
    """Send one reset email (claimed with a lease, retried with back-off like every email).
    A row without a user, or whose user can no longer reset, is completed without a mail."""
    return leased_email_send(
        PasswordResetEmail, reset_id, build=_reset_email, logger=logger, owner=owner
    )


def password_reset_throttle_hit(*, email: str) -> bool:
    """Count one reset request for `email`; False once the address has used up its window.

    The shared rate limiter (core.ratelimit: every process counts in one place). Unknown
    addresses are counted exactly like known ones, so the cap itself reveals nothing; the
    address is stored only as a keyed hash."""
    decision = rate_limit_hit(PASSWORD_RESETS_PER_ADDRESS, (email or "").strip().lower())
    if not decision.allowed:
        logger.warning("password reset capped")
    return decision.allowed


@transaction.atomic
def member_role_change(*, membership: Membership, by: Membership, role: str) -> Membership:
    require_member(by, membership.workspace_id, Role.MANAGER)
    _check_can_grant(by, role)
    if membership.role == Role.OWNER and not by.has_role(Role.OWNER):
        raise PermissionDenied
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    previous = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    logger.info(
        "member role changed: workspace=%s member=%s role=%s by=%s",
        by.workspace_id,
        membership.pk,
        role,
        by.pk,
    )
    hooks.member_changed.call(
        action="member.role_changed",
        workspace=by.workspace,
        by=by,
        target=membership,
        detail=f"{previous} → {role}",
    )
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by: Membership) -> None:
    require_member(by, membership.workspace_id, Role.MANAGER)
    _check_can_grant(by, membership.role)
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    logger.info(
        "member removed: workspace=%s member=%s by=%s", by.workspace_id, membership.pk, by.pk
    )
    hooks.member_changed.call(
        action="member.removed",
        workspace=by.workspace,
        by=by,
        target=membership,
        detail=membership.role,
    )
    membership.delete()


def _ensure_another_owner(membership: Membership) -> None:
    others = Membership.objects.filter(
        workspace_id=membership.workspace_id, role=Role.OWNER
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(_("A workspace must keep at least one owner."))
