"""The gap analysis of promises: what was promised, delivered, perceived and expected.

For every promise of a workspace, over a period (whole days in the workspace's time zone) and
optionally for one customer or one segment:

- **promised**: the promise's target, in words (`formatting.target_text`) and as its limit in the
  unit the catalogue shows (hours for "within 24 h", minutes for a punctuality window, the
  measure's own unit for a threshold; none for a flag).
- **delivered**: the share of *measurable* checks that kept the promise, in percent (0–100):
  kept / (kept + broken) · 100. Not-measurable checks are counted and shown but left out of the
  share; with no measurable check it is None (no data), never 0. With it: the distribution of
  the measured values relative to the limit (≤ 50 %, ≤ 100 %, ≤ 150 %, ≤ 200 %, > 200 % of it;
  for punctuality the minutes late or early, as an absolute value, against the window), and the
  share kept per month.
- **perceived**: the mean rating of the promise's survey question over the answers submitted in
  the period, on its own scale (e.g. 4.2 on 1–5), and normalised to 0–100 as
  (mean − min) / (max − min) · 100 so that it sits beside *delivered*. None without answers.
- **expected**: from the needs (`Expectation`) recorded for the customers in scope on the same
  dimension and kind of target (the same touchpoint when the need names one; for thresholds the
  same measured value and comparison): the median needed limit in the promise's unit, and the
  share of those customers whose need the promise meets (its limit is at least as strict as the
  need's). None where no need is recorded.
- **delivery gap** = 100 − delivered; **perception gap** = delivered − perceived, both in
  points; positive when customers rate the promise worse than it was kept. Promises are
  ordered by the larger absolute gap, those without figures last.
- **voice** (what customers say about it): the analysed comments in scope about the aspect of
  the promise's dimension (`lib.dimensions.ASPECT_OF_DIMENSION`: punctuality is spoken of as
  timeliness), on their effective labels (a staff correction counts): how many, the share
  negative and how many angry. Survey comments all count; interaction notes only those of
  interactions at the promise's touchpoint ("the technician came three days late" on a visit
  is not about the phone line); staff signals are the staff's words and do not count. With
  no comment the share is None. `Voice.query` filters the "What customers say" page on the
  aspect, negative sentiment, the same dates, segment or customer, and the promise's touchpoint
  (survey comments and that touchpoint's notes), so it lists exactly the negative texts counted.

Every figure comes from a handful of grouped queries for all promises at once (checks by
outcome and bucket, checks by month, answers by question, needs by limit, comments by aspect
and touchpoint); Python only turns those grouped counts into percentages. Months are cut at
midnight in the workspace's time zone with one `CASE` over exact instants, as the dashboards do
(DST-safe, and on SQLite it does not call back into Python for every row as
`TruncMonth(tzinfo=...)` would).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer, Segment
from ascolto.feedback.models import Answer
from ascolto.lib.dimensions import ASPECT_OF_DIMENSION
from ascolto.lib.periods import Period, period_buckets, workspace_zone
from ascolto.promises.formatting import minutes_text, target_text
from ascolto.promises.models import (
    MINUTES_PER_UNIT,
    Comparison,
    DurationUnit,
    Expectation,
    Promise,
    PromiseCheck,
    TargetType,
)
from ascolto.textanalysis.models import AspectName, Sentiment, SourceKind
from ascolto.textanalysis.selectors import aspect_voice_by_touchpoint
from ascolto.workspaces.models import Workspace

LOW_N = 30
"""Below this many checks (or answers) a figure is shown greyed: "few data"."""

DIFFERING_LIMIT = 20

# Upper bounds of the distribution's buckets, as fractions of the limit; the last is open.
BUCKET_BOUNDS = (0.5, 1.0, 1.5, 2.0)
BUCKET_LABELS = (
    _("≤ 50% of the limit"),
    _("≤ 100% of the limit"),
    _("≤ 150% of the limit"),
    _("≤ 200% of the limit"),
    _("> 200% of the limit"),
)

KEPT = PromiseCheck.Outcome.KEPT
BROKEN = PromiseCheck.Outcome.BROKEN
NOT_MEASURABLE = PromiseCheck.Outcome.NOT_MEASURABLE


@dataclass(frozen=True)
class Scope:
    """Whose figures: the whole workspace, one segment or one customer, over `period`."""

    workspace: Workspace
    period: Period
    segment: Segment | None = None
    customer: Customer | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.period.bounds(workspace_zone(self.workspace))


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int

    def share(self, total: int) -> float | None:
        return None if not total else self.count / total * 100


@dataclass(frozen=True)
class MonthShare:
    key: str
    label: str
    kept: int
    measurable: int

    @property
    def delivered(self) -> float | None:
        return None if not self.measurable else self.kept / self.measurable * 100

    @property
    def low_n(self) -> bool:
        return self.measurable < LOW_N


@dataclass(frozen=True)
class Expected:
    """What the customers in scope need on the promise's dimension."""

    customers: int
    median: float | None  # in the promise's unit
    met: int  # customers whose need the promise meets

    @property
    def met_share(self) -> float | None:
        return None if not self.customers else self.met / self.customers * 100


