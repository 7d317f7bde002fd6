"""Reads for cases, always scoped to a workspace. Other apps (customer health, the API) read
cases only through these: open cases and missed deadlines per customer among them."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils import timezone

from ascolto.cases.models import OPEN_STATUSES, Case, CaseCategory, CaseEvent, SlaAlert
from ascolto.customers.models import Customer
from ascolto.workspaces.models import Workspace


def case_category_list(*, workspace: Workspace, active_only: bool = True) -> QuerySet[CaseCategory]:
    qs = CaseCategory.objects.for_workspace(workspace)
    return qs.filter(active=True) if active_only else qs


def case_list(*, workspace: Workspace) -> QuerySet[Case]:
    return Case.objects.for_workspace(workspace).select_related(
        "customer", "category", "owner__user"
    )


def case_list_open(*, workspace: Workspace, customer: Customer | None = None) -> QuerySet[Case]:
    """Open cases (new, taken in charge, in progress), soonest deadline first."""
    qs = case_list(workspace=workspace).filter(status__in=OPEN_STATUSES)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.order_by(F("resolve_due_at").asc(nulls_last=True), "opened_at", "pk")


def case_get(*, workspace: Workspace, pk: int) -> Case:
    return case_list(workspace=workspace).get(pk=pk)


def case_event_list(*, workspace: Workspace, case: Case) -> QuerySet[CaseEvent]:
    return (
        CaseEvent.objects.for_workspace(workspace)
        .filter(case=case)
        .select_related("by__user")
        .order_by("at", "pk")
    )


def case_event_list_for_customer(
    *, workspace: Workspace, customer: Customer
) -> QuerySet[CaseEvent]:
    """A customer's case events, newest first: the timeline's "case" source."""
    return (
        CaseEvent.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("case__category", "by__user")
        .order_by("-at", "-pk")
    )


def customer_ids_with_open_case(*, workspace: Workspace, now: datetime | None = None) -> QuerySet:
    """Ids of customers with an open case, as a one-column subquery: relationship surveys wait
    for them (`feedback.hooks.cadence_quiet_customers`)."""
    return (
        Case.objects.for_workspace(workspace).filter(status__in=OPEN_STATUSES).values("customer_id")
    )


def case_open_counts_by_customer(*, workspace: Workspace) -> dict[int, int]:
    """{customer id: number of open cases}, counted in the database."""
    rows = (
        Case.objects.for_workspace(workspace)
        .filter(status__in=OPEN_STATUSES)
        .values("customer_id")
        .annotate(n=Count("pk"))
    )
    return {row["customer_id"]: row["n"] for row in rows}


def sla_breach_counts_by_customer(
    *, workspace: Workspace, since: datetime | None = None
) -> dict[int, int]:
    """{customer id: number of missed deadlines since `since` (default: 90 days)}."""
    since = since or timezone.now() - timedelta(days=90)
    rows = (
        SlaAlert.objects.for_workspace(workspace)
        .filter(level=SlaAlert.Level.BREACH, created_at__gte=since)
        .values("case__customer_id")
        .annotate(n=Count("pk"))
    )
    return {row["case__customer_id"]: row["n"] for row in rows}


def case_list_breached(*, workspace: Workspace, customer: Customer | None = None) -> QuerySet[Case]:
    """Open cases with at least one missed deadline."""
    breached = SlaAlert.objects.filter(case=OuterRef("pk"), level=SlaAlert.Level.BREACH)
    qs = case_list_open(workspace=workspace, customer=customer).filter(Exists(breached))
    return qs


def case_open_for_category(*, customer: Customer, category: CaseCategory) -> Case | None:
    """The customer's open case of this category, oldest first, or None."""
    return (
        Case.objects.filter(
            workspace_id=customer.workspace_id,
            customer=customer,
            category=category,
            status__in=OPEN_STATUSES,
        )
        .order_by("opened_at", "pk")
        .first()
    )
