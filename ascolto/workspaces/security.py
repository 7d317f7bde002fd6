"""Who a login attempt is: the client address and the username that throttling counts against,
and the password check that matches a username or email without regard to case."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The socket's address; behind a trusted reverse proxy (ASCOLTO_BEHIND_PROXY) the last
    X-Forwarded-For entry instead, the one the proxy appended itself. Entries further left come
    from the client and are never believed, so rotating them does not escape a lockout."""
    remote = request.META.get("REMOTE_ADDR")
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-1]))
    except ValueError:
        return remote


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The name a login attempt is counted against, as the login matches it: trimmed and in
    lower case, so `Alice@Example.com` and `alice@example.com` share one lockout counter."""
    if credentials:
        value = credentials.get("username", "")
    else:
        value = request.POST.get("username", "") if request is not None else ""
    return (value or "").strip().lower()


class CaseInsensitiveModelBackend(ModelBackend):
    """Django's password check, with the username or email matched without regard to case
    (people type their address as it comes: `Mario.Rossi@Example.it`). When several accounts
    match, only an exact username counts, so no one signs in to an account by accident."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = username.strip()
        candidates = list(
            user_model._default_manager.filter(
                Q(**{f"{user_model.USERNAME_FIELD}__iexact": username})
                | Q(**{f"{user_model.get_email_field_name()}__iexact": username})
            )[:5]
        )
        exact = [u for u in candidates if u.get_username() == username]
        user = exact[0] if exact else (candidates[0] if len(candidates) == 1 else None)
        if user is None:
            user_model().set_password(password)  # the same time as a wrong password
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
