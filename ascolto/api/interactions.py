"""Interactions (with their measured timestamps), staff signals and touchpoints:
`/api/v1/interactions`, `/signals`, `/touchpoints`. An interaction sent here is checked against
the promises at once, by the same hooks as one typed on the timeline."""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascolto.api.base import ERRORS, Pages, get_in_workspace, member_of, workspace_of
from ascolto.api.customers import BulkItemOut, customer_for, one_with_external_id, with_external_id
from ascolto.api.errors import errors_of
from ascolto.api.models import ExternalRef
from ascolto.api.services import records
from ascolto.interactions import selectors as interaction_selectors
from ascolto.interactions import services as interaction_services
from ascolto.interactions.models import Channel, Interaction, StaffSignal, Touchpoint

router = Router(tags=["interactions"])

ChannelName = Literal[
    "phone", "email", "in_person", "on_site", "web", "chat", "social", "letter", "other"
]


class TouchpointOut(Schema):
    id: int
    code: str
    name_it: str
    name_en: str
    is_negative: bool


class InteractionOut(Schema):
    id: int
    external_id: str | None = None
    customer_id: int
    touchpoint: str | None
    channel: str
    occurred_at: datetime
    text: str
    requested_at: datetime | None
    scheduled_for: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    measures: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_touchpoint(obj: Interaction) -> str | None:
        return obj.touchpoint.code if obj.touchpoint_id else None


class InteractionIn(Schema):
    """An event from another system. `touchpoint` is a touchpoint's code (see
    `/touchpoints`); the timestamps are what the promises measure (request → completion)."""

    external_id: str | None = Field(None, max_length=200)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    customer_external_id: str | None = Field(None, max_length=200)
    touchpoint: str | None = Field(None, max_length=50)
    channel: ChannelName | None = None
    occurred_at: datetime | None = None
    text: str = Field("", max_length=10_000)
    requested_at: datetime | None = None
    scheduled_for: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    measures: dict[str, float] = Field(default_factory=dict, max_length=50)


class InteractionFilter(Schema):
    customer_id: int | None = Field(None, ge=1, le=2**62)
    touchpoint: str = Field("", max_length=50)
    since: datetime | None = None
    until: datetime | None = None


def _interaction_fields(request: HttpRequest, data: InteractionIn) -> dict:
    fields = data.dict(
        exclude_unset=True, exclude={"external_id", "customer_id", "customer_external_id"}
    )
    fields = {k: v for k, v in fields.items() if v is not None or k != "channel"}
    if "occurred_at" in fields and fields["occurred_at"] is None:
        del fields["occurred_at"]
    for key in ("occurred_at", "requested_at", "scheduled_for", "started_at", "completed_at"):
        value = fields.get(key)
        if value is not None and value.tzinfo is None:
            raise ValidationError({key: _("Give the time zone, e.g. 2026-03-01T09:30:00+01:00.")})
        if value is not None and not 2000 <= value.year <= 2100:
            raise ValidationError({key: _("Use a date between 2000 and 2100.")})
    code = fields.pop("touchpoint", None)
    if code:
        touchpoint = Touchpoint.objects.filter(workspace=workspace_of(request), code=code).first()
        if touchpoint is None:
            raise ValidationError({"touchpoint": _("No touchpoint with this code.")})
        fields["touchpoint"] = touchpoint
    elif "touchpoint" in data.model_fields_set:
        fields["touchpoint"] = None
    return fields


def _record(request: HttpRequest, data: InteractionIn):
    customer = customer_for(request, data.customer_id, data.customer_external_id)
    return records.interaction_upsert(
        customer=customer,
        by=member_of(request),
        external_id=data.external_id or "",
        **_interaction_fields(request, data),
    )


@router.get("/touchpoints", response=list[TouchpointOut], tags=["touchpoints"])
@paginate(Pages)
def touchpoint_list(request: HttpRequest):
    return interaction_selectors.touchpoint_list(workspace=workspace_of(request))


