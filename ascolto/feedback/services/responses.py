"""Submitting a response directly, as an open link's page does (an invitation's public page
accepts its answers as one row, filed by the worker: `feedback.submissions`).

Validation, the claim of the invitation, the write and the detractor alert are the submission
path's own (`submissions.answers`, `submissions.store`), so both ways store the same response
with the same checks. See docs/submissions.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ascolto.feedback.models import Invitation, OpenLink, Response, Survey
from ascolto.feedback.submissions.answers import (
    MAX_TEXT_LENGTH,
    TOP_SCORES,
    AlreadyAnswered,
    CleanAnswer,
    QuestionRule,
    ResponseTarget,
    field_name,
    response_answers_clean,
    score_band,
)
from ascolto.feedback.submissions.store import response_write, texts_analyse

__all__ = [
    "MAX_TEXT_LENGTH",
    "TOP_SCORES",
    "AlreadyAnswered",
    "CleanAnswer",
    "QuestionRule",
    "ResponseTarget",
    "field_name",
    "response_answers_clean",
    "response_submit",
    "score_band",
]


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
    target = ResponseTarget(
        workspace_id=survey.workspace_id,
        survey_id=survey.pk,
        kind=survey.kind,
        invitation_id=invitation.pk if invitation is not None else None,
        customer_id=invitation.customer_id if invitation is not None else None,
        open_link_id=open_link.pk if open_link is not None else None,
    )
    questions = list(survey.questions.order_by("position", "pk"))
    answers, errors = response_answers_clean(questions=questions, data=data)
    if errors:
        raise ValidationError(errors)
    try:
        return _response_store(target, answers, language)
    except IntegrityError:
        raise AlreadyAnswered from None


def _response_store(target: ResponseTarget, answers: list[CleanAnswer], language: str) -> Response:
    with transaction.atomic():
        response, comment_ids = response_write(target, answers, language)
        texts_analyse(response.workspace_id, comment_ids)
        return response
