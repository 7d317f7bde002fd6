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
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.workspaces.models import MemberInvitation, Membership, Role, Workspace

logger = logging.getLogger("ascolto.security")

INVITATION_VALID_DAYS = 7


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
    """Create a business with its owner and the default catalogues (touchpoints, reasons)."""
    from ascolto.customers.services import lost_reasons_install_defaults
    from ascolto.interactions.services import touchpoints_install_defaults

    workspace = Workspace(name=name, language=language, time_zone=time_zone, currency=currency)
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    touchpoints_install_defaults(workspace=workspace)
    lost_reasons_install_defaults(workspace=workspace)
    return workspace


@transaction.atomic
def workspace_update(*, workspace: Workspace, by: Membership, **fields: object) -> Workspace:
    if not by.has_role(Role.OWNER) or by.workspace_id != workspace.pk:
        raise PermissionDenied
    for key in ("name", "language", "time_zone", "currency"):
        if key in fields:
            setattr(workspace, key, fields[key])
    workspace.full_clean()
    workspace.save()
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
    if by.workspace_id != workspace.pk:
        raise PermissionDenied
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
    link = settings.SITE_URL + reverse("workspaces:invitation-accept", args=[token])
    context = {"invitation": invitation, "link": link, "workspace": invitation.workspace}
    with translation.override(invitation.workspace.language):
        subject = render_to_string("emails/member_invitation_subject.txt", context).strip()
        body = render_to_string("emails/member_invitation_body.txt", context)
        html = render_to_string("emails/member_invitation_body.html", context)
    message = EmailMultiAlternatives(subject, body, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()


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
    claimed = MemberInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    if not claimed:
        raise ValidationError(_("This invitation has already been used."))
    membership, _created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    return membership


@transaction.atomic
def user_create_for_invitation(
    *, invitation: MemberInvitation, first_name: str, last_name: str, password: str
):
    user_model = get_user_model()
    user = user_model(
        username=invitation.email,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def member_role_change(*, membership: Membership, by: Membership, role: str) -> Membership:
    if membership.workspace_id != by.workspace_id:
        raise PermissionDenied
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
    if membership.workspace_id != by.workspace_id:
        raise PermissionDenied
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