@dataclass(frozen=True)
class Voice:
    """What the customers in scope wrote about the promise's aspect."""

    aspect: str
    comments: int = 0
    negative: int = 0
    angry: int = 0
    start: date | None = None  # the scope's period, for the comments page's free dates
    end: date | None = None
    segment_id: int | None = None
    customer_id: int | None = None
    touchpoint_id: int | None = None

    @property
    def aspect_label(self) -> str:
        return str(AspectName(self.aspect).label)

    @property
    def negative_share(self) -> float | None:
        return None if not self.comments else self.negative / self.comments * 100

    @property
    def query(self) -> dict[str, str]:
        """GET parameters of the "What customers say" page listing the negative ones of the texts
        counted here: the aspect, the same dates, scope and touchpoint."""
        params = {"aspect": self.aspect, "sentiment": Sentiment.NEGATIVE}
        if self.start is not None and self.end is not None:
            params.update(start=self.start.isoformat(), end=self.end.isoformat(), period="all")
        optional = {
            "segment": self.segment_id,
            "customer": self.customer_id,
            "touchpoint": self.touchpoint_id,
        }
        params.update({k: str(v) for k, v in optional.items() if v is not None})
        return params

    @property
    def url(self) -> str:
        return f"{reverse('textanalysis:comment-list')}?{urlencode(self.query)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "comments": self.comments,
            "negative_share": self.negative_share,
            "angry": self.angry,
        }


@dataclass
class PromiseGap:
    promise: Promise
    target: str
    promised: float | None
    unit: str
    kept: int = 0
    broken: int = 0
    not_measurable: int = 0
    measured_sum: float = 0.0
    measured_n: int = 0
    distribution: list[Bucket] = field(default_factory=list)
    trend: list[MonthShare] = field(default_factory=list)
    answers: int = 0
    mean_rating: float | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    expected: Expected | None = None
    voice: Voice | None = None

    @property
    def checks(self) -> int:
        return self.kept + self.broken + self.not_measurable

    @property
    def unit_label(self) -> str:
        """The unit in words ("hours", "ore"); a threshold's own unit as written."""
        if self.unit in DurationUnit.values:
            return str(DurationUnit(self.unit).label)
        return self.unit

    @property
    def measurable(self) -> int:
        return self.kept + self.broken

    @property
    def delivered(self) -> float | None:
        return None if not self.measurable else self.kept / self.measurable * 100

    @property
    def mean_measured(self) -> float | None:
        """The mean measured value in the promise's unit (hours for "within 24 h")."""
        if not self.measured_n:
            return None
        return _to_unit(self.promise, self.measured_sum / self.measured_n)

    @property
    def mean_measured_text(self) -> str:
        """The mean measured value as a person reads it: a time in the units that fit it
        ("50 h", not "3.000,0 minutes"); a threshold's value as a number ("" when none)."""
        if not self.measured_n:
            return ""
        mean = self.measured_sum / self.measured_n
        if self.promise.target_type in (TargetType.DURATION, TargetType.PUNCTUALITY):
            return minutes_text(mean)
        value = _to_unit(self.promise, mean)
        return number_format(round(value, 1), decimal_pos=None) if value is not None else ""

    @property
    def perceived(self) -> float | None:
        if self.mean_rating is None or self.scale_min is None or self.scale_max is None:
            return None
        if self.scale_max <= self.scale_min:
            return None
        return (self.mean_rating - self.scale_min) / (self.scale_max - self.scale_min) * 100

    @property
    def delivery_gap(self) -> float | None:
        return None if self.delivered is None else 100 - self.delivered

    @property
    def perception_gap(self) -> float | None:
        if self.delivered is None or self.perceived is None:
            return None
        return self.delivered - self.perceived

    @property
    def largest_gap(self) -> float | None:
        gaps = [abs(g) for g in (self.delivery_gap, self.perception_gap) if g is not None]
        return max(gaps) if gaps else None

    @property
    def few_checks(self) -> bool:
        return self.measurable < LOW_N

    @property
    def few_answers(self) -> bool:
        return self.answers < LOW_N

    @property
    def distribution_total(self) -> int:
        return sum(b.count for b in self.distribution)

    def as_dict(self) -> dict[str, Any]:
        """The figures for scripts (`ascolto promises gaps --json`)."""
        return {
            "workspace": self.promise.workspace_id,
            "promise": self.promise.label,
            "dimension": self.promise.dimension,
            "target": self.target,
            "promised": self.promised,
            "delivered": self.delivered,
            "perceived": self.perceived,
            "expected": None if self.expected is None else self.expected.median,
            "checks": self.checks,
            "answers": self.answers,
            "voice": None if self.voice is None else self.voice.as_dict(),
        }


