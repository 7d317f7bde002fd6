"""Reads for the dashboards: NPS, CSAT, CES, response rate and coverage.

Every figure is computed by the database with conditional aggregates (`Count(..., filter=Q())`),
never by looping over rows in Python; Python only turns a handful of counts into percentages
and margins of error (DESIGN.md, "Definitions").

Which rows count:
- NPS: the main score of responses to surveys of kind NPS (0–10); promoters 9–10, passives 7–8,
  detractors 0–6. CSAT: share of 4–5 on CSAT surveys (1–5). CES: mean of CES surveys (1–7).
- A response belongs to the period of its `submitted_at`, in the workspace's time zone.
- Months and quarters are cut at midnight in the workspace's time zone. The buckets are computed
  in Python as exact instants and the database sorts rows into them with one `CASE`, which is
  DST-safe and equally fast on SQLite (where `TruncMonth(tzinfo=...)` calls back into Python for
  every row) and PostgreSQL.
- Scores and invitations are counted from two small tables kept by database triggers
  (`DailyScore`, `DailyInvitations`: counts per UTC day), which hold whole UTC days; the hours
  of a period or month that fall on a UTC day cut by one of its boundaries are read from the
  rows themselves, in the same query (`_split`). With a segment filter the same is read from
  the per-segment daily counts (`DailySegmentScore`, `DailySegmentInvitations`: each row counted
  in the segment its customer is in now, moved by a trigger when the customer changes segment),
  and the edge hours from the segment's customers' rows (`_of_segment`). With a survey filter
  the rows are read directly. See docs/dashboards.md.
- "Heard from" (coverage): an active customer who, in the last N days, answered a survey or has
  an interaction on the timeline. The timeline does not record who started an interaction, so
  every interaction counts as contact. Coverage and the silent customers are read from
  `LastHeard` (one row per customer with its latest contact and copies of its status and
  segment, kept by triggers): coverage is one range of its `(workspace, status, at)` index, or of
  `(workspace, segment, status, at)` with a segment; a segment's silent customers, when few, are
  collected from that index first and then sorted by name (`silent_customers`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Lookup,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ascolto.customers.models import Customer, Segment
from ascolto.dashboards.models import (
    DailyInvitations,
    DailyScore,
    DailySegmentInvitations,
    DailySegmentScore,
    LastHeard,
)
from ascolto.feedback.models import Answer, Invitation, Question, Response, Survey
from ascolto.interactions.models import Interaction
from ascolto.lib.periods import (
    Period,
    period_buckets,
    workspace_zone,
)
from ascolto.workspaces.models import Workspace

LOW_N = 30
"""Below this many answers an NPS is shown greyed and flagged "low n"."""
Z95 = 1.96

BREAKDOWNS: dict[str, Any] = {
    "segment": gettext_lazy("Segment"),
    "touchpoint": gettext_lazy("Touchpoint"),
    "account_owner": gettext_lazy("Account owner"),
    "customer_kind": gettext_lazy("Customer kind"),
    "survey": gettext_lazy("Survey"),
}


# --- Results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NpsResult:
    """Counts and NPS of a set of answers; `nps` and `margin` in points (−100…100), None
    without answers. The margin is the 95% one: 1.96·sqrt((p + d − (p − d)²)/n)."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    margin: float | None

    @classmethod
    def from_counts(cls, promoters: int, passives: int, detractors: int) -> NpsResult:
        promoters, passives, detractors = (
            int(promoters or 0),
            int(passives or 0),
            int(detractors or 0),
        )
        n = promoters + passives + detractors
        if n == 0:
            return cls(0, 0, 0, 0, None, None)
        p, d = promoters / n, detractors / n
        if n < 2:  # one answer says nothing about the spread: no margin, not "±0"
            return cls(n, promoters, passives, detractors, (p - d) * 100, None)
        variance = max(0.0, p + d - (p - d) ** 2)
        return cls(
            n, promoters, passives, detractors, (p - d) * 100, Z95 * math.sqrt(variance / n) * 100
        )

    @property
    def low_n(self) -> bool:
        return self.n < LOW_N

    @property
    def standard_error(self) -> float | None:
        return None if self.margin is None else self.margin / Z95

    def share(self, count: int) -> float | None:
        return None if not self.n else count / self.n * 100

    @property
    def promoters_pct(self) -> float | None:
        return self.share(self.promoters)

    @property
    def passives_pct(self) -> float | None:
        return self.share(self.passives)

    @property
    def detractors_pct(self) -> float | None:
        return self.share(self.detractors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "nps": self.nps,
            "margin": self.margin,
        }


