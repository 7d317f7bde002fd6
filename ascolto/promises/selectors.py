"""Reads for promises, always scoped to a workspace; aggregates run in the database."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ascolto.customers.models import Customer
from ascolto.promises.models import Crisis, CrisisStep, Expectation, Promise
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
        .select_related("promise", "promise_check__interaction__touchpoint")
        .prefetch_related(
            Prefetch("steps", queryset=CrisisStep.objects.select_related("done_by__user"))
        )
        .order_by("-opened_at", "-pk")
    )


def expectation_list_for_customer(
    *, workspace: Workspace, customer: Customer
) -> QuerySet[Expectation]:
    return (
        Expectation.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("touchpoint")
    )