@dataclass(frozen=True)
class DifferingCustomer:
    """A customer whose rating of a promise differs most from how often it was kept for them."""

    promise: Promise
    customer_id: int
    customer_name: str
    kept: int
    measurable: int
    mean_rating: float
    delivered: float
    perceived: float

    @property
    def difference(self) -> float:
        return self.delivered - self.perceived

    @property
    def feels_worse(self) -> bool:
        return self.difference > 0


def _to_unit(promise: Promise, value: float | Decimal | None) -> float | None:
    """Minutes (as stored) to the unit the promise is shown in."""
    if value is None:
        return None
    value = float(value)
    if promise.target_type == TargetType.DURATION and promise.unit in MINUTES_PER_UNIT:
        return value / MINUTES_PER_UNIT[promise.unit]
    return value


# --- queries ------------------------------------------------------------------------------------


def _checks(scope: Scope) -> QuerySet[PromiseCheck]:
    start, end = scope.bounds
    qs = PromiseCheck.objects.filter(
        workspace=scope.workspace, occurred_at__gte=start, occurred_at__lt=end
    ).order_by()
    if scope.customer is not None:
        qs = qs.filter(customer=scope.customer)
    if scope.segment is not None:
        qs = qs.filter(customer__segment=scope.segment)
    return qs


def _answers(scope: Scope) -> QuerySet[Answer]:
    start, end = scope.bounds
    qs = Answer.objects.filter(
        response__workspace=scope.workspace,
        question__workspace=scope.workspace,
        response__submitted_at__gte=start,
        response__submitted_at__lt=end,
        number__isnull=False,
    ).order_by()
    if scope.customer is not None:
        qs = qs.filter(response__customer=scope.customer)
    if scope.segment is not None:
        qs = qs.filter(response__customer__segment=scope.segment)
    return qs


def _bucket_expression() -> tuple[Case, Case]:
    """The value compared (|minutes late| for punctuality) and the distribution bucket it falls
    in, relative to the limit:
    0 for ≤ 50 % … 4 for > 200 %; None for flags and checks without a value."""
    limit = Cast("promise__limit", FloatField())
    value = Case(
        When(promise__target_type=TargetType.PUNCTUALITY, then=Abs("measured")),
        default=F("measured"),
        output_field=FloatField(),
    )
    whens = [
        When(
            Q(gap_value__lte=ExpressionWrapper(limit * bound, output_field=FloatField())),
            then=Value(i),
        )
        for i, bound in enumerate(BUCKET_BOUNDS)
    ]
    return value, Case(
        When(
            Q(measured__isnull=True)
            | Q(promise__limit__isnull=True)
            | Q(promise__target_type=TargetType.FLAG),
            then=Value(None),
        ),
        *whens,
        default=Value(len(BUCKET_BOUNDS)),
        output_field=IntegerField(),
    )


