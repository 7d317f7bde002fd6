"""What a submission on the public survey page needs, read in one statement.

The POST of the public page is the busiest request in the product (a campaign's customers answer
within minutes of each other), so it reads everything it needs with one hand-written SELECT
(the invitation by its token's hash, its survey and the survey's questions) before the write
transaction starts, and builds no more objects than validation uses. Nothing is cached: a
question edited a second ago is what the next submission is checked against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from ascolto.feedback.models import Invitation, Question, Survey, token_hash_of
from ascolto.feedback.services.responses import QuestionRule, ResponseTarget

MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class InvitationForm:
    """A live invitation's survey, as far as a submission needs it."""

    target: ResponseTarget
    language: str
    answered: bool
    expired: bool
    questions: list[QuestionRule]


def _statement() -> str:
    invitation, survey, question = (
        connection.ops.quote_name(m._meta.db_table) for m in (Invitation, Survey, Question)
    )
    # The table names are the models', quoted; every value is a parameter.
    return (
        "SELECT i.id, i.workspace_id, i.customer_id, i.language, "  # noqa: S608
        "i.answered_at IS NOT NULL, "
        "i.expires_at <= %s, s.id, s.kind, "
        "q.id, q.kind, q.role, q.required, q.min_value, q.max_value, q.choices "
        f"FROM {invitation} i "
        f"JOIN {survey} s ON s.id = i.survey_id AND s.active = %s "
        f"JOIN {question} q ON q.survey_id = s.id "
        "WHERE i.token_hash = %s ORDER BY q.position, q.id"
    )


_STATEMENTS: dict[str, str] = {}


def invitation_form_by_token(token: str) -> InvitationForm | None:
    """The invitation whose link carries `token`, if its survey is active, with the survey's
    questions in order; None otherwise (unknown, forged or inactive: the caller answers 404).
    The lookup is by the token's hash, like `selectors.invitation_by_token`."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    sql = _STATEMENTS.get(connection.vendor)
    if sql is None:
        sql = _STATEMENTS[connection.vendor] = _statement()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, True, token_hash_of(token)])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    questions = [
        QuestionRule(
            pk=row[8],
            kind=row[9],
            role=row[10],
            required=bool(row[11]),
            min_value=row[12],
            max_value=row[13],
            choices=json.loads(row[14]) if isinstance(row[14], str) else row[14],
        )
        for row in rows
    ]
    target = ResponseTarget(
        workspace_id=first[1],
        survey_id=first[6],
        kind=first[7],
        invitation_id=first[0],
        customer_id=first[2],
    )
    return InvitationForm(
        target=target,
        language=first[3],
        answered=bool(first[4]),
        expired=bool(first[5]),
        questions=questions,
    )
