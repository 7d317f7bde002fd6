"""The one shape of every refusal the API sends: 4xx with a JSON body naming what was wrong.

    {"detail": "The request has errors.", "errors": [{"field": "email", "reason": "..."}]}

`field` is the name in the request (a body field, a query parameter, a header such as
`Idempotency-Key`), or null when the whole request is refused.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import JsonResponse


def error_response(
    status: int, detail: str, errors: Iterable[tuple[str | None, str]] = ()
) -> JsonResponse:
    return JsonResponse(
        {
            "detail": str(detail),
            "errors": [{"field": field, "reason": str(reason)} for field, reason in errors],
        },
        status=status,
    )


def errors_of(exc: Exception) -> tuple[int, list[dict[str, str | None]]]:
    """The status and the field errors an exception from a service stands for. Anything not
    listed here is a fault of ours and is raised again."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404
    from django.utils.translation import gettext as _

    from ascolto.lib.updates import UnknownFields

    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            items = [
                {"field": None if field == "__all__" else field, "reason": str(message)}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            items = [{"field": None, "reason": str(message)} for message in exc.messages]
        return 422, items
    if isinstance(exc, PermissionDenied):
        return 403, [{"field": None, "reason": _("This token's role may not do this.")}]
    if isinstance(exc, Http404):
        return 404, [{"field": None, "reason": _("Not found.")}]
    if isinstance(exc, UnknownFields):
        return 400, [{"field": None, "reason": str(exc)}]
    raise exc
