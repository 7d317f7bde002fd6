"""Reads for public reviews, always scoped to one workspace; aggregates in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from ascolto.customers.models import Customer
from ascolto.voice.models import MatchState, Review, Source
from ascolto.workspaces.models import Workspace


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