@dataclass(frozen=True)
class CsatResult:
    """Share of satisfied answers (4–5 on 1–5), in percent, with its 95% margin."""

    n: int
    satisfied: int
    csat: float | None
    margin: float | None

    @classmethod
    def from_counts(cls, n: int, satisfied: int) -> CsatResult:
        n, satisfied = int(n or 0), int(satisfied or 0)
        if n == 0:
            return cls(0, 0, None, None)
        p = satisfied / n
        if n < 2:  # one answer says nothing about the spread: no margin, not "±0"
            return cls(n, satisfied, p * 100, None)
        return cls(n, satisfied, p * 100, Z95 * math.sqrt(p * (1 - p) / n) * 100)

    @property
    def low_n(self) -> bool:
        return self.n < LOW_N

    @property
    def standard_error(self) -> float | None:
        return None if self.margin is None else self.margin / Z95


@dataclass(frozen=True)
class CesResult:
    """Mean effort (1–7) with its 95% margin (None below two answers)."""

    n: int
    mean: float | None
    margin: float | None

    @classmethod
    def from_sums(cls, n: int, total: int, total_squares: int) -> CesResult:
        n, total, total_squares = int(n or 0), int(total or 0), int(total_squares or 0)
        if n == 0:
            return cls(0, None, None)
        mean = total / n
        if n < 2:
            return cls(n, mean, None)
        variance = max(0.0, (total_squares - n * mean * mean) / (n - 1))
        return cls(n, mean, Z95 * math.sqrt(variance / n))

    @property
    def low_n(self) -> bool:
        return self.n < LOW_N

    @property
    def standard_error(self) -> float | None:
        return None if self.margin is None else self.margin / Z95


@dataclass(frozen=True)
class Change:
    """Current minus previous, and whether the difference is larger than the noise: it exceeds
    1.96·sqrt(se₁² + se₂²), the 95% margin of the difference of two independent estimates."""

    delta: float
    noise: float
    significant: bool

    @classmethod
    def between(cls, current: Any, previous: Any, value: str) -> Change | None:
        now, before = getattr(current, value), getattr(previous, value)
        se1, se2 = current.standard_error, previous.standard_error
        if now is None or before is None or se1 is None or se2 is None:
            return None
        delta = now - before
        noise = Z95 * math.sqrt(se1 * se1 + se2 * se2)
        return cls(delta, noise, abs(delta) > noise)


# --- Query building blocks -----------------------------------------------------------------------
# `Response.kind` is the survey's kind, copied when the response is stored.
NPS_Q = Q(kind=Survey.Kind.NPS, score__isnull=False)
CSAT_Q = Q(kind=Survey.Kind.CSAT, score__isnull=False)
CES_Q = Q(kind=Survey.Kind.CES, score__isnull=False)
SCORED_KINDS = (Survey.Kind.NPS, Survey.Kind.CSAT, Survey.Kind.CES)


def _responses(
    workspace: Workspace,
    start: datetime,
    end: datetime,
    segment: Segment | None = None,
    survey: Survey | None = None,
) -> QuerySet[Response]:
    if segment is not None:
        qs = _of_segment(Response.objects.all(), workspace, segment)
    else:
        qs = Response.objects.filter(workspace=workspace)
    qs = qs.filter(submitted_at__gte=start, submitted_at__lt=end).order_by()
    if survey is not None:
        qs = qs.filter(survey=survey)
    return qs


def _of_segment(qs: QuerySet, workspace: Workspace, segment: Segment) -> QuerySet:
    """Rows (responses or invitations) of the segment's customers, read through the rows'
    `(customer, time)` index, one customer after the other: a segment is a share of the
    customers, so this touches only its own rows. `workspace_id + 0` keeps the workspace
    check while hiding the `(workspace, time)` indexes from the planner: SQLite, which has no
    statistics, would otherwise walk every row of the workspace in the period and look up
    each one's customer (17 s instead of a fraction of a second on 100,000 customers). Given
    the `_windows_q` ranges of a few hours, both databases read those ranges instead and check
    each row's customer against the segment's."""
    customers = Customer.objects.filter(workspace=workspace, segment=segment).values("pk")
    return qs.alias(_workspace=F("workspace_id") + 0).filter(
        _workspace=workspace.pk, customer_id__in=customers
    )


