"""The REST API at /api/v1/: django-ninja, its OpenAPI schema at /api/v1/openapi.json and the
interactive docs at /api/v1/docs, served from the package's own files (no CDN).

Every endpoint calls the same services and selectors as the pages, with the member the token
acts as, so the services' own checks (`require_member`) apply unchanged. See docs/api.md."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from ascolto.api import cases, customers, feedback, interactions, metrics, reviews
from ascolto.api.base import TokenAuth
from ascolto.api.errors import error_response, errors_of
from ascolto.api.parser import ApiParser
from ascolto.cases.services import CaseRefused
from ascolto.customers.services import StatusChangeRefused
from ascolto.lib.updates import UnknownFields

logger = logging.getLogger("ascolto.api")

api = NinjaAPI(
    title="Ascolto API",
    version="1",
    description=(
        "Connect your management software, e-commerce, helpdesk or invoicing to Ascolto. "
        "Authenticate with a workspace token: `Authorization: Bearer asc_...`. "
        "Errors answer 4xx with `{detail, errors: [{field, reason}]}`."
    ),
    auth=TokenAuth(),
    parser=ApiParser(),
    urls_namespace="api-v1",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("", customers.router)
api.add_router("", interactions.router)
api.add_router("", feedback.router)
api.add_router("", metrics.router)
api.add_router("", cases.router)
api.add_router("", reviews.router)


def _schema_field(loc: list) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "data")]
    # The schema's own names ("filters", "data") are not the client's.
    parts = [p for p in parts if p not in ("filters", "pagination")]
    return ".".join(parts) or None


@api.exception_handler(SchemaError)
def _schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    errors = [(_schema_field(list(e.get("loc", []))), e.get("msg", "")) for e in exc.errors]
    return error_response(422, _("The request has errors."), errors)


@api.exception_handler(ValidationError)
@api.exception_handler(PermissionDenied)
@api.exception_handler(UnknownFields)
@api.exception_handler(CaseRefused)
@api.exception_handler(StatusChangeRefused)
def _service_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    status, items = errors_of(exc)
    detail = _("The request has errors.") if status == 422 else items[0]["reason"]
    return error_response(status, str(detail), [(i["field"], i["reason"] or "") for i in items])


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, _("Not found."))


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = error_response(401, _("Send a valid workspace token: Authorization: Bearer asc_..."))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(exc.status_code, str(exc))
