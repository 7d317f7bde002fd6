"""Reads for public reviews, always scoped to one workspace; aggregates in SQL."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth
from django.utils.translation import gettext_lazy

from ascolto.customers.models import Customer
from ascolto.lib.businesshours import business_minutes_between
from ascolto.lib.periods import Bucket, Period, period_buckets, workspace_zone
from ascolto.voice.models import (
    MatchState,
    Platform,
    ReplyKind,
    ReplyLanguage,
    ReplyTemplate,
    Review,
    ReviewAspect,
    Source,
)
from ascolto.workspaces.models import Workspace


def reply_template_list(*, workspace: Workspace) -> list[ReplyTemplate]:
    """The workspace's reply templates, by language then in the order of `ReplyKind`."""
    languages, kinds = list(ReplyLanguage.values), list(ReplyKind.values)
    rows = ReplyTemplate.objects.filter(workspace=workspace).select_related("updated_by__user")
    return sorted(
        rows,
        key=lambda t: (
            languages.index(t.language) if t.language in languages else 99,
            kinds.index(t.kind) if t.kind in kinds else 99,
        ),
    )


def source_list(*, workspace: Workspace) -> QuerySet[Source]:
    return Source.objects.filter(workspace=workspace).order_by("name", "pk")


@dataclass(frozen=True)
class ReviewFilters:
    platform: str = ""
    waiting: bool = False  # negative, no reply yet
    to_confirm: bool = False  # a customer suggested, not confirmed


def review_list(*, workspace: Workspace, filters: ReviewFilters | None = None) -> QuerySet[Review]:
    """Reviews newest first, with what the list shows joined."""
    filters = filters or ReviewFilters()
    qs = Review.objects.filter(workspace=workspace).select_related(
        "customer", "suggested_customer", "replied_by__user", "source"
    )
    if filters.platform:
        qs = qs.filter(platform=filters.platform)
    if filters.waiting:
        qs = qs.filter(is_negative=True, replied_at__isnull=True)
    if filters.to_confirm:
        qs = qs.filter(match_state=MatchState.SUGGESTED)
    return qs.order_by("-published_at", "-pk")


def review_list_for_customer(*, workspace: Workspace, customer: Customer) -> QuerySet[Review]:
    """The reviews confirmed as written by `customer`, newest first (the timeline's source)."""
    return (
        Review.objects.filter(
            workspace=workspace, customer=customer, match_state=MatchState.CONFIRMED
        )
        .select_related("replied_by__user")
        .order_by("-published_at", "-pk")
    )


def reviews_waiting(*, workspace: Workspace, limit: int = 50) -> QuerySet[Review]:
    """Negative reviews without a reply, the most urgent (earliest deadline) first."""
    return (
        Review.objects.filter(
            workspace=workspace,
            is_negative=True,
            replied_at__isnull=True,
            reply_due_at__isnull=False,
        )
        .select_related("customer")
        .order_by("reply_due_at", "pk")[:limit]
    )


# --- The "what is said about us" page ----------------------------------------------------------

Z95 = 1.96


@dataclass(frozen=True)
class RatingPoint:
    """Mean rating (1–5) of `n` reviews, with the 95% margin of the mean (None below 2)."""

    n: int
    mean: float | None
    margin: float | None

    @classmethod
    def from_sums(cls, n: int, total: float, squares: float) -> RatingPoint:
        if not n:
            return cls(0, None, None)
        mean = total / n
        if n < 2:
            return cls(n, mean, None)
        variance = max(0.0, (squares - total * total / n) / (n - 1))
        return cls(n, mean, Z95 * math.sqrt(variance / n))


@dataclass(frozen=True)
class PlatformTrend:
    platform: str
    label: str
    points: list[RatingPoint]  # one per bucket
    overall: RatingPoint


def _month_key(moment: datetime | date, zone: ZoneInfo) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone)
    return f"{moment:%Y-%m}"


def rating_trend(
    *, workspace: Workspace, period: Period
) -> tuple[list[Bucket], list[PlatformTrend]]:
    """The mean rating of each platform per month of `period`, with its margin (one query)."""
    zone = workspace_zone(workspace)
    buckets = period_buckets(period, zone, "month")
    start, end = period.bounds(zone)
    rating = Cast("rating", FloatField())
    rows = (
        Review.objects.filter(
            workspace=workspace, rating__isnull=False, published_at__gte=start, published_at__lt=end
        )
        .annotate(month=TruncMonth("published_at", tzinfo=zone))
        .values("platform", "month")
        .annotate(n=Count("pk"), total=Sum(rating), squares=Sum(rating * rating))
        .order_by("platform", "month")
    )
    sums: dict[str, dict[str, tuple[int, float, float]]] = defaultdict(dict)
    for row in rows:
        sums[row["platform"]][_month_key(row["month"], zone)] = (
            row["n"],
            float(row["total"] or 0),
            float(row["squares"] or 0),
        )
    labels = dict(Platform.choices)
    trends = []
    for platform in sorted(sums, key=lambda p: -sum(v[0] for v in sums[p].values())):
        by_month = sums[platform]
        points = [RatingPoint.from_sums(*by_month.get(b.key, (0, 0.0, 0.0))) for b in buckets]
        n = sum(v[0] for v in by_month.values())
        overall = RatingPoint.from_sums(
            n, sum(v[1] for v in by_month.values()), sum(v[2] for v in by_month.values())
        )
        trends.append(PlatformTrend(platform, str(labels.get(platform, platform)), points, overall))
    return buckets, trends


