"""Cases (complaints being handled), their remedies and customers' health scores:
`/api/v1/cases`, `/cases/{id}/remedies`, `/health-scores`. The services of the pages decide:
remedies obey the same spending budgets (above the token's budget a remedy waits for approval,
exactly as for a person)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascolto.api.base import ERRORS, Pages, get_in_workspace, member_of, workspace_of
from ascolto.api.customers import customer_for
from ascolto.cases import selectors as case_selectors
from ascolto.cases import services as case_services
from ascolto.cases.models import Case, CaseCategory
from ascolto.health import selectors as health_selectors
from ascolto.health.models import HealthScore

router = Router()

CaseStatus = Literal["new", "acknowledged", "in_progress", "resolved", "closed"]


class CaseOut(Schema):
    id: int
    customer_id: int
    category: str
    channel: str
    description: str
    severity: str
    emotion: str
    status: str
    owner_id: int | None
    outcome: str
    opened_at: datetime
    acknowledged_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    acknowledge_due_at: datetime | None
    respond_due_at: datetime | None
    resolve_due_at: datetime | None

    @staticmethod
    def resolve_category(obj: Case) -> str:
        return obj.category.code


class CaseIn(Schema):
    customer_id: int | None = Field(None, ge=1, le=2**62)
    customer_external_id: str | None = Field(None, max_length=200)
    category: str = Field(..., max_length=50, description="A category code, e.g. `ritardo`.")
    channel: Literal[
        "phone", "email", "in_person", "on_site", "web", "chat", "social", "letter", "other"
    ] = "phone"
    description: str = Field("", max_length=10_000)
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    emotion: Literal["anger", "fear", "sadness", "joy", "trust", "none", ""] = ""


class CaseFilter(Schema):
    customer_id: int | None = Field(None, ge=1, le=2**62)
    status: CaseStatus | Literal[""] = ""
    open: bool | None = None


class CaseStatusIn(Schema):
    status: CaseStatus
    note: str = Field("", max_length=5_000)
    outcome: Literal["satisfied", "partly", "unsatisfied", "no_answer", "withdrawn", ""] = ""


@router.get("/cases", response=list[CaseOut], tags=["cases"])
@paginate(Pages)
def case_list(request: HttpRequest, filters: Query[CaseFilter]):
    workspace = workspace_of(request)
    if filters.open:
        qs = case_selectors.case_list_open(workspace=workspace)
    else:
        qs = case_selectors.case_list(workspace=workspace).order_by("-opened_at", "-pk")
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, tags=["cases"])
def case_get(request: HttpRequest, case_id: int):
    return get_in_workspace(
        request, case_selectors.case_list(workspace=workspace_of(request)), case_id
    )


@router.post("/cases", response={201: CaseOut, **ERRORS}, tags=["cases"])
def case_open(request: HttpRequest, data: CaseIn):
    workspace = workspace_of(request)
    customer = customer_for(request, data.customer_id, data.customer_external_id)
    category = CaseCategory.objects.filter(workspace=workspace, code=data.category).first()
    if category is None:
        raise ValidationError({"category": _("No case category with this code.")})
    case = case_services.case_open(
        customer=customer,
        by=member_of(request),
        category=category,
        channel=data.channel,
        description=data.description,
        severity=data.severity,
        emotion=data.emotion,
    )
    return Status(201, case)


@router.post("/cases/{case_id}/status", response={200: CaseOut, **ERRORS}, tags=["cases"])
def case_status(request: HttpRequest, case_id: int, data: CaseStatusIn):
    case = get_in_workspace(request, Case, case_id)
    return case_services.case_status_change(
        case=case, by=member_of(request), status=data.status, note=data.note, outcome=data.outcome
    )


class RemedyOut(Schema):
    id: int
    case_id: int
    kind: str
    amount: Decimal
    why: str
    status: str
    requested_at: datetime
    decided_at: datetime | None


class RemedyIn(Schema):
    kind: str = Field(..., max_length=12)
    amount: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    why: str = Field("", max_length=500)


@router.get("/cases/{case_id}/remedies", response={200: list[RemedyOut], **ERRORS}, tags=["cases"])
def remedy_list(request: HttpRequest, case_id: int):
    case = get_in_workspace(request, Case, case_id)
    return list(case_selectors.remedy_list(workspace=workspace_of(request), case=case))


@router.post(
    "/cases/{case_id}/remedies",
    response={201: RemedyOut, **ERRORS},
    tags=["cases"],
    summary="Give a remedy (granted within the token's budget, otherwise waiting for approval)",
)
def remedy_grant(request: HttpRequest, case_id: int, data: RemedyIn):
    case = get_in_workspace(request, Case, case_id)
    remedy = case_services.case_remedy_grant(
        case=case, by=member_of(request), kind=data.kind, amount=data.amount, why=data.why
    )
    return Status(201, remedy)


# --- Health --------------------------------------------------------------------------------------
class HealthScoreOut(Schema):
    customer_id: int
    day: date
    score: int | None
    level: str
    contributions: list
    missing: list
    computed_at: datetime


class HealthFilter(Schema):
    customer_id: int | None = Field(None, ge=1, le=2**62)
    level: Literal["healthy", "watch", "at_risk", "critical", "unknown", ""] = ""
    since: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))


@router.get(
    "/health-scores",
    response=list[HealthScoreOut],
    tags=["health"],
    summary="Health scores, newest day first (filter by customer and level)",
)
@paginate(Pages)
def health_score_list(request: HttpRequest, filters: Query[HealthFilter]):
    qs = HealthScore.objects.for_workspace(workspace_of(request)).order_by("-day", "customer_id")
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.since:
        qs = qs.filter(day__gte=filters.since)
    return qs


@router.get(
    "/customers/{customer_id}/health",
    response={200: HealthScoreOut, **ERRORS},
    tags=["health"],
    summary="A customer's latest health score",
)
def customer_health(request: HttpRequest, customer_id: int):
    from ascolto.customers.models import Customer

    customer = get_in_workspace(request, Customer, customer_id)
    score = health_selectors.health_score_latest(workspace=workspace_of(request), customer=customer)
    if score is None:
        from django.http import Http404

        raise Http404
    return score
