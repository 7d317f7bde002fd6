"""What every router of the API shares: token authentication, the acting member, lookups by
id inside the token's workspace, pagination with bounded numbers, and the error schema."""

from typing import Any, TypeVar

from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthorizationError
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer

from ascolto.api.models import ApiToken
from ascolto.api.services.tokens import api_token_member
from ascolto.workspaces.models import Membership, Workspace

MAX_ID = 2**62
"""Ids above this are not ours: answered 404 before any query (SQLite refuses larger ones)."""

M = TypeVar("M", bound=models.Model)


class ErrorItem(Schema):
    field: str | None
    reason: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class TokenAuth(HttpBearer):
    """A workspace's API token (`Authorization: Bearer asc_...`). The middleware found and
    counted it; here the request learns its workspace and the member the token acts as."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token: ApiToken | None = getattr(request, "api_token", None)
        if api_token is None:
            return None
        if api_token.read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise AuthorizationError(403, _("This token may only read."))
        request.workspace = api_token.workspace  # type: ignore[attr-defined]
        request.member = api_token_member(api_token)  # type: ignore[attr-defined]
        return api_token


def workspace_of(request: HttpRequest) -> Workspace:
    return request.workspace  # type: ignore[attr-defined]


def member_of(request: HttpRequest) -> Membership:
    return request.member  # type: ignore[attr-defined]


def get_in_workspace(request: HttpRequest, model: type[M] | models.QuerySet[M], pk: Any) -> M:
    """The row `pk` of the token's workspace, or 404 (another workspace's id is 404 too)."""
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404
    queryset = model._default_manager.all() if isinstance(model, type) else model
    obj = queryset.filter(workspace=workspace_of(request), pk=pk).first()
    if obj is None:
        raise Http404
    return obj


class Pages(PaginationBase):
    """`limit` (1–500, default 50) and `offset`; the answer has `items` and `count`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10_000_000)

    class Output(Schema):
        items: list[Any]
        count: int

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        offset, limit = pagination.offset, pagination.limit
        return {"items": list(queryset[offset : offset + limit]), "count": queryset.count()}
