"""NPS, CSAT and CES for a period, and NPS broken down: `/api/v1/metrics`. The numbers come from
the dashboard's own selectors, so they are the dashboard's numbers."""

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from ascolto.api.base import ERRORS, workspace_of
from ascolto.customers.models import Segment
from ascolto.dashboards import selectors as dashboard_selectors
from ascolto.lib.periods import MAX_DAYS, Period, default_period

router = Router(tags=["metrics"])


class MetricsQuery(Schema):
    start: date | None = Field(
        None,
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
        description="First day (default: the dashboard's).",
    )
    end: date | None = Field(
        None, ge=date(2000, 1, 1), le=date(2100, 12, 31), description="Last day, included."
    )
    segment_id: int | None = Field(None, ge=1, le=2**62)


class NpsOut(Schema):
    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    margin: float | None
    low_n: bool


class CsatOut(Schema):
    n: int
    satisfied: int
    csat: float | None
    margin: float | None
    low_n: bool


class CesOut(Schema):
    n: int
    mean: float | None
    margin: float | None
    low_n: bool


class ScoresOut(Schema):
    nps: NpsOut
    csat: CsatOut
    ces: CesOut


class MetricsOut(Schema):
    start: date
    end: date
    segment_id: int | None
    current: ScoresOut
    previous: ScoresOut = Field(..., description="The period of equal length just before.")


def _period(request: HttpRequest, query: MetricsQuery) -> tuple[Period, Segment | None]:
    workspace = workspace_of(request)
    fallback = default_period(workspace)
    end = query.end or fallback.end
    start = query.start or (
        fallback.start if query.end is None else date.fromordinal(max(1, end.toordinal() - 364))
    )
    if start > end:
        raise ValidationError({"start": _("The start date must be on or before the end date.")})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"start": _("Choose a period of at most ten years.")})
    if start.year < 2000:
        raise ValidationError({"start": _("Choose dates from the year 2000 on.")})
    segment = None
    if query.segment_id is not None:
        segment = Segment.objects.filter(workspace=workspace, pk=query.segment_id).first()
        if segment is None:
            raise ValidationError({"segment_id": _("No segment with this id.")})
    return Period(start, end), segment


def _scores(scores) -> dict:
    return {
        "nps": {**scores.nps.as_dict(), "low_n": scores.nps.low_n},
        "csat": {
            "n": scores.csat.n,
            "satisfied": scores.csat.satisfied,
            "csat": scores.csat.csat,
            "margin": scores.csat.margin,
            "low_n": scores.csat.low_n,
        },
        "ces": {
            "n": scores.ces.n,
            "mean": scores.ces.mean,
            "margin": scores.ces.margin,
            "low_n": scores.ces.low_n,
        },
    }


@router.get("/metrics", response={200: MetricsOut, **ERRORS})
def metrics(request: HttpRequest, query: Query[MetricsQuery]):
    period, segment = _period(request, query)
    comparison = dashboard_selectors.scores_compare(
        workspace=workspace_of(request), period=period, segment=segment
    )
    return {
        "start": period.start,
        "end": period.end,
        "segment_id": segment.pk if segment else None,
        "current": _scores(comparison.current),
        "previous": _scores(comparison.previous),
    }


class BreakdownQuery(MetricsQuery):
    by: Literal["segment", "touchpoint", "account_owner", "customer_kind", "survey"] = "segment"


class BreakdownRow(Schema):
    key: str
    label: str
    nps: NpsOut


class BreakdownOut(Schema):
    start: date
    end: date
    by: str
    rows: list[BreakdownRow]


@router.get("/metrics/breakdown", response={200: BreakdownOut, **ERRORS})
def metrics_breakdown(request: HttpRequest, query: Query[BreakdownQuery]):
    period, segment = _period(request, query)
    rows = dashboard_selectors.nps_breakdown(
        workspace=workspace_of(request), period=period, by=query.by, segment=segment
    )
    return {
        "start": period.start,
        "end": period.end,
        "by": query.by,
        "rows": [
            {
                "key": r.key,
                "label": str(r.label),
                "nps": {**r.result.as_dict(), "low_n": r.result.low_n},
            }
            for r in rows
        ],
    }


__all__ = ["router"]
