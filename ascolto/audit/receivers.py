"""What the audit log listens to: Django's and django-axes' sign-in signals (they belong to the
framework, not to an app of ours) and the hook lists of `workspaces`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import post_delete, pre_delete
from django.http import HttpRequest

from ascolto.audit.models import Action, AuditPurgePermit
from ascolto.audit.services import audit_record
from ascolto.workspaces import hooks as workspaces_hooks
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.security import client_ip


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


def _account(username: str) -> Any:
    """The one account a typed name means (username or email, without regard to case)."""
    if not username:
        return None
    user_model = get_user_model()
    matches = list(
        user_model._default_manager.filter(
            models.Q(username__iexact=username) | models.Q(email__iexact=username)
        )[:2]
    )
    return matches[0] if len(matches) == 1 else None


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=Action.LOGIN, user=user, ip=_ip(request))


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=Action.LOGOUT, user=user, ip=_ip(request))


def on_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "").strip()
    audit_record(action=Action.LOGIN_FAILED, user=_account(username), who=username, ip=_ip(request))


def on_locked_out(
    sender: Any,
    request: HttpRequest | None,
    username: str | None,
    ip_address: str | None,
    **kw: Any,
) -> None:
    username = (username or "").strip()
    audit_record(action=Action.LOCKOUT, user=_account(username), who=username, ip=ip_address)


def on_member_changed(
    *, action: str, workspace: Workspace, by: Membership | None, target: Any, detail: str
) -> None:
    user = by.user if by is not None else getattr(target, "user", None)
    audit_record(action=action, workspace=workspace, user=user, target=target, detail=detail)


def on_access_refused(*, request: HttpRequest, model: type[models.Model], pk: Any) -> None:
    audit_record(
        action=Action.ACCESS_REFUSED,
        workspace=getattr(request, "workspace", None),
        user=getattr(request, "user", None),
        ip=_ip(request),
        object_type=model._meta.model_name or "",
        object_id=pk,
    )


def on_two_factor_changed(*, action: str, user: Any) -> None:
    audit_record(action=action, user=user)


def on_workspace_pre_delete(sender: Any, instance: Workspace, **kwargs: Any) -> None:
    """A workspace being deleted takes its entries with it (the foreign key's cascade): the
    triggers let them go for this transaction (docs/audit.md)."""
    AuditPurgePermit.objects.create(workspace_id=instance.pk)


def on_workspace_post_delete(sender: Any, instance: Workspace, **kwargs: Any) -> None:
    AuditPurgePermit.objects.filter(workspace_id=instance.pk).delete()


def connect() -> None:
    pre_delete.connect(on_workspace_pre_delete, sender=Workspace, dispatch_uid="audit-ws-del")
    post_delete.connect(on_workspace_post_delete, sender=Workspace, dispatch_uid="audit-ws-del")
    from axes.signals import user_locked_out

    user_logged_in.connect(on_login, dispatch_uid="audit-login")
    user_logged_out.connect(on_logout, dispatch_uid="audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit-lockout")
    workspaces_hooks.member_changed.register(on_member_changed)
    workspaces_hooks.access_refused.register(on_access_refused)
    workspaces_hooks.two_factor_changed.register(on_two_factor_changed)
