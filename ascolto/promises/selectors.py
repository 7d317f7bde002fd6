"""Reads for promises, always scoped to a workspace; aggregates run in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from ascolto.customers.models import Customer
from ascolto.promises.models import (
    Crisis,
    CrisisStep,
    Expectation,
    Promise,
    PromiseCheck,
    TargetType,
)
from ascolto.workspaces.models import Workspace


def promise_list(*, workspace: Workspace, active_only: bool = False) -> QuerySet[Promise]:
    qs = Promise.objects.for_workspace(workspace).select_related(
        "touchpoint", "segment", "question"
    )
    return qs.filter(active=True) if active_only else qs


def crisis_list_open_for_customer(*, workspace: Workspace, customer: Customer) -> QuerySet[Crisis]:
    return (
        Crisis.objects.for_workspace(workspace)
        .filter(customer=customer, closed_at__isnull=True)
        .select_related(
            "promise", "promise_check__interaction__touchpoint", "promise_check__set_by__user"
        )
        .prefetch_related(
            Prefetch("steps", queryset=CrisisStep.objects.select_related("done_by__user"))
        )
        .order_by("-opened_at", "-pk")
    )


def invitation_cautions_open_crisis(*, customer: Customer) -> list[str]:
    """An open broken-promise crisis: the customer is owed a call and an apology before a
    questionnaire (the feedback's `invitation_cautions` hook)."""
    labels = [
        crisis.promise.label
        for crisis in Crisis.objects.filter(
            workspace_id=customer.workspace_id, customer=customer, closed_at__isnull=True
        ).select_related("promise")
    ]
    if not labels:
        return []
    return [
        ngettext(
            "%(customer)s has an open broken promise (%(promises)s): call them first; a "
            "survey now may feel careless.",
            "%(customer)s has open broken promises (%(promises)s): call them first; a "
            "survey now may feel careless.",
            len(labels),
        )
        % {"customer": customer.name, "promises": ", ".join(f"«{label}»" for label in labels)}
    ]


def expectation_list_for_customer(
    *, workspace: Workspace, customer: Customer
) -> QuerySet[Expectation]:
    return (
        Expectation.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("touchpoint")
    )


def promise_list_with_share(*, workspace: Workspace, since) -> QuerySet[Promise]:
    """The catalogue with, per promise, its checks since `since` counted in the database:
    `kept_count` and `measured_count` (kept + broken; not measurable ones are left out)."""
    recent = Q(checks__occurred_at__gte=since)
    return promise_list(workspace=workspace).annotate(
        kept_count=Count("checks", filter=recent & Q(checks__outcome=PromiseCheck.Outcome.KEPT)),
        measured_count=Count(
            "checks",
            filter=recent
            & Q(checks__outcome__in=[PromiseCheck.Outcome.KEPT, PromiseCheck.Outcome.BROKEN]),
        ),
    )


def promise_check_list(
    *, workspace: Workspace, promise: Promise, outcome: str = ""
) -> QuerySet[PromiseCheck]:
    qs = (
        PromiseCheck.objects.for_workspace(workspace)
        .filter(promise=promise)
        .select_related("customer", "interaction__touchpoint", "set_by__user", "crisis")
    )
    return qs.filter(outcome=outcome) if outcome else qs


# Flags not recorded within this many days stay "not measurable": the panel stops asking.
WAITING_DAYS = 30


def promise_check_list_waiting_for_customer(
    *, workspace: Workspace, customer: Customer, limit: int = 10
) -> list[PromiseCheck]:
    """The customer's recent checks that only staff can settle (flags not yet recorded in the
    last WAITING_DAYS days; older ones are history, not a to-do)."""
    return list(
        PromiseCheck.objects.for_workspace(workspace)
        .filter(
            customer=customer,
            occurred_at__gte=timezone.now() - timedelta(days=WAITING_DAYS),
            outcome=PromiseCheck.Outcome.NOT_MEASURABLE,
            manual=False,
            promise__target_type=TargetType.FLAG,
            promise__active=True,
        )
        .select_related("promise", "interaction__touchpoint")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def promise_measure_names(*, workspace: Workspace) -> dict[str, list[str]]:
    """The measured values the workspace's active threshold promises read, each with the
    names of those promises: {"defects": ["Consegna senza difetti"], ...}."""
    names: dict[str, list[str]] = {}
    for promise in (
        Promise.objects.for_workspace(workspace)
        .filter(active=True, target_type=TargetType.THRESHOLD)
        .exclude(measure="")
        .order_by("measure", "name_it", "pk")
        .only("measure", "name_it", "name_en")
    ):
        names.setdefault(promise.measure, []).append(promise.label)
    return names


def promise_moments_by_touchpoint(
    *, workspace: Workspace
) -> dict[int, list[tuple[str, tuple[str, ...]]]]:
    """The time fields each active duration or punctuality promise reads, by touchpoint:
    {touchpoint id: [("Consegna puntuale", ("scheduled_for", "started_at")), ...]} (the
    interactions' `interaction_moments` hook)."""
    from ascolto.promises.evaluation import moments_read

    found: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for promise in (
        Promise.objects.for_workspace(workspace)
        .filter(active=True, target_type__in=[TargetType.DURATION, TargetType.PUNCTUALITY])
        .order_by("name_it", "pk")
        .only("touchpoint_id", "target_type", "start_moment", "end_moment", "name_it", "name_en")
    ):
        found.setdefault(promise.touchpoint_id, []).append((promise.label, moments_read(promise)))
    return found


# Relationship surveys wait this long after a broken promise, even one handled quickly.
BROKEN_PROMISE_QUIET_DAYS = 7


def customer_ids_after_broken_promise(
    *, workspace: Workspace, now: datetime | None = None
) -> QuerySet:
    """Ids of customers who must not get a relationship survey because of a broken promise,
    as a subquery (the feedback cadence's `cadence_quiet_customers` hook).

    The rule ("none in the days right after a broken promise until it is handled"), read as:

    - while a broken-promise crisis is open (not yet handled), however old: the customer is
      owed a call and an apology first, not a questionnaire; an open crisis stays on the
      customer page as a red siren, so it does not go unnoticed for long;
    - and for `BROKEN_PROMISE_QUIET_DAYS` days after the promise was broken even when it was
      handled quickly: a survey the day after the apology reads as a box being ticked.

    A crisis withdrawn because the check was corrected to "kept" was a false alarm and
    suppresses nothing. A crisis opened after `now`, or handled after it, is judged as it
    stood at `now`, so the cadence can be replayed over past dates.
    """
    now = now or timezone.now()
    return (
        Crisis.objects.for_workspace(workspace)
        .filter(opened_at__lte=now, withdrawn=False)
        .filter(
            Q(closed_at__isnull=True)
            | Q(closed_at__gt=now)
            | Q(opened_at__gt=now - timedelta(days=BROKEN_PROMISE_QUIET_DAYS))
        )
        .values("customer_id")
    )
