"""Records sent in by other systems (the API and spreadsheet imports): found again by the
external id the other system gives them, or a customer by email, and otherwise created, always
through the owning app's services, which check who acts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from ascolto.api.models import ExternalRef
from ascolto.customers import services as customer_services
from ascolto.customers.models import Contract, Customer
from ascolto.interactions import services as interaction_services
from ascolto.interactions.models import Interaction
from ascolto.workspaces.models import Membership, Workspace

EXTERNAL_ID_MAX = 200


@dataclass(frozen=True)
class Upserted:
    obj: Any
    created: bool


def external_id_clean(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > EXTERNAL_ID_MAX:
        raise ValidationError(
            {"external_id": _("Use at most %(n)s characters.") % {"n": EXTERNAL_ID_MAX}}
        )
    return value


def external_ref_find(
    *, workspace: Workspace, kind: str, external_id: str, model: type[Model]
) -> Any | None:
    """The record of `workspace` with this external id, or None (also when it was deleted)."""
    object_id = (
        ExternalRef.objects.filter(workspace=workspace, kind=kind, external_id=external_id)
        .values_list("object_id", flat=True)
        .first()
    )
    if object_id is None:
        return None
    return model._default_manager.filter(workspace=workspace, pk=object_id).first()  # type: ignore[attr-defined]


def external_ids_of(*, workspace: Workspace, kind: str, object_ids: list[int]) -> dict[int, str]:
    """External id of each of these records (one query), for the answers."""
    rows = ExternalRef.objects.filter(
        workspace=workspace, kind=kind, object_id__in=object_ids
    ).values_list("object_id", "external_id")
    return dict(rows)


def _remember(*, workspace: Workspace, kind: str, external_id: str, object_id: int) -> None:
    """Tie `external_id` to the record, replacing a tie to a deleted record or the record's
    previous external id."""
    ExternalRef.objects.filter(workspace=workspace, kind=kind, external_id=external_id).delete()
    ExternalRef.objects.filter(workspace=workspace, kind=kind, object_id=object_id).delete()
    try:
        with transaction.atomic():
            ExternalRef.objects.create(
                workspace=workspace, kind=kind, external_id=external_id, object_id=object_id
            )
    except IntegrityError:
        raise ValidationError(
            {"external_id": _("Another request is using this external id; try again.")}
        ) from None


@transaction.atomic
def customer_upsert(
    *,
    workspace: Workspace,
    by: Membership,
    external_id: str = "",
    segment_name: str | None = None,
    match_email: bool = True,
    **fields: Any,
) -> Upserted:
    """The customer with `external_id`, else (when `match_email`) with the same email, any
    case, updated with `fields`; a new customer when there is none."""
    external_id = external_id_clean(external_id)
    existing = None
    if external_id:
        existing = external_ref_find(
            workspace=workspace,
            kind=ExternalRef.Kind.CUSTOMER,
            external_id=external_id,
            model=Customer,
        )
    email = (fields.get("email") or "").strip()
    if existing is None and match_email and email:
        existing = (
            Customer.objects.for_workspace(workspace).filter(email__iexact=email).order_by("pk")
        ).first()
    if existing is None:
        if not (fields.get("name") or "").strip():
            raise ValidationError({"name": _("This field is required.")})
        customer = customer_services.customer_create(
            workspace=workspace, by=by, segment_name=segment_name, **fields
        )
        created = True
    else:
        customer = customer_services.customer_update(
            customer=existing, by=by, segment_name=segment_name, **fields
        )
        created = False
    if external_id:
        _remember(
            workspace=workspace,
            kind=ExternalRef.Kind.CUSTOMER,
            external_id=external_id,
            object_id=customer.pk,
        )
    return Upserted(customer, created)


@transaction.atomic
def contract_upsert(
    *, customer: Customer, by: Membership, external_id: str = "", **fields: Any
) -> Upserted:
    """The contract with `external_id` updated, or a new contract of `customer`."""
    workspace = customer.workspace
    external_id = external_id_clean(external_id)
    existing = None
    if external_id:
        existing = external_ref_find(
            workspace=workspace,
            kind=ExternalRef.Kind.CONTRACT,
            external_id=external_id,
            model=Contract,
        )
    if existing is None:
        contract = customer_services.contract_create(customer=customer, by=by, **fields)
        created = True
    else:
        if existing.customer_id != customer.pk:
            raise ValidationError(
                {"external_id": _("This external id belongs to another customer's contract.")}
            )
        contract = customer_services.contract_update(contract=existing, by=by, **fields)
        created = False
    if external_id:
        _remember(
            workspace=workspace,
            kind=ExternalRef.Kind.CONTRACT,
            external_id=external_id,
            object_id=contract.pk,
        )
    return Upserted(contract, created)


@transaction.atomic
def interaction_upsert(
    *, customer: Customer, by: Membership, external_id: str = "", **fields: Any
) -> Upserted:
    """Record an interaction (the promise checks run, as from the timeline), or, for an
    external id seen before, update that interaction (and run them again)."""
    workspace = customer.workspace
    external_id = external_id_clean(external_id)
    existing = None
    if external_id:
        existing = external_ref_find(
            workspace=workspace,
            kind=ExternalRef.Kind.INTERACTION,
            external_id=external_id,
            model=Interaction,
        )
    if existing is None:
        interaction = interaction_services.interaction_record(customer=customer, by=by, **fields)
        created = True
    else:
        if existing.customer_id != customer.pk:
            raise ValidationError(
                {"external_id": _("This external id belongs to another customer's interaction.")}
            )
        interaction = interaction_services.interaction_update(interaction=existing, by=by, **fields)
        created = False
    if external_id:
        _remember(
            workspace=workspace,
            kind=ExternalRef.Kind.INTERACTION,
            external_id=external_id,
            object_id=interaction.pk,
        )
    return Upserted(interaction, created)
