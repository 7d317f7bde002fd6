"""Reads for the customer timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from ascolto.customers.models import Customer
from ascolto.interactions.models import Interaction, StaffSignal, Touchpoint
from ascolto.workspaces.models import Workspace


@dataclass(frozen=True)
class TimelineEntry:
    """One row of a customer's timeline, whatever kind of record it comes from."""

    kind: str  # "interaction", "signal", "lost"
    at: datetime
    obj: Any

    @property
    def template(self) -> str:
        return f"interactions/_timeline_{self.kind}.html"


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


def timeline_for_customer(
    *, workspace: Workspace, customer: Customer, before: datetime | None = None, limit: int = 50
) -> tuple[list[TimelineEntry], datetime | None]:
    """The newest `limit` entries older than `before`, merged from every source, newest first.

    Each source is asked for at most `limit` rows, so a page costs one query per source whatever
    the length of the history. Returns the entries and the cursor for the next page (or None).
    """
    from ascolto.customers.selectors import lost_record_list_for_customer

    interactions = interaction_list_for_customer(workspace=workspace, customer=customer)
    signals = (
        StaffSignal.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("member__user")
        .order_by("-created_at", "-pk")
    )
    losts = lost_record_list_for_customer(workspace=workspace, customer=customer)
    if before is not None:
        interactions = interactions.filter(occurred_at__lt=before)
        signals = signals.filter(created_at__lt=before)
    entries = [TimelineEntry("interaction", i.occurred_at, i) for i in interactions[: limit + 1]]
    entries += [TimelineEntry("signal", s.created_at, s) for s in signals[: limit + 1]]
    for record in losts[: limit + 1]:
        at = datetime.combine(record.lost_on, datetime.min.time(), tzinfo=record.created_at.tzinfo)
        if before is None or at < before:
            entries.append(TimelineEntry("lost", at, record))
    entries.sort(key=lambda e: e.at, reverse=True)
    page = entries[:limit]
    next_cursor = page[-1].at if len(entries) > limit else None
    return page, next_cursor
