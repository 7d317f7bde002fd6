"""The client address of the request being served, for audit entries written deep in a service.

Services take no request, yet an entry records the address an action came from. The middleware
keeps the address (the app's one client-address helper, `workspaces.security.client_ip`, so
the same one the lockout counts) in a context variable for the duration of the request; outside
a request (commands, the worker) it is empty.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ascolto.workspaces.security import client_ip

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "audit_client_ip", default=None
)


def current_ip() -> str | None:
    return _client_ip.get()


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
