"""Submitting a response: validation of every answer, one response per invitation, the
detractor alert and the "all good" signal.

The answers of an invitation's public page are accepted as one row and filed here by the worker
(`services.submissions`, in batches); open links, members and imports store directly
(`response_submit`). Either way the store is kept short and cheap: the reads (invitation,
survey, questions) happen before the write transaction, which holds only the conditional UPDATE
that claims the invitation, two INSERTs (the response, then all its answers in one statement)
and the task row that analyses the comments. The INSERTs are built once per process from the
models' own fields (`_insert`), so a column added later is written too; like `bulk_create` they
bypass `save()` and signals, which these models do not rely on. See docs/benchmarks.md, "Survey
submissions".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.feedback import hooks
from ascolto.feedback.models import Answer, Invitation, OpenLink, Question, Response, Survey
from ascolto.lib.text import clean_text

logger = logging.getLogger("ascolto.feedback")

MAX_TEXT_LENGTH = 5_000
PLAIN_SCORE = re.compile(r"0|[1-9][0-9]{0,2}", re.ASCII)


class AlreadyAnswered(Exception):
    """The invitation already has its response; nothing was stored."""


@dataclass(frozen=True)
class CleanAnswer:
    question: Question | QuestionRule
    number: int | None = None
    text: str = ""
    choice: str = ""

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.text and not self.choice


@dataclass(frozen=True, slots=True)
class QuestionRule:
    """What validating and storing an answer needs of its question, without a model instance
    (the public page's submission builds these from its one read; see `public_form`)."""

    pk: int
    kind: str
    role: str
    required: bool
    min_value: int | None
    max_value: int | None
    choices: list[dict[str, Any]]

    @property
    def is_numeric(self) -> bool:
        return self.kind in (Question.Kind.SCORE, Question.Kind.SCALE)


def field_name(question: Question | QuestionRule) -> str:
    return f"q{question.pk}"


def response_answers_clean(
    *, questions: Sequence[Question | QuestionRule], data: Mapping[str, Any]
) -> tuple[list[CleanAnswer], dict[str, str]]:
    """Check every answer against its question. Returns the clean answers and, per form field,
    a message in the active language. Unknown fields are ignored."""
    answers: list[CleanAnswer] = []
    errors: dict[str, str] = {}
    for question in questions:
        name = field_name(question)
        raw = data.get(name, "")
        raw = raw if isinstance(raw, str) else ""
        raw = clean_text(raw).strip()
        if not raw:
            if question.required:
                errors[name] = (
                    _("Please choose a score.") if question.is_numeric else _("Please answer.")
                )
            answers.append(CleanAnswer(question))
            continue
        if question.is_numeric:
            # Only the plain digits of the scale: int() would also take "1_0", "0010" and
            # digits of other scripts ("٣").
            number = int(raw) if PLAIN_SCORE.fullmatch(raw) else None
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


def main_score(answers: Sequence[CleanAnswer]) -> int | None:
    """The number given to the survey's main question (None if it has none)."""
    main = next((a for a in answers if a.question.role == Question.Role.MAIN), None)
    return main.number if main else None


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


@dataclass(frozen=True)
class ResponseTarget:
    """Where a response is stored: the ids it needs, read before the write transaction."""

    workspace_id: int
    survey_id: int
    kind: str
    invitation_id: int | None = None
    customer_id: int | None = None
    open_link_id: int | None = None


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
    return response_submit_answers(target=target, questions=questions, data=data, language=language)


def response_submit_answers(
    *,
    target: ResponseTarget,
    questions: Sequence[Question | QuestionRule],
    data: Mapping[str, Any],
    language: str,
) -> Response:
    """`response_submit` for a caller that has read the target and its survey's questions
    already (the public page reads them in one statement). Same checks, same errors."""
    answers, errors = response_answers_clean(questions=questions, data=data)
    if errors:
        raise ValidationError(errors)
    try:
        return _response_store(target, answers, language)
    except IntegrityError:
        raise AlreadyAnswered from None


# Fields whose value, when it is already an int, str or bool (or None), is what the database
# gets: `get_db_prep_save` would return it unchanged, so the busy path skips that call.
_PLAIN_FIELDS = (
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.AutoField,
    models.BigAutoField,
    models.CharField,
    models.TextField,
    models.BooleanField,
)
_PLAIN_VALUES = (int, str, bool, type(None))


def _is_plain(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return type(field.target_field) in _PLAIN_FIELDS
    return type(field) in _PLAIN_FIELDS


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    fields: tuple[models.Field, ...]
    plain: tuple[bool, ...]


_INSERTS: dict[tuple[type[models.Model], int, str, bool], _Statement] = {}


def _insert(
    cursor: Any,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    skip_conflicts: bool = False,
) -> list[int]:
    """Store `rows` (new rows of `model`, as {attname: value}; a field left out gets its
    default) with one INSERT ... RETURNING and return their primary keys, in order. Like
    `bulk_create` (no `save()`, no signals), but the statement is built once per process, model
    and row count, from the model's concrete fields, and no model instance is made. With
    `skip_conflicts`, a row that would break a unique constraint is left out (`ON CONFLICT DO
    NOTHING`) and has no key in the result."""
    if not rows:
        return []
    db = cursor.db  # the connection itself: cheaper than the `connection` proxy, per field
    key = (model, len(rows), db.vendor, skip_conflicts)
    statement = _INSERTS.get(key)
    if statement is None:
        meta = model._meta
        fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
        quote = db.ops.quote_name
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        columns = ", ".join(quote(f.column) for f in fields)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (quoted names)
            f"VALUES {', '.join([one] * len(rows))} "
            f"{'ON CONFLICT DO NOTHING ' if skip_conflicts else ''}"
            f"RETURNING {quote(meta.pk.column)}"
        )
        statement = _INSERTS[key] = _Statement(sql, fields, tuple(_is_plain(f) for f in fields))
    params = []
    for row in rows:
        for field, plain in zip(statement.fields, statement.plain, strict=True):
            value = row[field.attname] if field.attname in row else field.get_default()
            if not (plain and type(value) in _PLAIN_VALUES):
                value = field.get_db_prep_save(value, db)
            params.append(value)
    cursor.execute(statement.sql, params)
    return [pk for (pk,) in cursor.fetchall()]


def _invitation_claim(cursor: Any, invitation_id: int, now: Any) -> bool:
    """Mark the invitation answered unless it is already: True for exactly one caller."""
    meta, ops = Invitation._meta, cursor.db.ops
    table, pk = ops.quote_name(meta.db_table), ops.quote_name(meta.pk.column)
    answered, closed = (
        ops.quote_name(meta.get_field(name).column) for name in ("answered_at", "closed_at")
    )
    cursor.execute(
        f"UPDATE {table} SET {answered} = %s, {closed} = %s "  # noqa: S608 (quoted names)
        f"WHERE {pk} = %s AND {answered} IS NULL",
        [ops.adapt_datetimefield_value(now)] * 2 + [invitation_id],
    )
    return cursor.rowcount == 1


# Response's concrete fields other than the key, and every attname, key first (the order
# `from_db` takes them in), for the instance the submission returns.
_FIELDS = [f for f in Response._meta.concrete_fields if not f.primary_key]
_ATTNAMES = [Response._meta.pk.attname, *(f.attname for f in _FIELDS)]


def _response_store(target: ResponseTarget, answers: list[CleanAnswer], language: str) -> Response:
    with transaction.atomic():
        response, comment_ids = _response_write(target, answers, language)
        _texts_analyse(response.workspace_id, comment_ids)
        return response


def _response_write(
    target: ResponseTarget, answers: list[CleanAnswer], language: str, submitted_at: Any = None
) -> tuple[Response, list[int]]:
    """Store the response in the caller's transaction (`submitted_at`: now unless given) and
    alert on a detractor. Returns it and the ids of its answers that have a text, which the
    caller has analysed (`_texts_analyse`: one task for one response, or for a batch)."""
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
    with connection.cursor() as cursor:
        if target.invitation_id is not None and not _invitation_claim(
            cursor, target.invitation_id, now
        ):
            raise AlreadyAnswered
        (response_id,) = _insert(cursor, Response, [values])
        answer_ids = _insert(
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
        db = cursor.db
    stored = [values[f.attname] if f.attname in values else f.get_default() for f in _FIELDS]
    response = Response.from_db(db.alias, _ATTNAMES, [response_id, *stored])
    if response.is_detractor:
        _detractor_alert(response, answers)
    return response, [pk for pk, a in zip(answer_ids, kept, strict=True) if a.text]


def _texts_analyse(workspace_id: int, answer_ids: list[int]) -> None:
    """Comments are analysed (sentiment, emotion, aspects) in the background: the
    `survey_answer_texts_saved` hooks get all the comments given (`answer_ids`, of one
    workspace) in the caller's transaction (text analysis queues one task for them)."""
    if answer_ids:
        hooks.survey_answer_texts_saved.call(workspace_id=workspace_id, answer_ids=answer_ids)


def _detractor_alert(response: Response, answers: list[CleanAnswer]) -> None:
    from ascolto.notifications.services import notification_create
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
