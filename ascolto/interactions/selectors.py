"""Reads for the customer timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q, QuerySet

from ascolto.customers.models import Customer
from ascolto.interactions.models import Interaction, StaffSignal, Touchpoint
from ascolto.workspaces.models import Workspace

TIMELINE_PAGE_SIZE = 50

# Entries at the same instant are ordered by kind, then by id, all newest first, so that the
# order is total and a cursor never skips or repeats an entry.
KIND_RANK = {"interaction": 2, "response": 3, "signal": 1, "lost": 0}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class TimelineCursor:
    """The position after the last entry of a page: its time, kind and id."""

    at: datetime
    kind: str
    pk: int

    @property
    def rank(self) -> int:
        return KIND_RANK[self.kind]

    @property
    def token(self) -> str:
        """A URL-safe text form: `<microseconds since 1970 UTC>-<kind>-<id>`."""
        return f"{(self.at - _EPOCH) // _MICROSECOND}-{self.kind}-{self.pk}"

    @classmethod
    def from_token(cls, token: str) -> TimelineCursor:
        """Parse `token`; raise ValueError when it is not one `token` made."""
        parts = (token or "").split("-")
        if len(parts) != 3 or parts[1] not in KIND_RANK:
            raise ValueError("malformed timeline cursor")
        micros, kind, pk = int(parts[0]), parts[1], int(parts[2])
        if pk < 1:
            raise ValueError("malformed timeline cursor")
        try:
            at = _EPOCH + micros * _MICROSECOND
        except OverflowError:
            raise ValueError("timeline cursor out of range") from None
        return cls(at=at, kind=kind, pk=pk)


@dataclass(frozen=True)
class TimelineEntry:
    """One row of a customer's timeline, whatever kind of record it comes from."""

    kind: str  # "interaction", "response", "signal", "lost"
    at: datetime
    obj: Any

    @property
    def template(self) -> str:
        return f"interactions/_timeline_{self.kind}.html"

    @property
    def cursor(self) -> TimelineCursor:
        return TimelineCursor(at=self.at, kind=self.kind, pk=self.obj.pk)

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, KIND_RANK[self.kind], self.obj.pk)


def touchpoint_list(*, workspace: Workspace, active_only: bool = True) -> QuerySet[Touchpoint]:
    qs = Touchpoint.objects.for_workspace(workspace)
    return qs.filter(active=True) if active_only else qs


def interaction_list_for_customer(
    *, workspace: Workspace, customer: Customer
) -> QuerySet[Interaction]:
    return (
        Interaction.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("touchpoint", "member__user")
        .order_by("-occurred_at", "-pk")
    )


def staff_signal_list_for_customer(
    *, workspace: Workspace, customer: Customer
) -> QuerySet[StaffSignal]:
    return (
        StaffSignal.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("member__user")
        .order_by("-created_at", "-pk")
    )


def _workspace_zone(workspace: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _older_than(qs: QuerySet, field: str, kind: str, cursor: TimelineCursor) -> QuerySet:
    """Rows of one source that come after `cursor` in timeline order."""
    rank = KIND_RANK[kind]
    if rank < cursor.rank:
        return qs.filter(**{f"{field}__lte": cursor.at})
    if rank == cursor.rank:
        return qs.filter(
            Q(**{f"{field}__lt": cursor.at}) | Q(**{field: cursor.at}, pk__lt=cursor.pk)
        )
    return qs.filter(**{f"{field}__lt": cursor.at})


def _lost_older_than(qs: QuerySet, cursor: TimelineCursor, zone: ZoneInfo) -> QuerySet:
    """Like `_older_than` for lost records, whose time is the start of their `lost_on` day."""
    day = cursor.at.astimezone(zone).date()
    if cursor.at > _start_of_day(day, zone):
        return qs.filter(lost_on__lte=day)
    rank = KIND_RANK["lost"]
    if rank < cursor.rank:
        return qs.filter(lost_on__lte=day)
    if rank == cursor.rank:
        return qs.filter(Q(lost_on__lt=day) | Q(lost_on=day, pk__lt=cursor.pk))
    return qs.filter(lost_on__lt=day)


def timeline_for_customer(
    *,
    workspace: Workspace,
    customer: Customer,
    before: TimelineCursor | None = None,
    limit: int = TIMELINE_PAGE_SIZE,
) -> tuple[list[TimelineEntry], TimelineCursor | None]:
    """The newest `limit` entries after `before`, merged from every source, newest first.

    Each source is asked for at most `limit + 1` rows, so a page costs one query per source
    whatever the length of the history. Returns the entries and the cursor of the next page
    (None when there is nothing older).
    """
    from ascolto.customers.selectors import lost_record_list_for_customer
    from ascolto.feedback.selectors import response_list_for_customer

    zone = _workspace_zone(workspace)
    interactions = interaction_list_for_customer(workspace=workspace, customer=customer)
    signals = staff_signal_list_for_customer(workspace=workspace, customer=customer)
    losts = lost_record_list_for_customer(workspace=workspace, customer=customer).order_by(
        "-lost_on", "-pk"
    )
    responses = response_list_for_customer(workspace=workspace, customer=customer)
    if before is not None:
        interactions = _older_than(interactions, "occurred_at", "interaction", before)
        responses = _older_than(responses, "submitted_at", "response", before)
        signals = _older_than(signals, "created_at", "signal", before)
        losts = _lost_older_than(losts, before, zone)
    entries = [TimelineEntry("interaction", i.occurred_at, i) for i in interactions[: limit + 1]]
    entries += [TimelineEntry("signal", s.created_at, s) for s in signals[: limit + 1]]
    entries += [TimelineEntry("response", r.submitted_at, r) for r in responses[: limit + 1]]
    entries += [
        TimelineEntry("lost", _start_of_day(r.lost_on, zone), r) for r in losts[: limit + 1]
    ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    page = entries[:limit]
    next_cursor = page[-1].cursor if len(entries) > limit else None
    return page, next_cursor
