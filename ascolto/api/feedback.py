"""Surveys, invitations ("ask this customer now"), responses with their answers and the text
analyses of their comments, promises and their checks: `/api/v1/surveys`, `/invitations`,
`/responses`, `/promises`, `/promise-checks`."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from ascolto.api.base import ERRORS, Pages, get_in_workspace, member_of, workspace_of
from ascolto.api.customers import customer_for
from ascolto.feedback import selectors as feedback_selectors
from ascolto.feedback import services as feedback_services
from ascolto.feedback.models import Invitation, Response, Survey
from ascolto.promises import selectors as promise_selectors
from ascolto.promises.models import Promise, PromiseCheck
from ascolto.textanalysis import selectors as text_selectors
from ascolto.textanalysis.models import SourceKind

router = Router()


# --- Surveys and invitations ---------------------------------------------------------------------
class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    active: bool
    title_it: str
    title_en: str


@router.get("/surveys", response=list[SurveyOut], tags=["surveys"])
@paginate(Pages)
def survey_list(request: HttpRequest):
    return feedback_selectors.survey_list(workspace=workspace_of(request))


class InvitationIn(Schema):
    """Ask a customer now. Refused (422, with the reason) when the customer is lost, has no
    email for an email invitation, or already has an open invitation to this survey."""

    survey_id: int = Field(..., ge=1, le=2**62)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    customer_external_id: str | None = Field(None, max_length=200)
    channel: Literal["email", "link"] = "email"
    language: Literal["it", "en"] | None = None


class InvitationOut(Schema):
    id: int
    survey_id: int
    customer_id: int | None
    channel: str
    language: str
    created_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    opened_at: datetime | None
    answered_at: datetime | None
    link: str | None = Field(None, description="The survey link, for channel `link` only.")

    @staticmethod
    def resolve_link(obj: Invitation) -> str | None:
        if obj.channel != Invitation.Channel.LINK:
            return None
        return feedback_services.survey_link(obj.token)


@router.post("/invitations", response={201: InvitationOut, **ERRORS}, tags=["surveys"])
def invitation_create(request: HttpRequest, data: InvitationIn):
    survey = get_in_workspace(request, Survey, data.survey_id)
    customer = customer_for(request, data.customer_id, data.customer_external_id)
    invitation = feedback_services.survey_invitation_create(
        survey=survey,
        customer=customer,
        by=member_of(request),
        channel=data.channel,
        language=data.language,
    )
    return Status(201, invitation)


class InvitationFilter(Schema):
    survey_id: int | None = Field(None, ge=1, le=2**62)
    customer_id: int | None = Field(None, ge=1, le=2**62)


@router.get("/invitations", response=list[InvitationOut], tags=["surveys"])
@paginate(Pages)
def invitation_list(request: HttpRequest, filters: Query[InvitationFilter]):
    qs = Invitation.objects.filter(workspace=workspace_of(request)).order_by("-created_at", "-pk")
    if filters.survey_id:
        qs = qs.filter(survey_id=filters.survey_id)
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    return qs


@router.get(
    "/invitations/{invitation_id}", response={200: InvitationOut, **ERRORS}, tags=["surveys"]
)
def invitation_get(request: HttpRequest, invitation_id: int):
    return get_in_workspace(request, Invitation, invitation_id)


# --- Responses -----------------------------------------------------------------------------------
class AnalysisOut(Schema):
    sentiment: str
    emotion: str
    aspects: list[str]
    language: str


class AnswerOut(Schema):
    question_id: int
    question: str
    number: int | None
    text: str
    choice: str
    analysis: AnalysisOut | None = None


class ResponseOut(Schema):
    id: int
    survey_id: int
    customer_id: int | None
    submitted_at: datetime
    language: str
    kind: str
    score: int | None
    band: str
    answers: list[AnswerOut]


class ResponseFilter(Schema):
    survey_id: int | None = Field(None, ge=1, le=2**62)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    band: Literal["promoter", "passive", "detractor", ""] = ""
    start: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    end: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))


def _responses_out(workspace, responses: list[Response]) -> list[dict]:
    answers = [a for r in responses for a in r.answers.all()]
    analyses = text_selectors.text_analysis_map(
        workspace_id=workspace.pk,
        keys=[(SourceKind.SURVEY_ANSWER, a.pk) for a in answers if a.text],
    )
    out = []
    for response in responses:
        items = []
        for answer in response.answers.all():
            analysis = analyses.get((SourceKind.SURVEY_ANSWER, answer.pk))
            items.append(
                {
                    "question_id": answer.question_id,
                    "question": answer.question.text(response.language),
                    "number": answer.number,
                    "text": answer.text,
                    "choice": answer.choice,
                    "analysis": None
                    if analysis is None
                    else {
                        "sentiment": analysis.sentiment,
                        "emotion": analysis.emotion,
                        "aspects": [row.name for row in analysis.aspect_rows.all()],
                        "language": analysis.language,
                    },
                }
            )
        out.append(
            {
                "id": response.pk,
                "survey_id": response.survey_id,
                "customer_id": response.customer_id,
                "submitted_at": response.submitted_at,
                "language": response.language,
                "kind": response.kind,
                "score": response.score,
                "band": response.band,
                "answers": items,
            }
        )
    return out


class ResponsePage(Schema):
    items: list[ResponseOut]
    count: int


@router.get("/responses", response={200: ResponsePage, **ERRORS}, tags=["responses"])
def response_list(
    request: HttpRequest,
    filters: Query[ResponseFilter],
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
):
    workspace = workspace_of(request)
    qs = feedback_selectors.response_list(
        workspace=workspace,
        filters=feedback_selectors.ResponseFilters(
            survey=filters.survey_id,
            band=filters.band,
            start=filters.start,
            end=filters.end,
            customer=filters.customer_id,
        ),
    )
    page = list(qs[offset : offset + limit])
    return {"items": _responses_out(workspace, page), "count": qs.count()}


@router.get("/responses/{response_id}", response={200: ResponseOut, **ERRORS}, tags=["responses"])
def response_get(request: HttpRequest, response_id: int):
    workspace = workspace_of(request)
    response = get_in_workspace(
        request,
        feedback_selectors.response_list(workspace=workspace),
        response_id,
    )
    return _responses_out(workspace, [response])[0]


# --- Promises and checks -------------------------------------------------------------------------
class PromiseOut(Schema):
    id: int
    name: str
    name_it: str
    name_en: str
    wording_it: str
    kind: str
    dimension: str
    target_type: str
    active: bool

    @staticmethod
    def resolve_name(obj: Promise) -> str:
        return obj.label


class PromiseCheckOut(Schema):
    id: int
    promise_id: int
    customer_id: int
    interaction_id: int | None
    occurred_at: datetime
    outcome: str
    measured: float | None
    reason: str
    manual: bool
    checked_at: datetime


class PromiseCheckFilter(Schema):
    promise_id: int | None = Field(None, ge=1, le=2**62)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    interaction_id: int | None = Field(None, ge=1, le=2**62)
    outcome: Literal["kept", "broken", "not_measurable", ""] = ""


@router.get("/promises", response=list[PromiseOut], tags=["promises"])
@paginate(Pages)
def promise_list(request: HttpRequest):
    return promise_selectors.promise_list(workspace=workspace_of(request))


@router.get("/promises/{promise_id}", response={200: PromiseOut, **ERRORS}, tags=["promises"])
def promise_get(request: HttpRequest, promise_id: int):
    return get_in_workspace(request, Promise, promise_id)


@router.get("/promise-checks", response=list[PromiseCheckOut], tags=["promises"])
@paginate(Pages)
def promise_check_list(request: HttpRequest, filters: Query[PromiseCheckFilter]):
    qs = PromiseCheck.objects.for_workspace(workspace_of(request)).order_by("-occurred_at", "-pk")
    if filters.promise_id:
        qs = qs.filter(promise_id=filters.promise_id)
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.interaction_id:
        qs = qs.filter(interaction_id=filters.interaction_id)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    return qs
