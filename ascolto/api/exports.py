"""Exports over the API: `/api/v1/exports/{table}` gives the tables the dashboards' pages
download (summary, trends, breakdowns, the customers not heard from) and the full lists of
customers and survey responses, as JSON pages or as a CSV streamed while it is read (or XLSX).

The same rules as the pages: bulk exports are for managers and owners (the dashboards'
`export_table` and `require_member` decide; an agent token gets 403), every export is written
in the audit log, only the token's workspace is read, and CSV cells go through the escaping
helper (`lib.exports`), so a name like `=HYPERLINK(...)` stays text."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from ascolto.api.base import ERRORS, member_of, workspace_of
from ascolto.audit.models import Action
from ascolto.audit.services import audit_record
from ascolto.customers.models import Customer
from ascolto.dashboards.forms import DashboardFilterForm
from ascolto.dashboards.tables import EXPORTS, Table, export_table
from ascolto.feedback.models import Response
from ascolto.lib.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_dialect_for,
    csv_lines,
    table_export,
)
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Role

router = Router(tags=["exports"])

LISTS = ("customers", "responses")
TABLES = tuple(EXPORTS) + LISTS
TableName = Literal[TABLES]  # type: ignore[valid-type]


class ExportQuery(Schema):
    format: Literal["json", "csv", "xlsx"] = "json"
    start: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    end: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    segment_id: int | None = Field(None, ge=1, le=2**62)
    days: Literal[30, 60, 90, 180, 365] | None = None
    csv: Literal["it", "en", ""] = Field(
        "",
        description="CSV dialect: it (semicolons, decimal commas) or en; default: the "
        "workspace's language.",
    )
    limit: int = Field(500, ge=1, le=5_000, description="JSON only: rows per page.")
    offset: int = Field(0, ge=0, le=10_000_000, description="JSON only.")


class ExportOut(Schema):
    table: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    offset: int
    next_offset: int | None = Field(None, description="Where the next page starts, if any.")


def _local(value):
    return None if value is None else timezone.localtime(value)


def _customers_table(workspace) -> Table:
    rows = (
        [
            c.pk,
            c.name,
            c.company,
            c.email,
            c.phone,
            c.get_kind_display(),
            c.get_status_display(),
            c.segment.name if c.segment else "",
            c.preferred_language,
            _local(c.created_at),
        ]
        for c in Customer.objects.filter(workspace=workspace)
        .select_related("segment")
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    headers = [
        _("Id"),
        _("Name"),
        _("Company"),
        _("Email"),
        _("Phone"),
        _("Kind"),
        _("Status"),
        _("Segment"),
        _("Language"),
        _("Created"),
    ]
    return Table(_("Customers"), headers, rows)


def _responses_table(workspace, start: date | None, end: date | None) -> Table:
    qs = Response.objects.filter(workspace=workspace).select_related("survey", "customer")
    if start:
        qs = qs.filter(submitted_at__date__gte=start)
    if end:
        qs = qs.filter(submitted_at__date__lte=end)
    rows = (
        [
            r.pk,
            _local(r.submitted_at),
            r.survey.name,
            r.kind,
            r.score,
            r.band,
            r.customer_id,
            r.customer.name if r.customer else "",
            r.language,
        ]
        for r in qs.order_by("submitted_at", "pk").iterator(chunk_size=2000)
    )
    headers = [
        _("Id"),
        _("Submitted"),
        _("Survey"),
        _("Kind"),
        _("Score"),
        _("Band"),
        _("Customer id"),
        _("Customer"),
        _("Language"),
    ]
    return Table(_("Survey responses"), headers, rows)


def _table(request: HttpRequest, name: str, query: ExportQuery) -> tuple[Table, str]:
    workspace, member = workspace_of(request), member_of(request)
    data = {
        k: v
        for k, v in {
            "start": query.start,
            "end": query.end,
            "segment": query.segment_id,
            "days": query.days,
        }.items()
        if v is not None
    }
    form = DashboardFilterForm(data or None, workspace=workspace)
    if form.is_bound and not form.is_valid():
        fields = {"segment": "segment_id"}
        raise ValidationError(
            {fields.get(k, k): [str(m) for m in v] for k, v in form.errors.items()}
        )
    filters = form.filters()
    if name in LISTS:
        require_member(member, workspace, Role.MANAGER)
        audit_record(action=Action.EXPORT, member=member, object_type="table", object_id=name)
        if name == "customers":
            table = _customers_table(workspace)
        else:
            table = _responses_table(workspace, query.start, query.end)
        return table, name
    table = export_table(name=name, workspace=workspace, by=member, filters=filters)
    return table, f"{name}-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}"


def _json_cell(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@router.get(
    "/exports/{table}",
    response={200: ExportOut, **ERRORS},
    summary="A table as the pages export it: JSON pages, or CSV streamed, or XLSX",
    openapi_extra={
        "responses": {
            "200": {
                "description": "JSON (`format=json`), CSV or XLSX",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ExportOut"}},
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export(request: HttpRequest, table: TableName, query: Query[ExportQuery]):  # type: ignore[valid-type]
    data, filename = _table(request, table, query)
    if query.format == "json":
        rows: Iterator[list[Any]] = iter(data.rows)
        page = list(itertools.islice(rows, query.offset, query.offset + query.limit + 1))
        more = len(page) > query.limit
        return {
            "table": table,
            "title": data.title,
            "headers": [str(h) for h in data.headers],
            "rows": [[_json_cell(c) for c in row] for row in page[: query.limit]],
            "offset": query.offset,
            "next_offset": query.offset + query.limit if more else None,
        }
    dialect = query.csv or csv_dialect_for(workspace_of(request).language)
    if query.format == "csv":
        headers = [str(h) for h in data.headers]
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in csv_lines(headers, data.rows, dialect=dialect)),
            content_type=CSV_CONTENT_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    return table_export(
        fmt="xlsx", filename=filename, headers=data.headers, rows=data.rows, title=data.title
    )
