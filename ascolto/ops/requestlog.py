"""One log line per request, and a request id on every log line.

Each request gets an id (the proxy's `X-Request-ID` when it is a plain token, else a new one),
sent back in the `X-Request-ID` header and attached, with the workspace's id, to every line
logged while the request is answered. The request's own line names the route (the URL
pattern's name), never the path: paths carry the survey links' secret tokens. No line carries
personal data: ids only, no names, emails or texts.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ascolto.lib.logs import request_id_var, workspace_var
from ascolto.ops.metrics import REQUEST_SECONDS

logger = logging.getLogger("ascolto.request")

_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        id_token = request_id_var.set(request_id)
        workspace_token = workspace_var.set("-")
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            match = request.resolver_match
            route = (match.view_name if match else "") or "unresolved"
            REQUEST_SECONDS.labels(
                route=route, method=request.method, status=f"{response.status_code // 100}xx"
            ).observe(seconds)
            user = getattr(request, "user", None)
            logger.info(
                "%s %s %s %.1f ms",
                request.method,
                route,
                response.status_code,
                seconds * 1000,
                extra={
                    "route": route,
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            response["X-Request-ID"] = request_id
            return response
        finally:
            request_id_var.reset(id_token)
            workspace_var.reset(workspace_token)

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        # The workspace middleware has run by now.
        workspace = getattr(request, "workspace", None)
        if workspace is not None:
            workspace_var.set(str(workspace.pk))