def _month_case(scope: Scope) -> tuple[list, Case]:
    buckets = period_buckets(scope.period, workspace_zone(scope.workspace), "month")
    case = Case(
        *[When(occurred_at__lt=b.end, then=Value(i)) for i, b in enumerate(buckets)],
        default=Value(None),
        output_field=IntegerField(),
    )
    return buckets, case


def _expected_rows(scope: Scope, promises: list[Promise]) -> list[dict[str, Any]]:
    """Needs of the customers in scope, grouped by everything a promise matches on and by
    their limit: few rows, whatever the number of customers."""
    dimensions = {p.dimension for p in promises}
    if not dimensions:
        return []
    qs = Expectation.objects.filter(workspace=scope.workspace, dimension__in=dimensions).order_by()
    if scope.customer is not None:
        qs = qs.filter(customer=scope.customer)
    if scope.segment is not None:
        qs = qs.filter(customer__segment=scope.segment)
    return list(
        qs.values(
            "dimension",
            "target_type",
            "touchpoint_id",
            "measure",
            "comparison",
            "limit",
            "customer__segment_id",
        ).annotate(customers=Count("customer", distinct=True))
    )


def _need_matches(promise: Promise, row: dict[str, Any]) -> bool:
    if row["dimension"] != promise.dimension or row["target_type"] != promise.target_type:
        return False
    if row["touchpoint_id"] is not None and row["touchpoint_id"] != promise.touchpoint_id:
        return False
    if promise.segment_id is not None and row["customer__segment_id"] != promise.segment_id:
        return False
    if promise.target_type == TargetType.THRESHOLD:
        return row["measure"] == promise.measure and row["comparison"] == promise.comparison
    return True


def _need_met(promise: Promise, need_limit: Decimal | None) -> bool:
    """Whether the promise's target is at least as strict as the need."""
    if promise.target_type == TargetType.FLAG:
        return True
    if promise.limit is None or need_limit is None:
        return False
    if promise.target_type == TargetType.THRESHOLD:
        if promise.comparison == Comparison.AT_LEAST:
            return promise.limit >= need_limit
        if promise.comparison == Comparison.EQUAL:
            return promise.limit == need_limit
    return promise.limit <= need_limit


def _expected(promise: Promise, rows: list[dict[str, Any]]) -> Expected | None:
    matching = [r for r in rows if _need_matches(promise, r)]
    if not matching:
        return None
    customers = sum(r["customers"] for r in matching)
    met = sum(r["customers"] for r in matching if _need_met(promise, r["limit"]))
    limits = sorted((r["limit"], r["customers"]) for r in matching if r["limit"] is not None)
    median = None
    if limits:
        total = sum(n for _, n in limits)
        # The weighted median: the mean of the two middle values when the count is even.
        lower_rank, upper_rank = (total - 1) // 2, total // 2
        seen, lower, upper = 0, None, None
        for value, n in limits:
            if lower is None and seen + n > lower_rank:
                lower = value
            if seen + n > upper_rank:
                upper = value
                break
            seen += n
        median = _to_unit(promise, (lower + upper) / 2)
    return Expected(customers=customers, median=median, met=met)