def _nps_aggregates(prefix: str = "", window: Q | None = None) -> dict[str, Count]:
    w = window if window is not None else Q()
    return {
        f"{prefix}promoters": Count("pk", filter=w & NPS_Q & Q(score__gte=9)),
        f"{prefix}passives": Count("pk", filter=w & NPS_Q & Q(score__gte=7, score__lte=8)),
        f"{prefix}detractors": Count("pk", filter=w & NPS_Q & Q(score__lte=6)),
    }


def _nps_of(row: dict[str, Any], prefix: str = "") -> NpsResult:
    return NpsResult.from_counts(
        row[f"{prefix}promoters"], row[f"{prefix}passives"], row[f"{prefix}detractors"]
    )


# --- Counting over time -----------------------------------------------------------------------
@dataclass(frozen=True)
class _Split:
    """How a span [bounds[0], bounds[-1]) is read: whole UTC days [first_day, last_day) minus
    `cut_days` from the daily counts, and `windows` (instants) from the rows themselves."""

    first_day: date
    last_day: date
    cut_days: tuple[date, ...]
    windows: tuple[tuple[datetime, datetime], ...]


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _split(bounds: Sequence[datetime]) -> _Split:
    """Whole UTC days inside the span that no inner boundary cuts come from the daily counts;
    the rest (the edges, and every UTC day an inner boundary falls in) from the rows."""
    utc = [b.astimezone(UTC) for b in bounds]
    lo, hi = utc[0], utc[-1]

    def ceil(b: datetime) -> date:
        return b.date() if b == _utc_midnight(b.date()) else b.date() + timedelta(days=1)

    first, last = ceil(lo), hi.date()
    cut = sorted({b.date() for b in utc[1:-1] if b != _utc_midnight(b.date())})
    pieces = [(lo, _utc_midnight(first)), (_utc_midnight(last), hi)]
    pieces += [(_utc_midnight(d), _utc_midnight(d + timedelta(days=1))) for d in cut]
    windows: list[tuple[datetime, datetime]] = []
    for a, b in sorted((max(a, lo), min(b, hi)) for a, b in pieces):
        if a >= b:
            continue
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    return _Split(first, last, tuple(d for d in cut if first <= d < last), tuple(windows))


def _bucket_of(column: str, ends: Iterable[Any]) -> Case:
    """The index of the first end the column is below (the last bucket otherwise)."""
    ends = list(ends)
    return Case(
        *[When(**{f"{column}__lt": e}, then=Value(i)) for i, e in enumerate(ends[:-1])],
        default=Value(len(ends) - 1),
        output_field=IntegerField(),
    )


def _windows_q(
    workspace: Workspace, column: str, windows: Iterable[tuple[datetime, datetime]]
) -> Q:
    """Rows of the workspace in any of the windows: each term a range of the (workspace, time)
    index, so both databases read only those ranges. With `_of_segment` too: the windows are a
    few hours, so their ranges hold few rows, each checked against the segment's customers
    (without the workspace in each term SQLite scanned every row, 180 ms on 200,000 invitations;
    with it 2 ms)."""
    q = Q(pk__in=[])
    for a, b in windows:
        q |= Q(workspace=workspace, **{f"{column}__gte": a, f"{column}__lt": b})
    return q


def _edges_and_daily(
    workspace: Workspace,
    segment: Segment | None,
    model: type[Model],
    column: str,
    split: _Split,
    daily: type[Model],
    daily_by_segment: type[Model],
) -> tuple[QuerySet, QuerySet]:
    """The rows of the split's edge windows and the daily counts of the workspace, or of the
    segment's customers when a segment is given."""
    edges = model._default_manager.filter(_windows_q(workspace, column, split.windows))
    if segment is None:
        return edges, daily._default_manager.filter(workspace=workspace)
    return (
        _of_segment(edges, workspace, segment),
        daily_by_segment._default_manager.filter(workspace=workspace, segment_id=segment.pk),
    )


ScoreCounts = dict[int, dict[str, Counter]]
"""bucket index -> kind -> score -> number of answers."""


