"""Reads for surveys, invitations and responses. Workspace first, always."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.customers.models import Customer
from ascolto.feedback.models import (
    Answer,
    CadenceRule,
    Invitation,
    OpenLink,
    Question,
    Response,
    Submission,
    Survey,
    token_hash_of,
)
from ascolto.workspaces.models import Workspace


def survey_list(*, workspace: Workspace, active_only: bool = False) -> QuerySet[Survey]:
    qs = Survey.objects.for_workspace(workspace).annotate(
        invitation_count=Count("invitations", distinct=True),
        response_count=Count("responses", distinct=True),
    )
    return qs.filter(active=True) if active_only else qs.order_by("-active", "-created_at", "-pk")


def question_list(*, workspace: Workspace, survey: Survey) -> QuerySet[Question]:
    return (
        Question.objects.for_workspace(workspace)
        .filter(survey=survey)
        .select_related("touchpoint")
        .order_by("position", "pk")
    )


@dataclass(frozen=True)
class InvitationCounts:
    asked: int
    sent: int
    opened: int
    answered: int
    failed: int


def invitation_counts(*, workspace: Workspace, survey: Survey) -> InvitationCounts:
    row = (
        Invitation.objects.for_workspace(workspace)
        .filter(survey=survey)
        .aggregate(
            asked=Count("pk"),
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            failed=Count("pk", filter=Q(state="failed")),
        )
    )
    return InvitationCounts(**row)


def invitation_list(*, workspace: Workspace, survey: Survey) -> QuerySet[Invitation]:
    return (
        Invitation.objects.for_workspace(workspace)
        .filter(survey=survey)
        .select_related("customer")
        .order_by("-created_at", "-pk")
    )


def open_link_list(*, workspace: Workspace, survey: Survey) -> QuerySet[OpenLink]:
    return OpenLink.objects.for_workspace(workspace).filter(survey=survey)


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation whose link carries `token` (any workspace: the token is the key), or
    None. The lookup is by the token's hash, so timing says nothing about the token."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("survey", "workspace", "customer")
        .filter(token_hash=token_hash_of(token))
        .first()
    )


def open_link_by_token(token: str) -> OpenLink | None:
    if not token or len(token) > 100:
        return None
    return (
        OpenLink.objects.select_related("survey", "workspace")
        .filter(token=token, active=True, survey__active=True)
        .first()
    )


@dataclass(frozen=True)
class ResponseFilters:
    survey: int | None = None
    band: str = ""
    start: date | None = None
    end: date | None = None
    customer: int | None = None


def _answers_prefetch() -> Prefetch:
    return Prefetch(
        "answers",
        queryset=Answer.objects.select_related("question").order_by("question__position", "pk"),
    )


def response_list(
    *, workspace: Workspace, filters: ResponseFilters | None = None
) -> QuerySet[Response]:
    filters = filters or ResponseFilters()
    qs = (
        Response.objects.for_workspace(workspace)
        .select_related("survey", "customer")
        .prefetch_related(_answers_prefetch())
    )
    if filters.survey:
        qs = qs.filter(survey_id=filters.survey)
    if filters.band:
        qs = qs.filter(band=filters.band)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    zone = timezone.get_current_timezone()
    if filters.start:
        qs = qs.filter(submitted_at__gte=datetime.combine(filters.start, time.min, tzinfo=zone))
    if filters.end:
        qs = qs.filter(submitted_at__lte=datetime.combine(filters.end, time.max, tzinfo=zone))
    return qs.order_by("-submitted_at", "-pk")


def response_list_for_customer(*, workspace: Workspace, customer: Customer) -> QuerySet[Response]:
    """A customer's responses, newest first, with their answers (for the timeline)."""
    return response_list(workspace=workspace, filters=ResponseFilters(customer=customer.pk))


def all_good_responses(*, workspace: Workspace, customer: Customer | None = None):
    """Top scores with nothing to improve ("tutto bene"), for the health score."""
    qs = Response.objects.for_workspace(workspace).filter(all_good=True)
    return qs.filter(customer=customer) if customer is not None else qs


def cadence_rule_list(*, workspace: Workspace) -> QuerySet[CadenceRule]:
    return (
        CadenceRule.objects.for_workspace(workspace)
        .select_related("survey", "segment", "after_touchpoint")
        .order_by("-active", "name", "pk")
    )


def oldest_waiting_submission_at() -> datetime | None:
    """When the oldest answer still waiting to be filed by the worker was sent (None: none
    waits). Answers set aside with an error are not waiting."""
    return (
        Submission.objects.waiting().order_by("pk").values_list("submitted_at", flat=True).first()
    )


def submissions_waiting_problems(*, now: datetime, limit: datetime) -> list[str]:
    """The `background_checks` hook of `/health/`: an answer the survey page accepted has
    waited since before `limit` to be filed (no worker, and no scheduler either)."""
    answer = oldest_waiting_submission_at()
    if answer is None or answer >= limit:
        return []
    return [
        _("A survey answer has waited %(minutes)d minutes to be filed.")
        % {"minutes": (now - answer) // timedelta(minutes=1)}
    ]
