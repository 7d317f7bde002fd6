"""Writes for workspaces, members and invitations."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ascolto.lib.updates import model_update
from ascolto.workspaces import hooks
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import (
    MemberInvitation,
    Membership,
    PasswordResetThrottle,
    Role,
    Workspace,
)

logger = logging.getLogger("ascolto.security")

INVITATION_VALID_DAYS = 7
PASSWORD_RESETS_PER_WINDOW = 3
PASSWORD_RESET_WINDOW = timedelta(hours=1)


class InvitationUnusable(ValidationError):
    """The invitation was used (or expired) between loading the page and submitting it."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def workspace_create(
    *,
    name: str,
    owner: AbstractBaseUser,
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
    model_update(workspace, fields, {"name", "language", "time_zone", "currency"})
    return workspace


def _check_can_grant(by: Membership, role: str) -> None:
    """Managers manage agents and managers; only an owner may create or change an owner."""
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied
    if role == Role.OWNER and not by.has_role(Role.OWNER):
        raise PermissionDenied


@transaction.atomic
def member_invite(
    *, workspace: Workspace, by: Membership, email: str, role: str
) -> tuple[MemberInvitation, str]:
    """Create an invitation and email its link. Returns the invitation and the raw token, which
    is never stored (only its hash is)."""
    require_member(by, workspace, Role.MANAGER)
    _check_can_grant(by, role)
    email = (email or "").strip().lower()
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the workspace.")})
    token = secrets.token_urlsafe(32)
    invitation = MemberInvitation(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(lambda: _invitation_email_send(invitation, token))
    logger.info("member invited: workspace=%s by=%s role=%s", workspace.pk, by.pk, role)
    return invitation, token


def _invitation_email_send(invitation: MemberInvitation, token: str) -> None:
    """Send the invitation in the workspace's language. A mail server failure is logged, not
    raised: the invitation stays pending in the team page and can be sent again."""
    link = settings.SITE_URL + reverse("workspaces:invitation-accept", args=[token])
    context = {
        "invitation": invitation,
        "link": link,
        "workspace": invitation.workspace,
        "invited_by": invitation.invited_by.display_name if invitation.invited_by else "",
        "valid_days": INVITATION_VALID_DAYS,
    }
    with translation.override(invitation.workspace.language):
        subject = render_to_string("emails/member_invitation_subject.txt", context)
        subject = " ".join(subject.split())
        body = render_to_string("emails/member_invitation_body.txt", context)
        html = render_to_string("emails/member_invitation_body.html", context)
    message = EmailMultiAlternatives(subject, body, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        logger.exception(
            "invitation email failed: workspace=%s invitation=%s",
            invitation.workspace_id,
            invitation.pk,
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


@transaction.atomic
def invitation_accept(*, invitation: MemberInvitation, user: AbstractBaseUser) -> Membership:
    """Join the workspace as `user`. The invitation is claimed with a conditional update so a
    double click (or two tabs) cannot create two memberships or reuse it."""
    _invitation_claim(invitation)
    return _invitation_join(invitation, user)


def _invitation_claim(invitation: MemberInvitation) -> None:
    claimed = MemberInvitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).update(accepted_at=timezone.now())
    if not claimed:
        raise InvitationUnusable(_("This invitation has already been used."))


def _invitation_join(invitation: MemberInvitation, user: AbstractBaseUser) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    logger.info(
        "invitation accepted: workspace=%s invitation=%s member=%s",
        invitation.workspace_id,
        invitation.pk,
        membership.pk,
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


def user_language(user: AbstractBaseUser) -> str:
    """The language to write to a user in: their first workspace's, else the site default."""
    membership = (
        Membership.objects.filter(user=user)
        .select_related("workspace")
        .order_by("created_at", "pk")
        .first()
    )
    return membership.workspace.language if membership else settings.LANGUAGE_CODE


def password_reset_throttle_hit(*, email: str) -> bool:
    """Count one reset request for `email`; False once the address has used up its window.

    A fixed window per address, counted with conditional UPDATEs so concurrent requests in
    several processes cannot exceed the cap. Unknown addresses are counted exactly like known
    ones, so the cap itself reveals nothing. The address is stored only as a keyed hash.
    """
    key = salted_hmac(
        "ascolto.password-reset", (email or "").strip().lower(), algorithm="sha256"
    ).hexdigest()
    now = timezone.now()
    window_open_since = now - PASSWORD_RESET_WINDOW
    with transaction.atomic():
        PasswordResetThrottle.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
        throttle, created = PasswordResetThrottle.objects.get_or_create(
            key=key, defaults={"window_start": now, "count": 1}
        )
        if created:
            return True
        restarted = PasswordResetThrottle.objects.filter(
            pk=throttle.pk, window_start__lte=window_open_since
        ).update(window_start=now, count=1)
        if restarted:
            return True
        counted = PasswordResetThrottle.objects.filter(
            pk=throttle.pk, count__lt=PASSWORD_RESETS_PER_WINDOW
        ).update(count=F("count") + 1)
    if not counted:
        logger.warning("password reset capped: address=%s", key[:12])
    return bool(counted)


@transaction.atomic
def member_role_change(*, membership: Membership, by: Membership, role: str) -> Membership:
    require_member(by, membership.workspace_id, Role.MANAGER)
    _check_can_grant(by, role)
    if membership.role == Role.OWNER and not by.has_role(Role.OWNER):
        raise PermissionDenied
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
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
    membership.delete()


def _ensure_another_owner(membership: Membership) -> None:
    others = Membership.objects.filter(
        workspace_id=membership.workspace_id, role=Role.OWNER
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(_("A workspace must keep at least one owner."))