def _score_counts(
    workspace: Workspace,
    bounds: Sequence[datetime],
    segment: Segment | None = None,
    survey: Survey | None = None,
    kinds: Sequence[str] = SCORED_KINDS,
) -> ScoreCounts:
    """How many answers gave each score, per kind, in each bucket [bounds[i], bounds[i + 1]):
    one grouped query, whatever the number of buckets."""
    start, end = bounds[0], bounds[-1]
    inner = bounds[1:]
    scored = Q(kind__in=kinds, score__isnull=False)
    bucket = _bucket_of("submitted_at", inner)
    if survey is None:
        split = _split(bounds)
        rows, daily_rows = _edges_and_daily(
            workspace, segment, Response, "submitted_at", split, DailyScore, DailySegmentScore
        )
        raw = rows.filter(scored).annotate(bucket=bucket)
        daily = (
            daily_rows.filter(
                kind__in=kinds,
                day__gte=split.first_day,
                day__lt=split.last_day,
                n__gt=0,
            )
            .exclude(day__in=split.cut_days)
            .annotate(bucket=_bucket_of("day", [_ceil_day(b) for b in inner]))
            .values("kind", "bucket", "score")
            .annotate(total=Sum("n"))
            .order_by()
        )
        grouped = daily.union(
            raw.values("kind", "bucket", "score").annotate(total=Count("pk")).order_by(), all=True
        )
    else:
        raw = _responses(workspace, start, end, segment, survey).filter(scored)
        grouped = (
            raw.annotate(bucket=bucket)
            .values("kind", "bucket", "score")
            .annotate(total=Count("pk"))
            .order_by()
        )
    counts: ScoreCounts = defaultdict(lambda: defaultdict(Counter))
    for row in grouped:
        counts[row["bucket"]][row["kind"]][row["score"]] += row["total"]
    return counts


def _ceil_day(instant: datetime) -> date:
    """The first UTC day that starts at or after `instant`."""
    utc = instant.astimezone(UTC)
    return utc.date() if utc == _utc_midnight(utc.date()) else utc.date() + timedelta(days=1)


def _merge(counts: ScoreCounts, buckets: Iterable[int]) -> dict[str, Counter]:
    merged: dict[str, Counter] = defaultdict(Counter)
    for bucket in buckets:
        for kind, scores in counts.get(bucket, {}).items():
            merged[kind].update(scores)
    return merged


def _nps_from(scores: Counter) -> NpsResult:
    return NpsResult.from_counts(
        sum(n for s, n in scores.items() if s >= 9),
        sum(n for s, n in scores.items() if 7 <= s <= 8),
        sum(n for s, n in scores.items() if s <= 6),
    )


def _scores_from(by_kind: dict[str, Counter]) -> Scores:
    csat, ces = by_kind.get(Survey.Kind.CSAT, Counter()), by_kind.get(Survey.Kind.CES, Counter())
    return Scores(
        nps=_nps_from(by_kind.get(Survey.Kind.NPS, Counter())),
        csat=CsatResult.from_counts(sum(csat.values()), sum(n for s, n in csat.items() if s >= 4)),
        ces=CesResult.from_sums(
            sum(ces.values()),
            sum(s * n for s, n in ces.items()),
            sum(s * s * n for s, n in ces.items()),
        ),
    )


# --- NPS -----------------------------------------------------------------------------------------
def nps_for_period(
    *,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    segment: Segment | None = None,
    survey: Survey | None = None,
) -> NpsResult:
    """NPS of the answers submitted in [start, end), in one query."""
    counts = _score_counts(workspace, [start, end], segment, survey, kinds=[Survey.Kind.NPS])
    return _nps_from(_merge(counts, [0])[Survey.Kind.NPS])


@dataclass(frozen=True)
class NpsRow:
    key: str
    label: str
    result: NpsResult


def nps_by_period(
    *,
    workspace: Workspace,
    period: Period,
    grain: str = "month",
    segment: Segment | None = None,
    survey: Survey | None = None,
) -> list[NpsRow]:
    """NPS per month or quarter of `period` (every bucket, empty ones included), one query."""
    buckets = period_buckets(period, workspace_zone(workspace), grain)
    bounds = [buckets[0].start, *(b.end for b in buckets)]
    counts = _score_counts(workspace, bounds, segment, survey, kinds=[Survey.Kind.NPS])
    return [
        NpsRow(b.key, b.label, _nps_from(_merge(counts, [i])[Survey.Kind.NPS]))
        for i, b in enumerate(buckets)
    ]


def _account_owner_name(row: dict[str, Any]) -> str:
    name = f"{row.get('first') or ''} {row.get('last') or ''}".strip()
    return name or row.get("email") or ""


