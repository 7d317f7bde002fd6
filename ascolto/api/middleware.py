"""What every request to the API goes through before its endpoint: the body size limit (413),
the token and its rate limit (429 with Retry-After, counted in the shared rate limiter), and the
remembered answers of writes sent with an `Idempotency-Key`."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ascolto.api.errors import error_response
from ascolto.api.parser import nul_paths
from ascolto.api.services.idempotency import (
    idempotency_claim,
    idempotency_store,
    request_fingerprint,
)
from ascolto.api.services.tokens import api_token_count_request, api_token_find

API_PREFIX = "/api/v1/"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _bearer(request: HttpRequest) -> str:
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else ""


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= 200 and all(33 <= ord(c) <= 126 for c in key)


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limit = settings.API_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return self._too_large(limit)
        request.api_token = None  # type: ignore[attr-defined]
        raw = _bearer(request)
        token = api_token_find(raw) if raw else None
        if token is not None:
            wait = api_token_count_request(token=token, limit=settings.API_RATE_PER_MINUTE)
            if wait:
                response = error_response(
                    429, _("Too many requests with this token: wait and try again.")
                )
                response["Retry-After"] = str(wait)
                return response
            request.api_token = token  # type: ignore[attr-defined]
        if request.method in WRITES:
            problem = self._body_problem(request, limit)
            if problem is not None:
                return problem
        key = request.headers.get("Idempotency-Key")
        if key is None or token is None or request.method not in WRITES:
            return self.get_response(request)
        if not _valid_key(key):
            return error_response(
                400,
                _("The request has errors."),
                [("Idempotency-Key", _("Use 1 to 200 visible characters, without spaces."))],
            )
        body = request.body
        fingerprint = request_fingerprint(request.method or "", request.get_full_path(), body)
        with transaction.atomic():
            record, new = idempotency_claim(token=token, key=key, fingerprint=fingerprint)
            if not new:
                if record.fingerprint != fingerprint:
                    return error_response(
                        422,
                        _("The request has errors."),
                        [
                            (
                                "Idempotency-Key",
                                _("This key was already used for a different request."),
                            )
                        ],
                    )
                replay = HttpResponse(
                    bytes(record.body), status=record.status_code, content_type=record.content_type
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = self.get_response(request)
            if response.status_code >= 500 or response.streaming:
                transaction.set_rollback(True)
                return response
            idempotency_store(
                record=record,
                status_code=response.status_code,
                body=response.content,
                content_type=response.get("Content-Type", "application/json"),
            )
            return response

    def _body_problem(self, request: HttpRequest, limit: int) -> HttpResponse | None:
        """413 for a body over the limit (also one sent without a length), 400 for a JSON body
        that does not parse, 422 naming each field whose text holds a NUL character."""
        body = request.body
        if len(body) > limit:
            return self._too_large(limit)
        if not body or "json" not in request.content_type:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return error_response(
                400, _("The body is not valid JSON."), [(None, _("The body is not valid JSON."))]
            )
        paths = nul_paths(data, ())
        if not paths:
            return None
        reason = _("Null characters are not allowed.")
        return error_response(
            422,
            _("The request has errors."),
            [(".".join(str(p) for p in path) or None, reason) for path in paths[:20]],
        )

    @staticmethod
    def _too_large(limit: int) -> HttpResponse:
        return error_response(
            413,
            _("The request is too large: send at most %(size)s bytes at a time.") % {"size": limit},
        )
