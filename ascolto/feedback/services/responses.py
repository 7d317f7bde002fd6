"""Submitting a response: validation of every answer, one response per invitation, the
detractor alert and the "all good" signal."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.feedback.models import Answer, Invitation, OpenLink, Question, Response, Survey

logger = logging.getLogger("ascolto.feedback")

MAX_TEXT_LENGTH = 5_000


class AlreadyAnswered(Exception):
    """The invitation already has its response; nothing was stored."""


@dataclass(frozen=True)
class CleanAnswer:
    question: Question
    number: int | None = None
    text: str = ""
    choice: str = ""

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.text and not self.choice


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def response_answers_clean(
    *, questions: list[Question], data: Mapping[str, Any]
) -> tuple[list[CleanAnswer], dict[str, str]]:
    """Check every answer against its question. Returns the clean answers and, per form field,
    a message in the active language. Unknown fields are ignored."""
    answers: list[CleanAnswer] = []
    errors: dict[str, str] = {}
    for question in questions:
        name = field_name(question)
        raw = data.get(name, "")
        raw = raw if isinstance(raw, str) else ""
        raw = raw.replace("\x00", "").strip()
        if not raw:
            if question.required:
                errors[name] = (
                    _("Please choose a score.") if question.is_numeric else _("Please answer.")
                )
            answers.append(CleanAnswer(question))
            continue
        if question.is_numeric:
            try:
                number = int(raw)
            except ValueError:
                number = None
            if number is None or not (question.min_value <= number <= question.max_value):
                errors[name] = _("Choose a whole number from %(min)s to %(max)s.") % {
                    "min": question.min_value,
                    "max": question.max_value,
                }
                continue
            answers.append(CleanAnswer(question, number=number))
        elif question.kind == Question.Kind.CHOICE:
            if raw not in {str(c["value"]) for c in question.choices}:
                errors[name] = _("Choose one of the options.")
                continue
            answers.append(CleanAnswer(question, choice=raw))
        else:
            if len(raw) > MAX_TEXT_LENGTH:
                errors[name] = _(
                    "Please keep your answer under %(limit)s characters (it has %(length)s)."
                ) % {"limit": f"{MAX_TEXT_LENGTH:,}", "length": f"{len(raw):,}"}
                continue
            answers.append(CleanAnswer(question, text=raw))
    return answers, errors


def score_band(kind: str, score: int | None) -> str:
    """Promoter, passive or detractor for a main score of a survey of `kind` ("" for none)."""
    if score is None:
        return ""
    if kind == Survey.Kind.NPS:
        bands = ((9, 10), (7, 8), (0, 6))
    elif kind == Survey.Kind.CSAT:
        bands = ((4, 5), (3, 3), (1, 2))
    elif kind == Survey.Kind.CES:  # 1 = very little effort
        bands = ((1, 2), (3, 4), (5, 7))
    else:
        return ""
    for band, (low, high) in zip(Response.Band.values, bands, strict=True):
        if low <= score <= high:
            return band
    return ""


TOP_SCORES = {Survey.Kind.NPS: (9, 10), Survey.Kind.CSAT: (5, 5), Survey.Kind.CES: (1, 1)}


def is_all_good(kind: str, score: int | None, answers: list[CleanAnswer]) -> bool:
    """A top score with nothing to improve: "everything is fine", which the health score
    treats as a quiet warning, not as reassurance."""
    if score is None or kind not in TOP_SCORES:
        return False
    low, high = TOP_SCORES[kind]
    improve = [a for a in answers if a.question.role == Question.Role.IMPROVE]
    return low <= score <= high and all(not a.text for a in improve)


def response_submit(
    *,
    survey: Survey,
    data: Mapping[str, Any],
    language: str,
    invitation: Invitation | None = None,
    open_link: OpenLink | None = None,
) -> Response:
    """Validate and store a response, atomically.

    Raises ValidationError (messages per form field) on bad input, and AlreadyAnswered when the
    invitation has its response already: the conditional UPDATE on `answered_at` lets exactly
    one of any number of concurrent submissions through, and the unique invitation column is
    the backstop. A detractor answer alerts the account owner at once (in the app; the email
    is queued at commit)."""
    questions = list(survey.questions.order_by("position", "pk"))
    answers, errors = response_answers_clean(questions=questions, data=data)
    if errors:
        raise ValidationError(errors)
    try:
        return _response_store(survey, answers, language, invitation, open_link)
    except IntegrityError:
        raise AlreadyAnswered from None


@transaction.atomic
def _response_store(
    survey: Survey,
    answers: list[CleanAnswer],
    language: str,
    invitation: Invitation | None,
    open_link: OpenLink | None,
) -> Response:
    now = timezone.now()
    if invitation is not None:
        claimed = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
            answered_at=now, closed_at=now
        )
        if not claimed:
            raise AlreadyAnswered
    main = next((a for a in answers if a.question.role == Question.Role.MAIN), None)
    score = main.number if main else None
    response = Response(
        workspace_id=survey.workspace_id,
        survey=survey,
        invitation=invitation,
        open_link=open_link,
        customer_id=invitation.customer_id if invitation else None,
        submitted_at=now,
        language=language if language in ("it", "en") else "it",
        kind=survey.kind,
        score=score,
        band=score_band(survey.kind, score),
        all_good=is_all_good(survey.kind, score, answers),
    )
    response.save()
    Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                question=a.question,
                number=a.number,
                text=a.text,
                choice=a.choice,
            )
            for a in answers
            if not a.is_empty
        ]
    )
    if response.is_detractor:
        _detractor_alert(response, answers)
    return response


def _detractor_alert(response: Response, answers: list[CleanAnswer]) -> None:
    from ascolto.health.services import notification_create
    from ascolto.workspaces.models import Membership, Role

    customer = response.customer
    workspace = response.survey.workspace
    if customer is not None and customer.account_owner_id:
        recipients = [customer.account_owner]
    else:
        recipients = list(Membership.objects.filter(workspace=workspace, role=Role.OWNER))
    why = next((a.text for a in answers if a.question.role == Question.Role.WHY and a.text), "")
    if customer is not None:
        url = reverse("customers:customer-detail", args=[customer.pk])
    else:
        url = reverse("feedback:response-list") + f"?survey={response.survey_id}&band=detractor"
    with translation.override(workspace.language):
        who = customer.name if customer is not None else _("An anonymous customer")
        title = _("%(who)s gave %(score)s in “%(survey)s”: please get in touch.") % {
            "who": who,
            "score": response.score,
            "survey": response.survey.name,
        }
        body = (
            _("Their reason: %(why)s") % {"why": why}
            if why
            else _("They did not say why. A call is the quickest way to find out.")
        )
    for recipient in recipients:
        notification_create(
            workspace=workspace,
            recipient=recipient,
            kind="detractor",
            title=title,
            body=body,
            customer=customer,
            url=url,
        )
