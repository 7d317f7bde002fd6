"""Reads for customers. Every function takes the workspace first and never leaves it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ascolto.customers.models import (
    ConsentEvent,
    Contract,
    Customer,
    LostReason,
    LostRecord,
    Segment,
)
from ascolto.workspaces.models import Workspace


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    segment: int | None = None
    status: str = ""
    owner: int | None = None
    kind: str = ""


def customer_list(
    *, workspace: Workspace, filters: CustomerFilters | None = None
) -> QuerySet[Customer]:
    filters = filters or CustomerFilters()
    qs = Customer.objects.for_workspace(workspace).select_related("segment", "account_owner__user")
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(company__icontains=term)
            | Q(email__icontains=term)
            | Q(phone__icontains=term)
        )
    if filters.segment:
        qs = qs.filter(segment_id=filters.segment)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner:
        qs = qs.filter(account_owner_id=filters.owner)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("name", "pk")


def segment_list(*, workspace: Workspace) -> QuerySet[Segment]:
    return Segment.objects.for_workspace(workspace).order_by("name")


def segment_by_name(*, workspace: Workspace, name: str) -> Segment | None:
    """The workspace's segment of that name, whatever its capitals."""
    return Segment.objects.filter(workspace=workspace, name__iexact=name.strip()).first()


def lost_reason_list(*, workspace: Workspace, active_only: bool = True) -> QuerySet[LostReason]:
    qs = LostReason.objects.for_workspace(workspace)
    return qs.filter(active=True) if active_only else qs


def contract_list_for_customer(*, workspace: Workspace, customer: Customer) -> QuerySet[Contract]:
    return (
        Contract.objects.for_workspace(workspace)
        .filter(customer=customer)
        .order_by("-start_date", "-pk")
    )


def lost_record_list_for_customer(
    *, workspace: Workspace, customer: Customer
) -> QuerySet[LostRecord]:
    return (
        LostRecord.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("reason", "recorded_by__user")
        .order_by("-lost_on", "-pk")
    )


def consent_event_list_for_customer(
    *, workspace: Workspace, customer: Customer
) -> QuerySet[ConsentEvent]:
    return (
        ConsentEvent.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("by__user")
        .order_by("-at", "-pk")
    )