def nps_breakdown(
    *,
    workspace: Workspace,
    period: Period,
    by: str,
    segment: Segment | None = None,
) -> list[NpsRow]:
    """NPS per segment, touchpoint, account owner, customer kind or survey, biggest first.

    A response's touchpoint is the one its survey's main question rates (a survey "about" the
    repair or the delivery); the other surveys ask about the whole relationship and are
    grouped under that label, not as "none"."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    start, end = period.bounds(workspace_zone(workspace))
    qs = _responses(workspace, start, end, segment).filter(NPS_Q)
    names: dict[str, Any]
    if by == "segment":
        names = {"key": F("customer__segment_id"), "name": F("customer__segment__name")}
    elif by == "touchpoint":
        main = Question.objects.filter(survey=OuterRef("survey_id"), role=Question.Role.MAIN)
        qs = qs.annotate(
            key=Subquery(main.values("touchpoint_id")[:1]),
        )
        names = {}
    elif by == "account_owner":
        names = {
            "key": F("customer__account_owner_id"),
            "first": F("customer__account_owner__user__first_name"),
            "last": F("customer__account_owner__user__last_name"),
            "email": F("customer__account_owner__user__email"),
        }
    elif by == "customer_kind":
        names = {"key": F("customer__kind")}
    else:
        names = {"key": F("survey_id"), "name": F("survey__name")}
    if names:
        qs = qs.annotate(**names)
    fields = ["key", *[k for k in names if k != "key"]]
    rows = list(qs.values(*fields).annotate(**_nps_aggregates()).order_by())
    labels = _breakdown_labels(workspace, by, rows)
    result = [NpsRow(str(row["key"] or ""), labels(row), _nps_of(row)) for row in rows]
    result.sort(key=lambda r: (-r.result.n, r.label))
    return result


def _breakdown_labels(workspace: Workspace, by: str, rows: list[dict[str, Any]]):
    if by == "segment":
        return lambda row: row["name"] or _("No segment")
    if by == "account_owner":
        return lambda row: _account_owner_name(row) or _("No account owner")
    if by == "customer_kind":
        kinds = dict(Customer.Kind.choices)
        return lambda row: str(kinds.get(row["key"], _("Anonymous (open link)")))
    if by == "survey":
        return lambda row: row["name"]
    from ascolto.interactions.models import Touchpoint

    ids = [row["key"] for row in rows if row["key"]]
    touchpoints = {
        t.pk: t.label for t in Touchpoint.objects.filter(workspace=workspace, pk__in=ids)
    }
    return lambda row: touchpoints.get(row["key"]) or _("The whole relationship (no touchpoint)")


# --- Overview ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scores:
    nps: NpsResult
    csat: CsatResult
    ces: CesResult


@dataclass(frozen=True)
class ScoresComparison:
    current: Scores
    previous: Scores
    nps_change: Change | None
    csat_change: Change | None
    ces_change: Change | None


def _comparison(current: Scores, previous: Scores) -> ScoresComparison:
    return ScoresComparison(
        current=current,
        previous=previous,
        nps_change=Change.between(current.nps, previous.nps, "nps"),
        csat_change=Change.between(current.csat, previous.csat, "csat"),
        ces_change=Change.between(current.ces, previous.ces, "mean"),
    )


def scores_compare(
    *,
    workspace: Workspace,
    period: Period,
    segment: Segment | None = None,
    previous: Period | None = None,
) -> ScoresComparison:
    """NPS, CSAT and CES of `period` and of the period compared with (by default the previous
    one of equal length), with the changes: one query over both periods."""
    tz = workspace_zone(workspace)
    start, end = period.bounds(tz)
    previous = previous or period.previous()
    if previous.end >= period.start:
        previous = period.previous()
    prev_start, prev_end = previous.bounds(tz)
    gap = [prev_end] if prev_end < start else []
    counts = _score_counts(workspace, [prev_start, *gap, start, end], segment)
    return _comparison(
        _scores_from(_merge(counts, [1 + len(gap)])), _scores_from(_merge(counts, [0]))
    )


def scores_and_trend(
    *,
    workspace: Workspace,
    period: Period,
    segment: Segment | None = None,
    previous: Period | None = None,
) -> tuple[ScoresComparison, list[NpsRow]]:
    """`scores_compare()` and the monthly `nps_by_period()` of the same period, from one query:
    the previous period is one bucket, each month of the period another. `previous` (by default
    the span just before) must end before `period` starts; the days between the two, if any,
    are a bucket of their own that is not read."""
    tz = workspace_zone(workspace)
    months = period_buckets(period, tz, "month")
    previous = previous or period.previous()
    if previous.end >= period.start:
        previous = period.previous()
    prev_start, prev_end = previous.bounds(tz)
    gap = [prev_end] if prev_end < months[0].start else []
    bounds = [prev_start, *gap, months[0].start, *(m.end for m in months)]
    counts = _score_counts(workspace, bounds, segment)
    first = 1 + len(gap)
    current = range(first, first + len(months))
    comparison = _comparison(
        _scores_from(_merge(counts, current)), _scores_from(_merge(counts, [0]))
    )
    trend = [
        NpsRow(m.key, m.label, _nps_from(_merge(counts, [i])[Survey.Kind.NPS]))
        for i, m in enumerate(months, start=first)
    ]
    return comparison, trend


@dataclass(frozen=True)
class ResponseRate:
    invited: int
    opened: int
    answered: int

    def _pct(self, count: int) -> float | None:
        return count / self.invited * 100 if self.invited else None

    @property
    def opened_pct(self) -> float | None:
        return self._pct(self.opened)

    @property
    def answered_pct(self) -> float | None:
        return self._pct(self.answered)


def response_rate(
    *, workspace: Workspace, period: Period, segment: Segment | None = None
) -> ResponseRate:
    """Invitations created in the period, and how many of them were opened and answered: one
    query (the daily counts, per segment with a segment, and the edge hours)."""
    start, end = period.bounds(workspace_zone(workspace))
    counts = {
        "invited": Count("pk"),
        "opened": Count("pk", filter=Q(opened_at__isnull=False) | Q(answered_at__isnull=False)),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
    }
    split = _split([start, end])
    edges, daily_rows = _edges_and_daily(
        workspace,
        segment,
        Invitation,
        "created_at",
        split,
        DailyInvitations,
        DailySegmentInvitations,
    )
    edges = edges.order_by().values("workspace")
    daily = (
        daily_rows.filter(day__gte=split.first_day, day__lt=split.last_day)
        .order_by()
        .values("workspace")
    )
    rows = daily.annotate(
        invited=Sum("invited"), opened=Sum("opened"), answered=Sum("answered")
    ).union(edges.annotate(**counts), all=True)
    total: Counter[str] = Counter()
    for row in rows:
        total.update({k: row[k] or 0 for k in ("invited", "opened", "answered")})
    return ResponseRate(total["invited"], total["opened"], total["answered"])


@dataclass(frozen=True)
class Coverage:
    days: int
    active: int
    heard: int

    @property
    def silent(self) -> int:
        return self.active - self.heard

    @property
    def share(self) -> float | None:
        return self.heard / self.active * 100 if self.active else None


COVERAGE_DAYS = (30, 90, 180, 365)


def coverage(
    *,
    workspace: Workspace,
    days: int = 90,
    segment: Segment | None = None,
    now: datetime | None = None,
) -> Coverage:
    """How many active customers we heard from in the last `days` days (see module docstring)."""
    since = (now or timezone.now()) - timedelta(days=days)
    # One range of the (workspace, status, at) index, or with a segment of the (workspace,
    # segment, status, at) index, read from the index alone.
    row = (
        _active_heard(workspace, segment)
        .order_by()
        .aggregate(active=Count("*"), heard=Count("at", filter=Q(at__gte=since)))
    )
    return Coverage(days=days, **row)


def _heard_between(since: datetime, at: datetime) -> Q:
    """A customer with an answer or an interaction in [since, at) (annotated on customers)."""
    return Exists(
        Response.objects.filter(
            customer=OuterRef("pk"), submitted_at__gte=since, submitted_at__lt=at
        )
    ) | Exists(
        Interaction.objects.filter(
            customer=OuterRef("pk"), occurred_at__gte=since, occurred_at__lt=at
        )
    )


def silent_customers_at(*, workspace: Workspace, days: int = 90, at: datetime) -> QuerySet:
    """The customers not heard from in the `days` days before the instant `at`, as they were
    then (a past month's report): the same customers `coverage_at` counts as not heard from
    (active now, created before `at`), by name, with their last answer and last contact before
    `at` (a later one did not exist yet). For reports, not for every page view."""
    since = at - timedelta(days=days)
    last_answer = Response.objects.filter(customer=OuterRef("pk"), submitted_at__lt=at).order_by(
        "-submitted_at"
    )
    last_contact = Interaction.objects.filter(customer=OuterRef("pk"), occurred_at__lt=at).order_by(
        "-occurred_at"
    )
    return (
        Customer.objects.filter(
            workspace=workspace, status=Customer.Status.ACTIVE, created_at__lt=at
        )
        .exclude(_heard_between(since, at))
        .select_related("segment", "account_owner__user")
        .annotate(
            last_answer_at=Subquery(last_answer.values("submitted_at")[:1]),
            last_contact_at=Subquery(last_contact.values("occurred_at")[:1]),
        )
        .order_by("name", "pk")
    )


def silent_customers_at_page(
    *, workspace: Workspace, days: int, at: datetime, total: int, per_page: int = 25
) -> Page:
    """The first page of `silent_customers_at`, `total` being their number (`coverage_at`)."""
    qs = silent_customers_at(workspace=workspace, days=days, at=at)
    return _CountedPaginator(qs, per_page, total).get_page(1)


def coverage_at(*, workspace: Workspace, days: int = 90, at: datetime) -> Coverage:
    """Coverage as it was at the instant `at` (a past month's report): the customers active
    now and created before `at`, and those of them heard from in the `days` days before it,
    read from the answers and interactions themselves (`LastHeard` keeps only the latest
    contact, which may fall after `at`). One query; for reports, not for every page view."""
    heard = _heard_between(at - timedelta(days=days), at)
    row = (
        Customer.objects.filter(
            workspace=workspace, status=Customer.Status.ACTIVE, created_at__lt=at
        )
        .order_by()
        .aggregate(active=Count("pk"), heard=Count("pk", filter=heard))
    )
    return Coverage(days=days, **row)


def _active_heard(workspace: Workspace, segment: Segment | None) -> QuerySet[LastHeard]:
    """The `LastHeard` rows of the workspace's active customers (of the segment, if given):
    their copies of status and segment are kept by triggers."""
    qs = LastHeard.objects.filter(workspace=workspace, status=Customer.Status.ACTIVE)
    if segment is not None:
        qs = qs.filter(segment_id=segment.pk)
    return qs


class _InFetchedFirst(Lookup):
    """`column IN (subquery)`, with the subquery evaluated once, before the outer rows are read.

    PostgreSQL otherwise plans `IN` as a join, in the order its estimates favour: for the
    silent customers of a segment it estimated thousands of silent rows (there were 71 among
    30,000) and walked every customer of the workspace by name, probing `LastHeard` for each
    (34,000 probes, 400 ms). `= ANY(ARRAY(subquery))` is an InitPlan: the ids first, then
    their customers by primary key. SQLite already evaluates the subquery first."""

    lookup_name = "in_fetched_first"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]


class _CountedPaginator(Paginator):
    """A paginator told the total up front (the coverage query already counted it)."""

    def __init__(self, object_list: Any, per_page: int, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


FEW_SILENT = 5000
"""Up to this many silent customers in a segment, a page of them is found by collecting them
all first (`silent_customers`); above it, walking the segment's customers by name meets 25 of
them within `25 × active / FEW_SILENT` customers (500 of 100,000)."""


def silent_customers(
    *,
    workspace: Workspace,
    days: int = 90,
    segment: Segment | None = None,
    now: datetime | None = None,
    silent_total: int | None = None,
) -> QuerySet[Customer]:
    """Active customers not heard from in the last `days` days, by name, with their last
    answer and last contact (ever). `silent_total`, how many there are when the caller has
    counted them (the coverage does), only chooses how a segment's are found."""
    since = (now or timezone.now()) - timedelta(days=days)
    last_answer = Response.objects.filter(customer=OuterRef("pk")).order_by("-submitted_at")
    last_contact = Interaction.objects.filter(customer=OuterRef("pk")).order_by("-occurred_at")
    if segment is None or (silent_total is not None and silent_total > FEW_SILENT):
        # The customers by name through the (workspace, name) index, each joined to its
        # `LastHeard` row, until the page is full: quick while the silent are not rare.
        qs = Customer.objects.filter(workspace=workspace, status=Customer.Status.ACTIVE).filter(
            Q(dashboard_last_heard__at__lt=since) | Q(dashboard_last_heard__at__isnull=True)
        )
        if segment is not None:
            qs = qs.filter(segment=segment)
    else:
        # Few silent customers among the segment's thousands: collect them first (a range of
        # the (workspace, segment, status, at) index, `at` below `since` or none), then sort
        # those few by name. Walking the customers by name instead read 12,000 of them to
        # find 25 on PostgreSQL.
        silent = _active_heard(workspace, segment).filter(Q(at__lt=since) | Q(at__isnull=True))
        qs = Customer.objects.filter(
            _InFetchedFirst(F("pk"), silent.values("customer_id")), workspace=workspace
        )
    return (
        qs.select_related("segment", "account_owner__user")
        .annotate(
            last_answer_at=Subquery(last_answer.values("submitted_at")[:1]),
            last_contact_at=Subquery(last_contact.values("occurred_at")[:1]),
        )
        .order_by("name", "pk")
    )


def silent_customers_page(
    *,
    workspace: Workspace,
    days: int,
    segment: Segment | None,
    total: int,
    page: Any,
    per_page: int = 25,
    now: datetime | None = None,
) -> Page:
    qs = silent_customers(
        workspace=workspace, days=days, segment=segment, now=now, silent_total=total
    )
    return _CountedPaginator(qs, per_page, total).get_page(page)


@dataclass
class Overview:
    period: Period
    previous: Period
    scores: ScoresComparison
    trend: list[NpsRow]
    rate: ResponseRate
    coverage: Coverage
    silent: Page | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def overview(
    *,
    workspace: Workspace,
    period: Period,
    segment: Segment | None = None,
    days: int = 90,
    silent_page: Any = 1,
    now: datetime | None = None,
    previous: Period | None = None,
) -> Overview:
    """Everything the overview page shows, in four queries (scores and trend, response rate,
    coverage, the page of silent customers). `previous` is the period compared with (by
    default the span just before)."""
    previous = previous or period.previous()
    cover = coverage(workspace=workspace, days=days, segment=segment, now=now)
    scores, trend = scores_and_trend(
        workspace=workspace, period=period, segment=segment, previous=previous
    )
    return Overview(
        period=period,
        previous=previous,
        scores=scores,
        trend=trend,
        rate=response_rate(workspace=workspace, period=period, segment=segment),
        coverage=cover,
        silent=silent_customers_page(
            workspace=workspace,
            days=days,
            segment=segment,
            total=cover.silent,
            page=silent_page,
            now=now,
        ),
    )


@dataclass(frozen=True)
class QuestionResult:
    """One question of a survey over a period: how many answered, and what they said. A
    rating has its mean (and the words of its ends), a yes/no question its yeses and noes
    (stored as 1 and 0, so the share of yes is the mean), a single choice its counts."""

    question: Question
    n: int
    mean: float | None = None
    yes: int = 0
    no: int = 0
    choices: list[tuple[str, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The question in the active language."""
        return self.question.text("en" if _english() else "it")

    @property
    def yes_share(self) -> float | None:
        return None if not self.n else 100 * self.yes / self.n


def question_results(
    *,
    workspace: Workspace,
    survey: Survey,
    start: datetime,
    end: datetime,
    segment: Segment | None = None,
) -> list[QuestionResult]:
    """Every rating, yes/no and single-choice question of `survey` with the answers given in
    [start, end): two grouped queries."""
    questions = list(
        Question.objects.for_workspace(workspace)
        .filter(survey=survey)
        .exclude(kind=Question.Kind.TEXT)
        .order_by("position", "pk")
    )
    responses = _responses(workspace, start, end, segment, survey).values("pk")
    answers = Answer.objects.filter(response__in=responses, question__in=questions).order_by()
    numbers: dict[int, dict[str, Any]] = {
        row["question_id"]: dict(row)
        for row in answers.filter(number__isnull=False)
        .values("question_id")
        .annotate(n=Count("pk"), mean=Avg("number"), yes=Count("pk", filter=Q(number__gt=0)))
    }
    chosen: dict[int, Counter] = defaultdict(Counter)
    for row in answers.exclude(choice="").values("question_id", "choice").annotate(n=Count("pk")):
        chosen[row["question_id"]][row["choice"]] = row["n"]
    results = []
    for question in questions:
        if question.kind == Question.Kind.CHOICE:
            counts = chosen.get(question.pk, Counter())
            labels = question.choice_list("en" if _english() else "it")
            results.append(
                QuestionResult(
                    question,
                    n=sum(counts.values()),
                    choices=[(label, counts.get(value, 0)) for value, label in labels],
                )
            )
            continue
        found = numbers.get(question.pk, {"n": 0, "mean": None, "yes": 0})
        if question.kind == Question.Kind.YESNO:
            results.append(
                QuestionResult(
                    question, n=found["n"], yes=found["yes"], no=found["n"] - found["yes"]
                )
            )
        else:
            mean = None if found["mean"] is None else float(found["mean"])
            results.append(QuestionResult(question, n=found["n"], mean=mean))
    return results


def _english() -> bool:
    return (get_language() or "").startswith("en")
