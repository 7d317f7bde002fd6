"""Reads of stored text analyses: the "What customers say" list, badges for timelines and
response lists, one customer's words in figures, the workspace model's status. Every filter is
SQL on indexed columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from ascolto.customers.models import Customer
from ascolto.lib.periods import Period, default_period, workspace_zone
from ascolto.textanalysis.models import (
    AspectName,
    Emotion,
    Sentiment,
    SourceKind,
    TextAnalysis,
    TextAspect,
    TextCorrection,
    TextModel,
)
from ascolto.textanalysis.services import source_texts
from ascolto.workspaces.models import Workspace

PERIODS = ("this_month", "last_30_days", "last_90_days", "this_year", "all")


@dataclass(frozen=True)
class CommentFilters:
    emotion: str = ""
    sentiment: str = ""
    aspect: str = ""
    period: str = "this_month"
    segment: int | None = None
    source_kind: str = ""
    customer: int | None = None
    # Free dates as instants, [start, end): narrow the named period.
    start: datetime | None = None
    end: datetime | None = None
    # The customers' words at a touchpoint: survey comments and that touchpoint's notes (the
    # texts a promise's gap card counts).
    touchpoint: int | None = None


def period_start(period: str, now: datetime | None = None) -> datetime | None:
    """Start of a named period in the current time zone (None for "all")."""
    now = timezone.localtime(now or timezone.now())
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "this_month":
        return start_of_day.replace(day=1)
    if period == "last_30_days":
        return start_of_day - timedelta(days=30)
    if period == "last_90_days":
        return start_of_day - timedelta(days=90)
    if period == "this_year":
        return start_of_day.replace(month=1, day=1)
    return None


def _current_corrections() -> Prefetch:
    return Prefetch(
        "corrections",
        queryset=TextCorrection.objects.filter(is_current=True).select_related("member__user"),
        to_attr="current_corrections",
    )


def text_analysis_list(
    *, workspace: Workspace, filters: CommentFilters | None = None, now: datetime | None = None
) -> QuerySet[TextAnalysis]:
    """Analysed texts of the workspace, newest first, filtered in SQL, with their customer,
    effective aspects and current correction."""
    filters = filters or CommentFilters()
    qs = TextAnalysis.objects.for_workspace(workspace)
    if filters.emotion:
        qs = qs.filter(emotion=filters.emotion)
    if filters.sentiment:
        qs = qs.filter(sentiment=filters.sentiment)
    if filters.aspect:
        qs = qs.filter(aspect_rows__name=filters.aspect)
    if filters.source_kind:
        qs = qs.filter(source_kind=filters.source_kind)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.segment:
        qs = qs.filter(customer__segment_id=filters.segment)
    if filters.touchpoint:
        from ascolto.interactions.models import Interaction

        notes = Interaction.objects.filter(
            workspace_id=workspace.pk, touchpoint_id=filters.touchpoint
        ).order_by()
        qs = qs.filter(
            Q(source_kind=SourceKind.SURVEY_ANSWER)
            | Q(source_kind=SourceKind.INTERACTION, source_id__in=notes.values("pk"))
        )
    start = period_start(filters.period, now)
    if start is not None:
        qs = qs.filter(occurred_at__gte=start)
    if filters.start is not None:
        qs = qs.filter(occurred_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(occurred_at__lt=filters.end)
    return (
        qs.select_related("customer")
        .prefetch_related("aspect_rows", _current_corrections())
        .order_by("-occurred_at", "-pk")
    )


def text_analyses_with_texts(
    *, workspace: Workspace, analyses: Iterable[TextAnalysis]
) -> list[TextAnalysis]:
    """Attach `.text` (the source's current text, one query per kind of source) to each
    analysis; analyses whose text is gone are left out."""
    analyses = list(analyses)
    by_kind: dict[str, list[int]] = {}
    for a in analyses:
        by_kind.setdefault(a.source_kind, []).append(a.source_id)
    texts = {
        kind: source_texts(workspace_id=workspace.pk, source_kind=kind, ids=ids)
        for kind, ids in by_kind.items()
    }
    kept = []
    for a in analyses:
        source = texts[a.source_kind].get(a.source_id)
        if source is not None:
            a.text = source.text  # type: ignore[attr-defined]  # shown with its analysis
            kept.append(a)
    return kept


def text_analysis_map(
    *, workspace_id: int, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], TextAnalysis]:
    """Analyses of these (source kind, source id) pairs, in one query plus prefetches."""
    by_kind: dict[str, set[int]] = {}
    for kind, pk in keys:
        by_kind.setdefault(kind, set()).add(pk)
    from django.db.models import Q

    # Never an empty IN (): the page then costs the same one query with or without texts.
    condition = Q(source_id=-1)
    for kind, ids in by_kind.items():
        condition |= Q(source_kind=kind, source_id__in=sorted(ids))
    rows = (
        TextAnalysis.objects.filter(workspace_id=workspace_id)
        .filter(condition)
        .prefetch_related("aspect_rows", _current_corrections())
    )
    return {(a.source_kind, a.source_id): a for a in rows}


def text_analysis_get(*, workspace: Workspace, pk: int) -> TextAnalysis:
    """One analysis of the workspace with its prefetches; raises DoesNotExist."""
    return (
        TextAnalysis.objects.for_workspace(workspace)
        .prefetch_related("aspect_rows", _current_corrections())
        .get(pk=pk)
    )


def text_model_status(*, workspace: Workspace) -> TextModel | None:
    return (
        TextModel.objects.for_workspace(workspace)
        .defer("params")
        .order_by("-created_at", "-pk")
        .first()
    )


# --- What customers say about an aspect -----------------------------------------------------------


def _aspect_rows(
    *,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    customer=None,
    segment=None,
) -> QuerySet[TextAspect]:
    qs = TextAspect.objects.filter(
        analysis__workspace=workspace,
        analysis__occurred_at__gte=start,
        analysis__occurred_at__lt=end,
    ).order_by()
    if customer is not None:
        qs = qs.filter(analysis__customer=customer)
    if segment is not None:
        qs = qs.filter(analysis__customer__segment=segment)
    return qs


def _voice_figures(row: Mapping[str, Any]) -> dict[str, int]:
    return {k: row[k] for k in ("texts", "negative", "angry")}


def _voice_counts() -> dict[str, Count]:
    # An analysis has each aspect at most once (textaspect_unique): a row is one text.
    return {
        "texts": Count("pk"),
        "negative": Count("pk", filter=Q(analysis__sentiment=Sentiment.NEGATIVE)),
        "angry": Count("pk", filter=Q(analysis__emotion=Emotion.ANGER)),
    }


def aspect_voice(
    *,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    customer=None,
    segment=None,
) -> dict[str, dict[str, int]]:
    """Per aspect, the analysed texts of the workspace in [start, end) that speak of it:
    {"timeliness": {"texts": 12, "negative": 7, "angry": 3}, ...}, on the effective labels
    (a staff correction counts as corrected). Aspects nobody spoke of are absent. One query."""
    rows = (
        _aspect_rows(workspace=workspace, start=start, end=end, customer=customer, segment=segment)
        .values("name")
        .annotate(**_voice_counts())
    )
    return {r["name"]: _voice_figures(r) for r in rows}


def aspect_voice_by_touchpoint(
    *,
    workspace: Workspace,
    start: datetime,
    end: datetime,
    touchpoints: Iterable[int],
    customer=None,
    segment=None,
) -> dict[tuple[str, str, int | None], dict[str, int]]:
    """As `aspect_voice()`, for the customers' own words only (survey comments and interaction
    notes; staff signals are the staff's impressions), split by where they were written:
    {(aspect, source kind, touchpoint id): {"texts", "negative", "angry"}}. An interaction note
    carries its interaction's touchpoint when it is one of `touchpoints` (None otherwise); a
    survey comment has none (None). One query: each touchpoint is an uncorrelated
    `source_id IN (its interactions)`, which both databases hash or index once, where a
    per-row look-up of the interaction cost ten times more on PostgreSQL."""
    from ascolto.interactions.models import Interaction

    whens = [
        When(
            analysis__source_kind=SourceKind.INTERACTION,
            analysis__source_id__in=Interaction.objects.filter(
                workspace_id=workspace.pk, touchpoint_id=pk
            )
            .order_by()
            .values("pk"),
            then=Value(pk),
        )
        for pk in sorted(set(touchpoints))
    ]
    touchpoint = (
        Case(*whens, default=Value(None), output_field=IntegerField())
        if whens
        else Value(None, output_field=IntegerField())
    )
    rows = (
        _aspect_rows(workspace=workspace, start=start, end=end, customer=customer, segment=segment)
        .filter(analysis__source_kind__in=[SourceKind.SURVEY_ANSWER, SourceKind.INTERACTION])
        .annotate(touchpoint=touchpoint)
        .values("name", "analysis__source_kind", "touchpoint")
        .annotate(**_voice_counts())
    )
    return {
        (r["name"], r["analysis__source_kind"], r["touchpoint"]): _voice_figures(r) for r in rows
    }


# --- What one customer's words say ----------------------------------------------------------------


@dataclass(frozen=True)
class AspectCount:
    name: str
    texts: int
    url: str

    @property
    def label(self) -> str:
        return str(AspectName(self.name).label)


@dataclass(frozen=True)
class CustomerVoice:
    """One customer's analysed texts over whole days [start, end] of the workspace's calendar,
    on the effective labels. Each figure has the address of the comments page listing exactly
    the texts it counts."""

    customer_id: int
    start: date
    end: date
    texts: int = 0
    negative: int = 0
    angry: int = 0
    top_aspects: tuple[AspectCount, ...] = ()  # the most frequent aspect(s), ties together

    def url(self, **filters: str) -> str:
        """The comments page for this customer and these days, narrowed by `filters`."""
        params = {
            "customer": str(self.customer_id),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "period": "all",
            **filters,
        }
        return f"{reverse('textanalysis:comment-list')}?{urlencode(params)}"

    @property
    def texts_url(self) -> str:
        return self.url()

    @property
    def negative_url(self) -> str:
        return self.url(sentiment=Sentiment.NEGATIVE)

    @property
    def angry_url(self) -> str:
        return self.url(emotion=Emotion.ANGER)


def customer_voice_summary(
    *,
    workspace: Workspace,
    customer: Customer,
    period: Period | None = None,
    now: datetime | None = None,
) -> CustomerVoice:
    """What a customer's survey comments, interaction notes and staff signals said in `period`
    (default: the workspace's last 12 months, as the dashboards count them): how many texts, how
    many negative, how many angry, and the aspect(s) spoken of most. Whole days, so the comments
    page's free dates list the same texts. One aggregate query: the texts joined to their aspect
    rows, texts counted once each (DISTINCT), an aspect row being one text (textaspect_unique)."""
    period = period or default_period(workspace, now)
    start, end = period.bounds(workspace_zone(workspace))
    aspects = {f"aspect_{name}": name for name in AspectName.values}
    row = (
        TextAnalysis.objects.for_workspace(workspace)
        .filter(customer=customer, occurred_at__gte=start, occurred_at__lt=end)
        .order_by()
        .aggregate(
            texts=Count("pk", distinct=True),
            negative=Count("pk", distinct=True, filter=Q(sentiment=Sentiment.NEGATIVE)),
            angry=Count("pk", distinct=True, filter=Q(emotion=Emotion.ANGER)),
            **{
                key: Count("aspect_rows", filter=Q(aspect_rows__name=name))
                for key, name in aspects.items()
            },
        )
    )
    voice = CustomerVoice(
        customer_id=customer.pk,
        start=period.start,
        end=period.end,
        texts=row["texts"],
        negative=row["negative"],
        angry=row["angry"],
    )
    most = max(row[key] for key in aspects)
    top = tuple(
        AspectCount(name=name, texts=most, url=voice.url(aspect=name))
        for key, name in aspects.items()
        if most and row[key] == most
    )
    return replace(voice, top_aspects=top)