@router.get("/interactions", response=list[InteractionOut])
@paginate(Pages)
def interaction_list(request: HttpRequest, filters: Query[InteractionFilter]):
    qs = (
        Interaction.objects.for_workspace(workspace_of(request))
        .select_related("touchpoint")
        .order_by("-occurred_at", "-pk")
    )
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.touchpoint:
        qs = qs.filter(touchpoint__code=filters.touchpoint)
    if filters.since:
        qs = qs.filter(occurred_at__gte=filters.since)
    if filters.until:
        qs = qs.filter(occurred_at__lt=filters.until)
    return with_external_id(qs, ExternalRef.Kind.INTERACTION)


@router.post(
    "/interactions",
    response={200: InteractionOut, 201: InteractionOut, **ERRORS},
    summary="Record an interaction (or update the one with this external id)",
)
def interaction_create(request: HttpRequest, data: InteractionIn):
    result = _record(request, data)
    out = one_with_external_id(result.obj, ExternalRef.Kind.INTERACTION)
    return Status(201 if result.created else 200, out)


class InteractionBulkIn(Schema):
    items: list[InteractionIn] = Field(..., min_length=1, max_length=500)


@router.post(
    "/interactions/bulk",
    response={200: list[BulkItemOut], **ERRORS},
    summary="Record up to 500 interactions; each item answers for itself",
)
def interaction_bulk(request: HttpRequest, data: InteractionBulkIn):
    out: list[dict] = []
    for index, item in enumerate(data.items):
        try:
            result = _record(request, item)
        except Exception as exc:  # noqa: BLE001 - mapped to the item's 4xx
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


@router.get("/interactions/{interaction_id}", response={200: InteractionOut, **ERRORS})
def interaction_get(request: HttpRequest, interaction_id: int):
    interaction = get_in_workspace(request, Interaction, interaction_id)
    return one_with_external_id(interaction, ExternalRef.Kind.INTERACTION)


class InteractionPatch(Schema):
    touchpoint: str | None = Field(None, max_length=50)
    channel: ChannelName | None = None
    occurred_at: datetime | None = None
    text: str | None = Field(None, max_length=10_000)
    requested_at: datetime | None = None
    scheduled_for: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    measures: dict[str, float] | None = Field(None, max_length=50)


@router.patch("/interactions/{interaction_id}", response={200: InteractionOut, **ERRORS})
def interaction_patch(request: HttpRequest, interaction_id: int, data: InteractionPatch):
    interaction = get_in_workspace(request, Interaction, interaction_id)
    fields = _interaction_fields(request, data)  # type: ignore[arg-type]
    for key in ("text", "measures", "channel"):
        if key in fields and fields[key] is None:
            del fields[key]
    interaction_services.interaction_update(
        interaction=interaction, by=member_of(request), **fields
    )
    return one_with_external_id(interaction, ExternalRef.Kind.INTERACTION)


# --- Staff signals -------------------------------------------------------------------------------
class SignalOut(Schema):
    id: int
    customer_id: int
    text: str
    polarity: str
    created_at: datetime


class SignalIn(Schema):
    customer_id: int | None = Field(None, ge=1, le=2**62)
    customer_external_id: str | None = Field(None, max_length=200)
    text: str = Field(..., min_length=1, max_length=500)
    polarity: Literal["negative", "neutral", "positive"]


class SignalFilter(Schema):
    customer_id: int | None = Field(None, ge=1, le=2**62)


@router.get("/signals", response=list[SignalOut], tags=["signals"])
@paginate(Pages)
def signal_list(request: HttpRequest, filters: Query[SignalFilter]):
    qs = StaffSignal.objects.for_workspace(workspace_of(request)).order_by("-created_at", "-pk")
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    return qs


@router.post("/signals", response={201: SignalOut, **ERRORS}, tags=["signals"])
def signal_create(request: HttpRequest, data: SignalIn):
    customer = customer_for(request, data.customer_id, data.customer_external_id)
    signal = interaction_services.staff_signal_record(
        customer=customer, by=member_of(request), text=data.text, polarity=data.polarity
    )
    return Status(201, signal)


__all__ = ["router", "Channel"]
