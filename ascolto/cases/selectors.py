"""Reads for cases, always scoped to a workspace. Other apps (customer health, the API) read
cases only through these: open cases and missed deadlines per customer among them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ascolto.cases.models import OPEN_STATUSES, Case, CaseCategory, CaseEvent, Remedy, SlaAlert
from ascolto.customers.models import Contract, Customer
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


@dataclass(frozen=True)
class Ledger:
    """What service recovery cost: granted remedies summed in the database."""

    total: Decimal
    pending: Decimal
    by_month: dict[date, Decimal]
    by_category: dict[str, Decimal]
    by_member: dict[int | None, Decimal]
    by_kind: dict[str, Decimal]
    # The yearly contract value of the customers given a remedy who are still customers.
    kept_value: Decimal


def remedy_list(*, workspace: Workspace, case: Case | None = None) -> QuerySet[Remedy]:
    qs = Remedy.objects.for_workspace(workspace).select_related(
        "case__customer", "case__category", "requested_by__user", "decided_by__user"
    )
    return qs.filter(case=case) if case is not None else qs


def remedy_list_pending(*, workspace: Workspace) -> QuerySet[Remedy]:
    return remedy_list(workspace=workspace).filter(status=Remedy.Status.PENDING)


def remedy_ledger(
    *, workspace: Workspace, start: datetime | None = None, end: datetime | None = None
) -> Ledger:
    """Totals of granted remedies (decided between `start` and `end` when given) per month (in
    the workspace's time zone), category, member and kind."""
    qs = Remedy.objects.for_workspace(workspace)
    if start is not None:
        qs = qs.filter(decided_at__gte=start)
    if end is not None:
        qs = qs.filter(decided_at__lt=end)
    granted = qs.filter(status=Remedy.Status.GRANTED)
    zone = ZoneInfo(workspace.time_zone)

    def by(field: str) -> dict[Any, Decimal]:
        rows = granted.values(field).annotate(total=Sum("amount")).order_by(field)
        return {row[field]: row["total"] for row in rows}

    months = (
        granted.annotate(month=TruncMonth("decided_at", tzinfo=zone))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    kept_customers = granted.exclude(case__customer__status=Customer.Status.LOST).values(
        "case__customer_id"
    )
    kept = Contract.objects.filter(workspace=workspace, customer_id__in=kept_customers).aggregate(
        v=Sum("yearly_value")
    )["v"]
    return Ledger(
        total=granted.aggregate(t=Sum("amount"))["t"] or Decimal(0),
        pending=qs.filter(status=Remedy.Status.PENDING).aggregate(t=Sum("amount"))["t"]
        or Decimal(0),
        by_month={row["month"].date(): row["total"] for row in months},
        by_category=by("case__category__code"),
        by_member=by("decided_by_id"),
        by_kind=by("kind"),
        kept_value=kept or Decimal(0),
    )
