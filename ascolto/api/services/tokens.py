"""API tokens: created and revoked by owners, looked up by their prefix, checked by hash.

A token reads `asc_<prefix>_<secret>`: the prefix (public, stored as is) finds the row, the
SHA-256 of the whole token is compared in constant time. The token itself is never stored or
logged; it is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.api.models import ApiToken
from ascolto.audit.models import Action
from ascolto.audit.services import audit_record
from ascolto.core.ratelimit import Limit, rate_limit_hit
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import ROLE_RANK, Membership, Role, Workspace

TOKEN_START = "asc_"  # noqa: S105 (the public start of every token, not a secret)


def token_hash_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str
    """The token to hand to the other system: shown once, never stored."""


@transaction.atomic
def api_token_create(
    *,
    workspace: Workspace,
    by: Membership,
    name: str,
    role: str = Role.AGENT,
    read_only: bool = False,
    expires_at: datetime | None = None,
) -> NewToken:
    """Make a token for `workspace` (owners only). It acts with `role`, and never with more
    than its maker has at the time of each request."""
    require_member(by, workspace, Role.OWNER)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        workspace=workspace,
        created_by=by,
        name=(name or "").strip(),
        role=role,
        read_only=read_only,
        prefix=prefix,
        token_hash=token_hash_of(raw),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit_record(
        action=Action.TOKEN_CREATED,
        member=by,
        target=token,
        detail=f"{role}, read only" if read_only else role,
    )
    return NewToken(token=token, raw=raw)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Membership) -> ApiToken:
    """Stop a token from working, at once (owners only). Revoking twice changes nothing."""
    require_member(by, token.workspace_id, Role.OWNER)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=Action.TOKEN_REVOKED, member=by, target=token)
    return token


def api_token_find(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The usable token `raw` is, or None (unknown, malformed, revoked, expired, or its maker
    no longer in the workspace)."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_START) or len(raw) > 200:
        return None
    prefix, _sep, secret = raw[len(TOKEN_START) :].partition("_")
    if not prefix or not secret:
        return None
    token = ApiToken.objects.select_related("workspace", "created_by").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.token_hash, token_hash_of(raw)):
        return None
    if not token.is_usable(now):
        return None
    return token


def api_token_member(token: ApiToken) -> Membership:
    """The member a token acts as: its maker, with the weaker of the token's role and the
    maker's role now. Services check it with `require_member` like any member; nothing saves
    it."""
    maker = token.created_by
    role = min(Role(token.role), Role(maker.role), key=lambda r: ROLE_RANK[r])
    acting = Membership(
        pk=maker.pk,
        workspace_id=token.workspace_id,
        user_id=maker.user_id,
        role=role,
        created_at=maker.created_at,
    )
    acting._state.adding = False
    acting._state.db = maker._state.db
    return acting


def api_token_limit(limit: int, window_seconds: int = 60) -> Limit:
    return Limit("api-token", limit, window_seconds)


def api_token_count_request(
    *, token: ApiToken, limit: int, window_seconds: int = 60, now: datetime | None = None
) -> int:
    """Count one request of the token in the shared rate limiter (`core.ratelimit`: the
    database, or Redis when configured, so every web process and server shares one budget per
    token) and note its use; return the seconds to wait when the window's `limit` is reached,
    else 0. A refused request is not counted."""
    now = now or timezone.now()
    decision = rate_limit_hit(api_token_limit(limit, window_seconds), str(token.pk), now=now)
    # The last use, written at most once a minute per token (not one write per request).
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(minutes=1))
    ).update(last_used_at=now)
    return 0 if decision.allowed else decision.retry_after
