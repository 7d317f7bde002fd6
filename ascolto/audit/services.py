"""Writing the audit log: one function, `audit_record`, for every app above `workspaces`.

Each entry is also written as one line on the `ascolto.audit` logger, every value JSON-quoted,
so a name or username holding CR/LF or other control characters shows as `\\r\\n` inside its
quotes and can never start a line of its own.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from ascolto.audit.context import current_ip
from ascolto.audit.models import Action, AuditEntry
from ascolto.lib.text import clean_text
from ascolto.workspaces.models import Membership, Workspace

logger = logging.getLogger("ascolto.audit")


def mask_email(value: str | None) -> str:
    """`mario.rossi@example.it` → `m***@example.it`; a plain username keeps its first letter
    (`mario` → `m***`). Never the whole address: the log says who without repeating it."""
    value = clean_text((value or "").strip(), multiline=False)
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if at and local:
        return f"{local[0]}***@{domain[:100]}"
    return f"{value[0]}***"


def _who(user: Any) -> str:
    if user is None or isinstance(user, AnonymousUser):
        return ""
    return mask_email(getattr(user, "email", "") or user.get_username())


def _valid_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def _quoted(value: object) -> str:
    if value is None or value == "":
        return "-"
    return json.dumps(str(value), ensure_ascii=True)


def audit_record(
    *,
    action: str,
    workspace: Workspace | int | None = None,
    user: User | AnonymousUser | None = None,
    member: Membership | None = None,
    who: str | None = None,
    ip: str | None = None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: object = "",
    detail: str = "",
) -> AuditEntry:
    """Append one entry. The actor is `member` (its user) or `user`; `who` replaces the masked
    address when there is no account (a failed sign-in's typed name, masked here). The object
    is `target` (its model name and id) or `object_type`/`object_id`: never a name. The
    address defaults to the current request's client address."""
    action = Action(action).value
    if member is not None:
        user = member.user
        if workspace is None:
            workspace = member.workspace_id
    if isinstance(user, AnonymousUser):
        user = None
    if target is not None:
        object_type = target._meta.model_name or ""
        object_id = target.pk
    entry = AuditEntry(
        action=action,
        workspace_id=workspace.pk if isinstance(workspace, Workspace) else workspace,
        user=user,
        who=mask_email(who) if who is not None else _who(user),
        ip=_valid_ip(ip if ip is not None else current_ip()),
        object_type=clean_text(object_type, multiline=False)[:40],
        object_id=clean_text(str(object_id or ""), multiline=False)[:40],
        detail=clean_text(detail or "", multiline=False)[:300],
    )
    entry.save()
    logger.info(
        "audit at=%s action=%s workspace=%s user=%s who=%s ip=%s object=%s detail=%s",
        entry.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        entry.action,
        entry.workspace_id or "-",
        entry.user_id or "-",
        _quoted(entry.who),
        entry.ip or "-",
        _quoted(f"{entry.object_type}:{entry.object_id}" if entry.object_type else ""),
        _quoted(entry.detail),
    )
    return entry