def _voices(scope: Scope, promises: list[Promise]) -> dict[int, Voice]:
    """The voice of every promise, from one grouped query."""
    start, end = scope.bounds
    rows = aspect_voice_by_touchpoint(
        workspace=scope.workspace,
        start=start,
        end=end,
        touchpoints={p.touchpoint_id for p in promises},
        customer=scope.customer,
        segment=scope.segment,
    )
    segment_id = None if scope.segment is None else scope.segment.pk
    customer_id = None if scope.customer is None else scope.customer.pk
    voices = {}
    for promise in promises:
        aspect = ASPECT_OF_DIMENSION.get(promise.dimension)
        if aspect is None:
            continue
        counts = {"texts": 0, "negative": 0, "angry": 0}
        for (name, kind, touchpoint_id), row in rows.items():
            if name != aspect:
                continue
            if kind == SourceKind.INTERACTION and touchpoint_id != promise.touchpoint_id:
                continue
            for key in counts:
                counts[key] += row[key]
        voices[promise.pk] = Voice(
            aspect=aspect,
            comments=counts["texts"],
            negative=counts["negative"],
            angry=counts["angry"],
            start=scope.period.start,
            end=scope.period.end,
            segment_id=segment_id,
            customer_id=customer_id,
            touchpoint_id=promise.touchpoint_id,
        )
    return voices


def gaps_for_scope(scope: Scope) -> list[PromiseGap]:
    """Promised, delivered, perceived and expected for each promise in scope, largest gap
    first. Active promises always appear; an inactive one only with checks in the period.
    For one customer, only the promises that apply to them: those of every segment and those
    of their own segment (another segment's promise would show their answers as its
    perceived value)."""
    promise_qs = Promise.objects.for_workspace(scope.workspace)
    if scope.customer is not None:
        promise_qs = promise_qs.filter(
            Q(segment__isnull=True)
            | Q(segment_id=scope.customer.segment_id)
            | Q(checks__customer=scope.customer)
        ).distinct()
    promises = list(
        promise_qs.select_related("question", "touchpoint", "segment").order_by("name_it", "pk")
    )
    if not promises:
        return []
    gaps = {
        p.pk: PromiseGap(
            promise=p, target=target_text(p), promised=_to_unit(p, p.limit), unit=p.unit
        )
        for p in promises
    }
    checks = _checks(scope)
    _delivered_fill(gaps, checks)
    _trend_fill(gaps, checks, scope)
    _perceived_fill(gaps, scope, promises)
    need_rows = _expected_rows(scope, promises)
    voices = _voices(scope, promises)
    for gap in gaps.values():
        gap.expected = _expected(gap.promise, need_rows)
        gap.voice = voices.get(gap.promise.pk)
    shown = [g for g in gaps.values() if g.promise.active or g.checks]
    return sorted(shown, key=_largest_gap_first)


def _delivered_fill(gaps: dict[int, PromiseGap], checks: QuerySet[PromiseCheck]) -> None:
    """Checks by outcome, the measured values, and the distribution relative to the limit,
    from one grouped query."""
    value, bucket = _bucket_expression()
    grouped = (
        checks.annotate(gap_value=value)
        .annotate(bucket=bucket)
        .values("promise_id", "outcome", "bucket")
        .annotate(n=Count("pk"), measured_n=Count("measured"), measured_sum=Sum("measured"))
    )
    bucket_counts: dict[int, list[int]] = {}
    for row in grouped:
        gap = gaps.get(row["promise_id"])
        if gap is None:
            continue
        setattr(gap, row["outcome"], getattr(gap, row["outcome"]) + row["n"])
        if row["outcome"] == NOT_MEASURABLE:
            continue
        gap.measured_n += row["measured_n"]
        gap.measured_sum += row["measured_sum"] or 0.0
        if row["bucket"] is not None:
            counts = bucket_counts.setdefault(row["promise_id"], [0] * len(BUCKET_LABELS))
            counts[row["bucket"]] += row["n"]
    for pk, counts in bucket_counts.items():
        gaps[pk].distribution = [
            Bucket(str(label), count) for label, count in zip(BUCKET_LABELS, counts, strict=True)
        ]


def _trend_fill(gaps: dict[int, PromiseGap], checks: QuerySet[PromiseCheck], scope: Scope) -> None:
    """The share kept per month of the period, from one grouped query."""
    months, month = _month_case(scope)
    by_month: dict[tuple[int, int], tuple[int, int]] = {
        (row["promise_id"], row["month"]): (row["kept"], row["measurable"])
        for row in checks.filter(outcome__in=[KEPT, BROKEN])
        .annotate(month=month)
        .values("promise_id", "month")
        .annotate(kept=Count("pk", filter=Q(outcome=KEPT)), measurable=Count("pk"))
    }
    for gap in gaps.values():
        gap.trend = [
            MonthShare(b.key, b.label, *by_month.get((gap.promise.pk, i), (0, 0)))
            for i, b in enumerate(months)
        ]


