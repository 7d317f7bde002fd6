"""Writes for customers, contracts and lost-customer records."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ascolto.customers.models import Contract, Customer, LostReason, LostRecord, Segment
from ascolto.workspaces.models import Membership, Role, Workspace

DEFAULT_LOST_REASONS = [
    ("prezzo", "Prezzo", "Price"),
    ("promessa-non-mantenuta", "Promessa non mantenuta", "Broken promise"),
    ("servizio", "Servizio", "Service"),
    ("concorrente", "Passato a un concorrente", "Moved to a competitor"),
    ("cessata-attivita", "Cessata attività", "Closed down"),
    ("qualita", "Qualità", "Quality"),
    ("comunicazione", "Comunicazione", "Communication"),
    ("altro", "Altro", "Other"),
]

CUSTOMER_FIELDS = (
    "kind",
    "name",
    "company",
    "email",
    "phone",
    "preferred_language",
    "segment",
    "account_owner",
    "status",
    "notes",
)

CONTRACT_FIELDS = ("title", "start_date", "renewal_date", "yearly_value", "auto_renew")


def lost_reasons_install_defaults(*, workspace: Workspace) -> None:
    LostReason.objects.bulk_create(
        [
            LostReason(workspace=workspace, code=code, name_it=it, name_en=en)
            for code, it, en in DEFAULT_LOST_REASONS
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def segment_get_or_create(*, workspace: Workspace, name: str) -> Segment:
    name = name.strip()
    segment = Segment.objects.filter(workspace=workspace, name__iexact=name).first()
    if segment is None:
        segment = Segment(workspace=workspace, name=name)
        segment.full_clean()
        segment.save()
    return segment


@transaction.atomic
def customer_create(
    *,
    workspace: Workspace,
    by: Membership | None,
    segment_name: str | None = None,
    **fields: Any,
) -> Customer:
    """Create a customer. `segment_name`, when given, picks the segment of that name (any case)
    or creates it; the account owner defaults to `by`."""
    if segment_name is not None:
        fields["segment"] = _segment_for_name(workspace=workspace, name=segment_name)
    customer = Customer(
        workspace=workspace, **{k: v for k, v in fields.items() if k in CUSTOMER_FIELDS}
    )
    if customer.account_owner_id is None and by is not None and "account_owner" not in fields:
        customer.account_owner = by
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, by: Membership, segment_name: str | None = None, **fields: Any
) -> Customer:
    """Change a customer's fields; `segment_name` works as in `customer_create`."""
    if segment_name is not None:
        fields["segment"] = _segment_for_name(workspace=customer.workspace, name=segment_name)
    for key, value in fields.items():
        if key in CUSTOMER_FIELDS:
            setattr(customer, key, value)
    customer.full_clean()
    customer.save()
    return customer


def _segment_for_name(*, workspace: Workspace, name: str) -> Segment | None:
    name = (name or "").strip()
    return segment_get_or_create(workspace=workspace, name=name) if name else None


@transaction.atomic
def customer_delete(*, customer: Customer, by: Membership) -> None:
    """Delete a customer and their whole history. Managers and owners only."""
    if by.workspace_id != customer.workspace_id or not by.has_role(Role.MANAGER):
        raise PermissionDenied
    customer.delete()


@transaction.atomic
def contract_create(*, customer: Customer, by: Membership, **fields: Any) -> Contract:
    contract = Contract(
        workspace_id=customer.workspace_id,
        customer=customer,
        **{k: v for k, v in fields.items() if k in CONTRACT_FIELDS},
    )
    contract.full_clean()
    contract.save()
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, by: Membership, **fields: Any) -> Contract:
    for key, value in fields.items():
        if key in CONTRACT_FIELDS:
            setattr(contract, key, value)
    contract.full_clean()
    contract.save()
    return contract


@transaction.atomic
def lost_record_create(
    *,
    customer: Customer,
    by: Membership | None,
    lost_on: date,
    reason: LostReason,
    details: str = "",
    competitor: str = "",
) -> LostRecord:
    """Record that a customer left, and mark them lost."""
    record = LostRecord(
        workspace_id=customer.workspace_id,
        customer=customer,
        lost_on=lost_on,
        reason=reason,
        details=details,
        competitor=competitor,
        recorded_by=by,
    )
    record.full_clean()
    record.save()
    if customer.status != Customer.Status.LOST:
        customer.status = Customer.Status.LOST
        customer.save(update_fields=["status", "updated_at"])
    return record