# Text analysis' aspect names with the same words it shows (the same catalogue entries); voice
# sits below text analysis and cannot import its choices.
ASPECT_LABELS = {
    "timeliness": gettext_lazy("Timeliness"),
    "price": gettext_lazy("Price"),
    "courtesy": gettext_lazy("Courtesy"),
    "competence": gettext_lazy("Competence"),
    "quality": gettext_lazy("Quality"),
    "communication": gettext_lazy("Communication"),
    "reliability": gettext_lazy("Reliability"),
    "tangibles": gettext_lazy("Tangibles"),
}


@dataclass(frozen=True)
class AspectRow:
    name: str
    label: str
    praised: int
    criticised: int


def aspects_said(*, workspace: Workspace, period: Period, limit: int = 5) -> dict[str, list]:
    """The aspects most praised (in positive reviews) and most criticised (in negative ones)
    over `period`, counted in one query."""
    start, end = period.bounds(workspace_zone(workspace))
    rows = (
        ReviewAspect.objects.filter(
            review__workspace=workspace,
            review__published_at__gte=start,
            review__published_at__lt=end,
        )
        .values("name")
        .annotate(
            praised=Count("pk", filter=Q(review__sentiment="positive")),
            criticised=Count("pk", filter=Q(review__sentiment="negative")),
        )
    )
    found = [
        AspectRow(
            r["name"], str(ASPECT_LABELS.get(r["name"], r["name"])), r["praised"], r["criticised"]
        )
        for r in rows
    ]
    return {
        "praised": sorted((a for a in found if a.praised), key=lambda a: (-a.praised, a.name))[
            :limit
        ],
        "criticised": sorted(
            (a for a in found if a.criticised), key=lambda a: (-a.criticised, a.name)
        )[:limit],
    }


@dataclass(frozen=True)
class MonthCompare:
    key: str
    label: str
    rating: RatingPoint
    nps: float | None
    nps_margin: float | None
    nps_n: int


def public_vs_private(*, workspace: Workspace, period: Period) -> list[MonthCompare]:
    """Per month: the mean public rating (every platform) and the private NPS of the survey
    answers of the same month, each with its 95% margin (two queries)."""
    from ascolto.feedback.models import Response

    zone = workspace_zone(workspace)
    buckets = period_buckets(period, zone, "month")
    start, end = period.bounds(zone)
    rating = Cast("rating", FloatField())
    public = {
        _month_key(r["month"], zone): RatingPoint.from_sums(
            r["n"], float(r["total"] or 0), float(r["squares"] or 0)
        )
        for r in Review.objects.filter(
            workspace=workspace, rating__isnull=False, published_at__gte=start, published_at__lt=end
        )
        .annotate(month=TruncMonth("published_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("pk"), total=Sum(rating), squares=Sum(rating * rating))
        .order_by("month")
    }
    private = {
        _month_key(r["month"], zone): r
        for r in Response.objects.filter(
            workspace=workspace,
            kind="nps",
            score__isnull=False,
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .annotate(month=TruncMonth("submitted_at", tzinfo=zone))
        .values("month")
        .annotate(
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)),
            n=Count("pk"),
        )
        .order_by("month")
    }
    rows = []
    for bucket in buckets:
        counts = private.get(bucket.key)
        nps = margin = None
        n = 0
        if counts and counts["n"]:
            n = counts["n"]
            p, d = counts["promoters"] / n, counts["detractors"] / n
            nps = (p - d) * 100
            margin = Z95 * math.sqrt(max(0.0, p + d - (p - d) ** 2) / n) * 100
        rows.append(
            MonthCompare(
                bucket.key,
                bucket.label,
                public.get(bucket.key, RatingPoint(0, None, None)),
                nps,
                margin,
                n,
            )
        )
    return rows


@dataclass(frozen=True)
class Clock:
    review: Review
    overdue: bool
    business_hours_left: float  # 0 when overdue
    late_by: timedelta | None


def waiting_clocks(*, workspace: Workspace, now: datetime, limit: int = 50) -> list[Clock]:
    """Negative reviews waiting for a reply, most urgent first, each with its clock: business
    hours left before the deadline, or how late it is."""
    zone = workspace_zone(workspace)
    clocks = []
    for review in reviews_waiting(workspace=workspace, limit=limit):
        due = review.reply_due_at
        assert due is not None  # reviews_waiting has only reviews with a deadline
        if due <= now:
            clocks.append(Clock(review, True, 0.0, now - due))
        else:
            left = business_minutes_between(now, due, zone, workspace.calendar) / 60
            clocks.append(Clock(review, False, left, None))
    return clocks