def _perceived_fill(gaps: dict[int, PromiseGap], scope: Scope, promises: list[Promise]) -> None:
    """The mean rating of each promise's survey question, and its scale, from one grouped
    query."""
    questions = {p.question_id for p in promises if p.question_id}
    ratings = {}
    if questions:
        ratings = {
            row["question_id"]: row
            for row in _answers(scope)
            .filter(question_id__in=questions)
            .values("question_id")
            .annotate(n=Count("number"), mean=Avg("number"))
        }
    for gap in gaps.values():
        question = gap.promise.question
        if question is None:
            continue
        gap.scale_min, gap.scale_max = question.min_value, question.max_value
        row = ratings.get(question.pk)
        if row and row["n"]:
            gap.answers, gap.mean_rating = row["n"], float(row["mean"])


def _largest_gap_first(gap: PromiseGap) -> tuple[bool, float, str, int]:
    """Sort key: the largest gap first, those without figures last, then by name."""
    return (
        gap.largest_gap is None,
        -(gap.largest_gap or 0),
        gap.promise.name_it.lower(),
        gap.promise.pk,
    )


def customers_differing(
    scope: Scope, *, limit: int = DIFFERING_LIMIT, promises: dict[int, Promise] | None = None
) -> list[DifferingCustomer]:
    """Customers in scope whose rating of a promise differs most from how often it was kept for
    them: both on 0–100 (share of their measurable checks kept; their mean rating of the
    promise's question, normalised), top `limit` by the absolute difference. One query, and
    one more for the promises unless `promises` (by id, already loaded) has them."""
    rows = list(_differing_rows(scope)[:limit])
    if not rows:
        return []
    wanted = {r["promise_id"] for r in rows}
    if promises is None or not wanted <= set(promises):
        promises = Promise.objects.for_workspace(scope.workspace).in_bulk(wanted)
    return [
        DifferingCustomer(
            promise=promises[r["promise_id"]],
            customer_id=r["customer_id"],
            customer_name=r["customer__name"],
            kept=r["kept"],
            measurable=r["measurable"],
            mean_rating=float(r["mean"]),
            delivered=float(r["delivered"]),
            perceived=float(r["perceived"]),
        )
        for r in rows
    ]


def _differing_rows(scope: Scope) -> QuerySet:
    """Per promise and customer with measurable checks and a rating of the promise's question:
    kept and measurable checks, the mean rating, both on 0–100 (`delivered`, `perceived`) and
    their absolute `difference`, largest first."""
    rating = (
        _answers(scope)
        .filter(
            question_id=OuterRef("promise__question_id"),
            response__customer_id=OuterRef("customer_id"),
        )
        .values("question_id")
        .annotate(mean=Avg("number"))
        .values("mean")
    )
    qmin = Cast("promise__question__min_value", FloatField())
    qmax = Cast("promise__question__max_value", FloatField())
    return (
        _checks(scope)
        .filter(
            outcome__in=[KEPT, BROKEN],
            promise__question__isnull=False,
            promise__question__max_value__gt=F("promise__question__min_value"),
        )
        .values(
            "promise_id",
            "customer_id",
            "customer__name",
            "promise__question_id",
            "promise__question__min_value",
            "promise__question__max_value",
        )
        .annotate(
            kept=Count("pk", filter=Q(outcome=KEPT)),
            measurable=Count("pk"),
            mean=Subquery(rating, output_field=FloatField()),
        )
        .annotate(
            delivered=_float(Cast("kept", FloatField()) * 100.0 / Cast("measurable", FloatField())),
            perceived=_float((F("mean") - qmin) * 100.0 / (qmax - qmin)),
        )
        .annotate(difference=_float(Abs(F("delivered") - F("perceived"))))
        .filter(mean__isnull=False)
        .order_by("-difference", "customer__name", "customer_id", "promise_id")
    )


def _float(expression: Any) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=FloatField())
