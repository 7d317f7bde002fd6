"""Writes for customers, contracts and lost-customer records."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.customers import hooks
from ascolto.customers.models import (
    ConsentEvent,
    Contract,
    Customer,
    LostReason,
    LostRecord,
    Segment,
)
from ascolto.lib.updates import model_update, refuse_unknown_fields
from ascolto.workspaces.guards import require_member
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


class StatusChangeRefused(Exception):
    """A customer's status cannot change as asked; `reason` says why, in the active language.
    `field` names the form field the reason belongs to; `next_url`, when set, is the page that
    asks for what is missing (the lost-customer form, the fit check)."""

    def __init__(self, reason: str, *, field: str | None = None, next_url: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.next_url = next_url


def lost_reasons_install_defaults(*, workspace: Workspace) -> None:
    """The default reasons of a new workspace (the system's, called by `workspace_create`)."""
    LostReason.objects.bulk_create(
        [
            LostReason(workspace=workspace, code=code, name_it=it, name_en=en)
            for code, it, en in DEFAULT_LOST_REASONS
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def segment_get_or_create(*, workspace: Workspace, by: Membership, name: str) -> Segment:
    """The segment called `name` (any case), created when new. Any member: naming a new
    segment on a customer's form creates it."""
    require_member(by, workspace, Role.AGENT)
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
    by: Membership,
    segment_name: str | None = None,
    **fields: Any,
) -> Customer:
    """Create a customer. `segment_name`, when given, picks the segment of that name (any case)
    or creates it; the account owner defaults to `by`. Any member records customers; giving
    them another member as account owner is for managers and owners."""
    require_member(by, workspace, Role.AGENT)
    refuse_unknown_fields(Customer, fields, CUSTOMER_FIELDS)
    owner = fields.get("account_owner", by)
    if owner != by:
        require_member(by, workspace, Role.MANAGER)
    if segment_name is not None:
        fields["segment"] = _segment_for_name(workspace=workspace, by=by, name=segment_name)
    if fields.get("status") == Customer.Status.LOST:
        raise StatusChangeRefused(
            _("Create the customer first, then mark them as lost with the reason they left."),
            field="status",
        )
    customer = Customer(workspace=workspace, **{**fields, "account_owner": owner})
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, by: Membership, segment_name: str | None = None, **fields: Any
) -> Customer:
    """Change a customer's fields; `segment_name` works as in `customer_create`. Any member
    may; changing the account owner is for managers and owners.

    A change of status goes through the service that owns it, whatever page asked: a prospect
    becomes a customer through `customer_activate` (the fit check runs, a misfit needs a
    manager's reason), and a customer is lost only through `lost_record_create` (the reason
    they left is asked), so this refuses the change to "lost"."""
    require_member(by, customer.workspace_id, Role.AGENT)
    refuse_unknown_fields(Customer, fields, CUSTOMER_FIELDS)
    stored_status = _stored_status(customer)
    new_status = fields.pop("status", stored_status)
    if new_status != stored_status:
        if new_status == Customer.Status.LOST:
            customer.status = stored_status
            raise StatusChangeRefused(
                _("To mark a customer as lost, say why they left."),
                field="status",
                next_url=reverse("customers:lost-record-create", args=[customer.pk]),
            )
        if stored_status == Customer.Status.PROSPECT and new_status == Customer.Status.ACTIVE:
            customer.status = stored_status
            _update_fields(customer=customer, by=by, segment_name=segment_name, fields=fields)
            customer_activate(customer=customer, by=by)
            return customer
        fields["status"] = new_status
    return _update_fields(customer=customer, by=by, segment_name=segment_name, fields=fields)


def _update_fields(
    *, customer: Customer, by: Membership, segment_name: str | None, fields: dict[str, Any]
) -> Customer:
    if segment_name is not None:
        fields["segment"] = _segment_for_name(
            workspace=customer.workspace, by=by, name=segment_name
        )
    if "account_owner" in fields:
        owner = fields["account_owner"]
        if (owner.pk if owner is not None else None) != _stored_owner_id(customer):
            require_member(by, customer.workspace_id, Role.MANAGER)
    model_update(customer, fields, CUSTOMER_FIELDS)
    return customer


@transaction.atomic
def customer_activate(*, customer: Customer, by: Membership, reason: str = "") -> list[Any]:
    """Make a prospect a customer. Every function of `hooks.customer_activating` runs first
    (the fit check of promises) and may refuse with `StatusChangeRefused`; what they return
    (the record of a decision taken despite a misfit, or None) is returned. Any member may ask;
    the hooks decide who may take a prospect whose needs do not fit. The row is locked, so a
    second submission finds an active customer and is refused."""
    require_member(by, customer.workspace_id, Role.AGENT)
    locked = Customer.objects.select_for_update().get(
        pk=customer.pk, workspace_id=customer.workspace_id
    )
    if locked.status != Customer.Status.PROSPECT:
        raise StatusChangeRefused(_("%(name)s is not a prospect.") % {"name": locked.name})
    results = hooks.customer_activating.call(customer=locked, by=by, reason=reason)
    locked.status = Customer.Status.ACTIVE
    locked.save(update_fields=["status", "updated_at"])
    customer.status = locked.status
    return results


def _stored_status(customer: Customer) -> str:
    """The status in the database (a bound form may have changed the object already)."""
    if customer.pk is None:
        return customer.status
    stored = Customer.objects.filter(pk=customer.pk).values_list("status", flat=True).first()
    return stored if stored is not None else customer.status


def _stored_owner_id(customer: Customer) -> int | None:
    """The account owner in the database (a bound form may have changed the object already)."""
    return (
        Customer.objects.filter(pk=customer.pk).values_list("account_owner_id", flat=True).first()
    )


def _segment_for_name(*, workspace: Workspace, by: Membership, name: str) -> Segment | None:
    name = (name or "").strip()
    return segment_get_or_create(workspace=workspace, by=by, name=name) if name else None


@transaction.atomic
def customer_delete(*, customer: Customer, by: Membership) -> None:
    """Delete a customer and their whole history. Managers and owners only."""
    require_member(by, customer.workspace_id, Role.MANAGER)
    customer.delete()


@transaction.atomic
def contract_create(*, customer: Customer, by: Membership, **fields: Any) -> Contract:
    """Record a contract: its value and renewal are commercial terms, for managers and owners."""
    require_member(by, customer.workspace_id, Role.MANAGER)
    refuse_unknown_fields(Contract, fields, CONTRACT_FIELDS)
    contract = Contract(workspace_id=customer.workspace_id, customer=customer, **fields)
    contract.full_clean()
    contract.save()
    return contract


@transaction.atomic
def contract_update(*, contract: Contract, by: Membership, **fields: Any) -> Contract:
    """Change a contract's terms (managers and owners)."""
    require_member(by, contract.workspace_id, Role.MANAGER)
    model_update(contract, fields, CONTRACT_FIELDS)
    return contract


@transaction.atomic
def lost_record_create(
    *,
    customer: Customer,
    by: Membership,
    lost_on: date,
    reason: LostReason,
    details: str = "",
    competitor: str = "",
) -> LostRecord:
    """Record that a customer left, and mark them lost. Any member."""
    require_member(by, customer.workspace_id, Role.AGENT)
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
    hooks.customer_lost.call(record=record)
    return record


def _consent_record(
    customer: Customer, *, withdrawn: bool, source: str, by: Membership | None
) -> bool:
    """Change the stored wish if it differs (conditional update, so a double click records one
    event) and write its history row. Returns whether anything changed."""
    rows = Customer.objects.filter(pk=customer.pk)
    if withdrawn:
        now = timezone.now()
        changed = rows.filter(surveys_opted_out_at__isnull=True).update(surveys_opted_out_at=now)
    else:
        changed = rows.filter(surveys_opted_out_at__isnull=False).update(surveys_opted_out_at=None)
    if not changed:
        return False
    customer.refresh_from_db(fields=["surveys_opted_out_at"])
    ConsentEvent.objects.create(
        workspace_id=customer.workspace_id,
        customer=customer,
        action=ConsentEvent.Action.WITHDRAWN if withdrawn else ConsentEvent.Action.GIVEN,
        source=source,
        by=by,
    )
    return True


@transaction.atomic
def customer_surveys_opt_out(*, customer: Customer, source: str) -> bool:
    """The customer asks for no more surveys, themselves (the unsubscribe link of a survey
    email, found by its unguessable token) or through their erasure: the system acts, no
    member. Returns False when they had asked already."""
    if source not in (
        ConsentEvent.Source.LINK,
        ConsentEvent.Source.ONE_CLICK,
        ConsentEvent.Source.ERASURE,
    ):
        raise ValueError(f"unknown source {source!r}")
    return _consent_record(customer, withdrawn=True, source=source, by=None)


@transaction.atomic
def customer_surveys_consent_set(*, customer: Customer, by: Membership, wanted: bool) -> bool:
    """A member records the customer's word ("no more surveys", or "surveys again")."""
    require_member(by, customer.workspace_id, Role.AGENT)
    return _consent_record(customer, withdrawn=not wanted, source=ConsentEvent.Source.STAFF, by=by)
