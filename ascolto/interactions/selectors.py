"""Reads for the customer timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import QuerySet

from ascolto.customers.models import Customer
from ascolto.interactions import hooks
from ascolto.interactions.models import Interaction, StaffSignal, Touchpoint
from ascolto.interactions.timeline import timeline_sources
from ascolto.workspaces.models import Workspace

TIMELINE_PAGE_SIZE = 50

# Entries at the same instant are ordered by the rank of their source, then by id, all newest
# first, so that the order is total and a cursor never skips or repeats an entry (see
# `ascolto/interactions/timeline.py`).
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
        return timeline_sources.get(self.kind).rank

    @property
    def token(self) -> str:
        """A URL-safe text form: `<microseconds since 1970 UTC>-<kind>-<id>`."""
        return f"{(self.at - _EPOCH) // _MICROSECOND}-{self.kind}-{self.pk}"

    @classmethod
    def from_token(cls, token: str) -> TimelineCursor:
        """Parse `token`; raise ValueError when it is not one `token` made."""
        parts = (token or "").split("-")
        if len(parts) != 3 or parts[1] not in timeline_sources:
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

    kind: str  # a registered source: "interaction", "signal", "lost", "response", ...
    at: datetime
    obj: Any

    @property
    def template(self) -> str:
        return timeline_sources.get(self.kind).template

    @property
    def cursor(self) -> TimelineCursor:
        return TimelineCursor(at=self.at, kind=self.kind, pk=self.obj.pk)

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, timeline_sources.get(self.kind).rank, self.obj.pk)


def touchpoint_list(*, workspace: Workspace, active_only: bool = True) -> QuerySet[Touchpoint]:
    qs = Touchpoint.objects.for_workspace(workspace)
    return qs.filter(active=True) if active_only else qs


def interaction_measure_names(*, workspace: Workspace) -> dict[str, list[str]]:
    """The measured values an interaction of `workspace` may carry, each with the labels of
    what reads it, gathered from the `interaction_measures` hook (promises fill it)."""
    names: dict[str, list[str]] = {}
    for found in hooks.interaction_measures.call(workspace=workspace):
        for measure, labels in found.items():
            names.setdefault(measure, []).extend(labels)
    return names


def interaction_moments_needed(
    *, workspace: Workspace
) -> dict[int, list[tuple[str, tuple[str, ...]]]]:
    """For each touchpoint of `workspace`, what reads an interaction's times and which ones,
    gathered from the `interaction_moments` hook (promises fill it)."""
    needed: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for found in hooks.interaction_moments.call(workspace=workspace):
        for touchpoint_id, readers in found.items():
            needed.setdefault(touchpoint_id, []).extend(readers)
    return needed


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


def timeline_for_customer(
    *,
    workspace: Workspace,
    customer: Customer,
    before: TimelineCursor | None = None,
    limit: int = TIMELINE_PAGE_SIZE,
) -> tuple[list[TimelineEntry], TimelineCursor | None]:
    """The newest `limit` entries after `before`, merged from every registered source
    (`ascolto/interactions/timeline.py`), newest first.

    Each source is asked for at most `limit + 1` rows, so a page costs one query per source
    whatever the length of the history. Returns the entries and the cursor of the next page
    (None when there is nothing older).
    """
    zone = _workspace_zone(workspace)
    entries: list[TimelineEntry] = []
    for source in timeline_sources:
        rows = source.rows(workspace=workspace, customer=customer)
        if before is not None:
            rows = source.older_than(rows, before, zone)
        entries += [
            TimelineEntry(source.kind, source.at(row, zone), row) for row in rows[: limit + 1]
        ]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    page = entries[:limit]
    next_cursor = page[-1].cursor if len(entries) > limit else None
    return page, next_cursor
