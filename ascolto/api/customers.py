"""Customers, segments and contracts: `/api/v1/customers`, `/segments`, `/contracts`."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascolto.api.base import ERRORS, Pages, get_in_workspace, member_of, workspace_of
from ascolto.api.errors import errors_of
from ascolto.api.models import ExternalRef
from ascolto.api.services import records
from ascolto.customers import selectors as customer_selectors
from ascolto.customers import services as customer_services
from ascolto.customers.models import Contract, Customer, Segment

router = Router(tags=["customers"])

Text200 = Field(None, max_length=200)


def with_external_id(qs: QuerySet, kind: str) -> QuerySet:
    refs = ExternalRef.objects.filter(
        workspace=OuterRef("workspace"), kind=kind, object_id=OuterRef("pk")
    )
    return qs.annotate(external_id=Subquery(refs.values("external_id")[:1]))


def one_with_external_id(obj, kind: str):
    obj.external_id = (
        ExternalRef.objects.filter(workspace_id=obj.workspace_id, kind=kind, object_id=obj.pk)
        .values_list("external_id", flat=True)
        .first()
    )
    return obj


# --- Customers -----------------------------------------------------------------------------------
class CustomerOut(Schema):
    id: int
    external_id: str | None = None
    kind: str
    name: str
    company: str
    email: str
    phone: str
    preferred_language: str
    segment: str | None
    status: str
    notes: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_segment(obj: Customer) -> str | None:
        return obj.segment.name if obj.segment_id else None


class CustomerIn(Schema):
    """A customer to create or update. With `external_id` (your system's id) or, failing that,
    an `email` already known, the existing customer is updated instead of a new one made."""

    external_id: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    kind: Literal["external", "internal"] | None = None
    company: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    preferred_language: Literal["it", "en"] | None = None
    segment: str | None = Field(None, max_length=100, description="Segment name; made if new.")
    status: Literal["prospect", "active", "lost"] | None = None
    notes: str | None = Field(None, max_length=10_000)


class CustomerPatch(Schema):
    name: str | None = Field(None, max_length=200)
    kind: Literal["external", "internal"] | None = None
    company: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    preferred_language: Literal["it", "en"] | None = None
    segment: str | None = Field(None, max_length=100)
    status: Literal["prospect", "active", "lost"] | None = None
    notes: str | None = Field(None, max_length=10_000)


class CustomerFilter(Schema):
    q: str = Field("", max_length=200, description="Part of name, company, email or phone.")
    segment: int | None = Field(None, ge=1, le=2**62)
    status: Literal["prospect", "active", "lost", ""] = ""
    kind: Literal["external", "internal", ""] = ""
    email: str = Field("", max_length=254, description="Exact email, any case.")
    external_id: str = Field("", max_length=200)


TEXT_FIELDS = {"company", "email", "phone", "notes"}


def _customer_fields(data: Schema) -> tuple[dict, str | None]:
    """The fields sent (null empties a text field), and the segment name ("" clears it;
    None leaves it)."""
    fields = {}
    for key, value in data.dict(exclude_unset=True, exclude={"external_id", "segment"}).items():
        if value is None:
            if key in TEXT_FIELDS:
                fields[key] = ""
            continue
        fields[key] = value
    segment = None
    if "segment" in data.model_fields_set:
        segment = getattr(data, "segment", None) or ""
    return fields, segment


@router.get("/customers", response=list[CustomerOut], summary="List customers")
@paginate(Pages)
def customer_list(request: HttpRequest, filters: Query[CustomerFilter]):
    workspace = workspace_of(request)
    qs = customer_selectors.customer_list(
        workspace=workspace,
        filters=customer_selectors.CustomerFilters(
            q=filters.q, segment=filters.segment, status=filters.status, kind=filters.kind
        ),
    )
    if filters.email:
        qs = qs.filter(email__iexact=filters.email.strip())
    if filters.external_id:
        ids = ExternalRef.objects.filter(
            workspace=workspace, kind=ExternalRef.Kind.CUSTOMER, external_id=filters.external_id
        ).values("object_id")
        qs = qs.filter(pk__in=ids)
    return with_external_id(qs, ExternalRef.Kind.CUSTOMER)


@router.get(
    "/customers/lookup",
    response={200: CustomerOut, **ERRORS},
    summary="Find one customer by external id or email",
)
def customer_lookup(
    request: HttpRequest,
    external_id: str = Query("", max_length=200),
    email: str = Query("", max_length=254),
):
    workspace = workspace_of(request)
    customer = None
    if external_id:
        customer = records.external_ref_find(
            workspace=workspace,
            kind=ExternalRef.Kind.CUSTOMER,
            external_id=external_id,
            model=Customer,
        )
    elif email.strip():
        customer = (
            Customer.objects.for_workspace(workspace)
            .filter(email__iexact=email.strip())
            .order_by("pk")
            .first()
        )
    if customer is None:
        raise Http404
    return one_with_external_id(customer, ExternalRef.Kind.CUSTOMER)


class BulkItemOut(Schema):
    index: int
    status: int
    id: int | None = None
    created: bool | None = None
    errors: list[dict] = []


class CustomerBulkIn(Schema):
    items: list[CustomerIn] = Field(..., min_length=1, max_length=500)


@router.post(
    "/customers/bulk",
    response={200: list[BulkItemOut], **ERRORS},
    summary="Create or update up to 500 customers; each item answers for itself",
)
def customer_bulk(request: HttpRequest, data: CustomerBulkIn):
    out = []
    for index, item in enumerate(data.items):
        fields, segment = _customer_fields(item)
        try:
            result = records.customer_upsert(
                workspace=workspace_of(request),
                by=member_of(request),
                external_id=item.external_id or "",
                segment_name=segment,
                **fields,
            )
        except Exception as exc:  # noqa: BLE001 - mapped to the item's 4xx below
            status, errors = errors_of(exc)
            out.append({"index": index, "status": status, "errors": errors})
            continue
        out.append(
            {
                "index": index,
                "status": 201 if result.created else 200,
                "id": result.obj.pk,
                "created": result.created,
            }
        )
    return Status(200, out)


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_get(request: HttpRequest, customer_id: int):
    customer = get_in_workspace(request, Customer, customer_id)
    return one_with_external_id(customer, ExternalRef.Kind.CUSTOMER)


@router.post(
    "/customers",
    response={200: CustomerOut, 201: CustomerOut, **ERRORS},
    summary="Create or update a customer (upsert by external id, then email)",
)
def customer_upsert(request: HttpRequest, data: CustomerIn):
    fields, segment = _customer_fields(data)
    result = records.customer_upsert(
        workspace=workspace_of(request),
        by=member_of(request),
        external_id=data.external_id or "",
        segment_name=segment,
        **fields,
    )
    customer = one_with_external_id(result.obj, ExternalRef.Kind.CUSTOMER)
    return Status(201 if result.created else 200, customer)


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **ERRORS})
def customer_patch(request: HttpRequest, customer_id: int, data: CustomerPatch):
    customer = get_in_workspace(request, Customer, customer_id)
    fields, segment = _customer_fields(data)
    customer_services.customer_update(
        customer=customer, by=member_of(request), segment_name=segment, **fields
    )
    return one_with_external_id(customer, ExternalRef.Kind.CUSTOMER)


# --- Segments ------------------------------------------------------------------------------------
class SegmentOut(Schema):
    id: int
    name: str


class SegmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


@router.get("/segments", response=list[SegmentOut], tags=["segments"])
@paginate(Pages)
def segment_list(request: HttpRequest):
    return customer_selectors.segment_list(workspace=workspace_of(request))


@router.post("/segments", response={200: SegmentOut, **ERRORS}, tags=["segments"])
def segment_create(request: HttpRequest, data: SegmentIn):
    return customer_services.segment_get_or_create(
        workspace=workspace_of(request), by=member_of(request), name=data.name
    )


# --- Contracts -----------------------------------------------------------------------------------
class ContractOut(Schema):
    id: int
    external_id: str | None = None
    customer_id: int
    title: str
    start_date: date
    renewal_date: date
    yearly_value: Decimal
    auto_renew: bool
    created_at: datetime


class ContractIn(Schema):
    external_id: str | None = Field(None, max_length=200)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    customer_external_id: str | None = Field(None, max_length=200)
    title: str = Field("", max_length=200)
    start_date: date
    renewal_date: date
    yearly_value: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    auto_renew: bool = False


class ContractPatch(Schema):
    title: str | None = Field(None, max_length=200)
    start_date: date | None = None
    renewal_date: date | None = None
    yearly_value: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    auto_renew: bool | None = None


class ContractFilter(Schema):
    customer_id: int | None = Field(None, ge=1, le=2**62)
    renewal_from: date | None = None
    renewal_to: date | None = None


def customer_for(request: HttpRequest, customer_id: int | None, external_id: str | None):
    """The customer a record names, by our id or the other system's; 422 on neither."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if customer_id is not None:
        customer = Customer.objects.filter(workspace=workspace_of(request), pk=customer_id).first()
        if customer is None:
            raise ValidationError({"customer_id": _("No customer with this id.")})
        return customer
    if external_id:
        customer = records.external_ref_find(
            workspace=workspace_of(request),
            kind=ExternalRef.Kind.CUSTOMER,
            external_id=external_id,
            model=Customer,
        )
        if customer is None:
            raise ValidationError({"customer_external_id": _("No customer with this external id.")})
        return customer
    raise ValidationError({"customer_id": _("Give customer_id or customer_external_id.")})


@router.get("/contracts", response=list[ContractOut], tags=["contracts"])
@paginate(Pages)
def contract_list(request: HttpRequest, filters: Query[ContractFilter]):
    qs = Contract.objects.for_workspace(workspace_of(request)).order_by("renewal_date", "pk")
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.renewal_from:
        qs = qs.filter(renewal_date__gte=filters.renewal_from)
    if filters.renewal_to:
        qs = qs.filter(renewal_date__lte=filters.renewal_to)
    return with_external_id(qs, ExternalRef.Kind.CONTRACT)


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERRORS}, tags=["contracts"])
def contract_get(request: HttpRequest, contract_id: int):
    contract = get_in_workspace(request, Contract, contract_id)
    return one_with_external_id(contract, ExternalRef.Kind.CONTRACT)


@router.post(
    "/contracts",
    response={200: ContractOut, 201: ContractOut, **ERRORS},
    tags=["contracts"],
    summary="Create a contract (or update the one with this external id)",
)
def contract_upsert(request: HttpRequest, data: ContractIn):
    customer = customer_for(request, data.customer_id, data.customer_external_id)
    fields = data.dict(exclude={"external_id", "customer_id", "customer_external_id"})
    result = records.contract_upsert(
        customer=customer, by=member_of(request), external_id=data.external_id or "", **fields
    )
    contract = one_with_external_id(result.obj, ExternalRef.Kind.CONTRACT)
    return Status(201 if result.created else 200, contract)


@router.patch("/contracts/{contract_id}", response={200: ContractOut, **ERRORS}, tags=["contracts"])
def contract_patch(request: HttpRequest, contract_id: int, data: ContractPatch):
    contract = get_in_workspace(request, Contract, contract_id)
    fields = {k: v for k, v in data.dict(exclude_unset=True).items() if v is not None}
    customer_services.contract_update(contract=contract, by=member_of(request), **fields)
    return one_with_external_id(contract, ExternalRef.Kind.CONTRACT)


__all__ = ["router", "Segment"]
