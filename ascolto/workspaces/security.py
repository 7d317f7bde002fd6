"""The client address that login throttling counts against."""

from __future__ import annotations

import ipaddress

from django.conf import settings
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
