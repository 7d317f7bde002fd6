"""Storing a response in the caller's transaction: the claim of the invitation, the response
and its answers, and the detractor alert.

Used by the worker that files the public page's submissions (`filing.py`, a batch per
transaction) and by the direct paths (open links, members: `services.responses`). The write is
kept short: the claim is the ORM's conditional UPDATE (`answered_at IS NULL`), the response and
all its answers are two hand-built INSERTs (`rows.insert_rows`), and the comments are analysed
by one task the caller queues (`texts_analyse`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.feedback import hooks
from ascolto.feedback.models import Answer, Invitation, Question, Response
from ascolto.feedback.submissions.answers import (
    AlreadyAnswered,
    CleanAnswer,
    ResponseTarget,
    is_all_good,
    main_score,
    score_band,
)
from ascolto.feedback.submissions.rows import insert_rows

# Response's concrete fields other than the key, and every attname, key first (the order
# `from_db` takes them in), for the instance `response_write` returns without reading it back.
_FIELDS = [f for f in Response._meta.concrete_fields if not f.primary_key]
_ATTNAMES = [Response._meta.pk.attname, *(f.attname for f in _FIELDS)]


def invitation_claim(invitation_id: int, now: datetime) -> bool:
    """Mark the invitation answered (and closed) unless it is already: True for exactly one
    of any number of concurrent callers."""
    claimed = Invitation.objects.filter(pk=invitation_id, answered_at__isnull=True).update(
        answered_at=now, closed_at=now
    )
    return claimed == 1


def response_write(
    target: ResponseTarget,
    answers: list[CleanAnswer],
    language: str,
    submitted_at: datetime | None = None,
) -> tuple[Response, list[int]]:
    """Store the response in the caller's transaction (`submitted_at`: now unless given) and
    alert on a detractor. Raises AlreadyAnswered when the invitation is answered already
    (nothing written). Returns the response and the ids of its answers that have a text, which
    the caller has analysed (`texts_analyse`: one task for one response, or for a batch)."""
    now = submitted_at or timezone.now()
    score = main_score(answers)
    values = {
        "workspace_id": target.workspace_id,
        "survey_id": target.survey_id,
        "invitation_id": target.invitation_id,
        "open_link_id": target.open_link_id,
        "customer_id": target.customer_id,
        "submitted_at": now,
        "language": language if language in ("it", "en") else "it",
        "kind": target.kind,
        "score": score,
        "band": score_band(target.kind, score),
        "all_good": is_all_good(target.kind, score, answers),
    }
    kept = [a for a in answers if not a.is_empty]
    if target.invitation_id is not None and not invitation_claim(target.invitation_id, now):
        raise AlreadyAnswered
    with connection.cursor() as cursor:
        (response_id,) = insert_rows(cursor, Response, [values])
        answer_ids = insert_rows(
            cursor,
            Answer,
            [
                {
                    "response_id": response_id,
                    "question_id": a.question.pk,
                    "number": a.number,
                    "text": a.text,
                    "choice": a.choice,
                }
                for a in kept
            ],
        )
        alias = cursor.db.alias
    stored = [values[f.attname] if f.attname in values else f.get_default() for f in _FIELDS]
    response = Response.from_db(alias, _ATTNAMES, [response_id, *stored])
    if response.is_detractor:
        detractor_alert(response, answers)
    hooks.response_stored.call(response=response)
    return response, [pk for pk, a in zip(answer_ids, kept, strict=True) if a.text]


def texts_analyse(workspace_id: int, answer_ids: list[int]) -> None:
    """Comments are analysed (sentiment, emotion, aspects) in the background: the
    `survey_answer_texts_saved` hooks get all the comments given (`answer_ids`, of one
    workspace) in the caller's transaction (text analysis queues one task for them)."""
    if answer_ids:
        hooks.survey_answer_texts_saved.call(workspace_id=workspace_id, answer_ids=answer_ids)


def detractor_alert(response: Response, answers: list[CleanAnswer]) -> None:
    """Tell the account owner (or, without one, the workspace's owners) in the app, and by
    email once the transaction commits, that a customer gave a detractor score."""
    from ascolto.notifications.services import notification_create, notification_texts
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

    def words() -> tuple[str, str]:
        values = {"score": response.score, "survey": response.survey.name}
        if customer is not None:
            title = _("%(who)s gave %(score)s in “%(survey)s”: please get in touch.") % {
                "who": customer.name,
                **values,
            }
            body = (
                _("Their reason: %(why)s") % {"why": why}
                if why
                else _("They did not say why. A call is the quickest way to find out.")
            )
        else:  # an open link: nobody is known, so nobody can be called back
            title = (
                _("An anonymous customer gave %(score)s in “%(survey)s”: read what they wrote.")
                % values
            )
            body = (
                _("Their reason: %(why)s. The answer is anonymous: there is nobody to call back.")
                % {"why": why}
                if why
                else _("They did not say why, and the answer is anonymous: nobody to call back.")
            )
        return title, body

    texts = notification_texts(words)
    for recipient in recipients:
        notification_create(
            workspace=workspace,
            recipient=recipient,
            kind="detractor",
            texts=texts,
            customer=customer,
            url=url,
        )
    hooks.detractor_answered.call(response=response)
