"""What a submission on the public survey page needs, read in one statement.

The POST of the public page is the busiest request in the product (a campaign's customers answer
within minutes of each other), so it reads everything it needs with one hand-written SELECT
(the invitation by its token's hash, its survey and the survey's questions) before the write,
and builds no more objects than validation uses. Nothing is cached: a question edited a second
ago is what the next submission is checked against.
"""

from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from ascolto.feedback.models import Invitation, Question, Survey, token_hash_of
from ascolto.feedback.submissions.answers import QuestionRule, ResponseTarget
from ascolto.workspaces.models import Workspace

MAX_TOKEN_LENGTH = 100

# The columns of the SELECT, by name (each row is read back as a `_Row` of these names): one row
# per question, the invitation's and the survey's columns repeated on each. The `%s` of
# `expired` is the statement's first parameter, the current time.
_COLUMNS = {
    "invitation_id": "i.id",
    "workspace_id": "i.workspace_id",
    "customer_id": "i.customer_id",
    "language": "i.language",
    "customer_address": "w.customer_address",
    "answered": "i.answered_at IS NOT NULL",
    "expired": "i.expires_at <= %s",
    "survey_id": "s.id",
    "survey_kind": "s.kind",
    "question_id": "q.id",
    "question_kind": "q.kind",
    "role": "q.role",
    "required": "q.required",
    "min_value": "q.min_value",
    "max_value": "q.max_value",
    "choices": "q.choices",
}
_Row = namedtuple("_Row", list(_COLUMNS))


@dataclass(frozen=True)
class InvitationForm:
    """A live invitation's survey, as far as a submission needs it."""

    target: ResponseTarget
    language: str
    customer_address: str
    answered: bool
    expired: bool
    questions: list[QuestionRule]


def _statement() -> str:
    quote = connection.ops.quote_name
    invitation, survey, question, workspace = (
        quote(m._meta.db_table) for m in (Invitation, Survey, Question, Workspace)
    )
    columns = ", ".join(f"{expression} AS {quote(name)}" for name, expression in _COLUMNS.items())
    # The table names are the models', quoted; every value is a parameter.
    return (
        f"SELECT {columns} "  # noqa: S608
        f"FROM {invitation} i "
        f"JOIN {survey} s ON s.id = i.survey_id AND s.active = %s "
        f"JOIN {question} q ON q.survey_id = s.id "
        f"JOIN {workspace} w ON w.id = i.workspace_id "
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
        rows = [_Row(*values) for values in cursor.fetchall()]
    if not rows:
        return None
    first = rows[0]
    questions = [
        QuestionRule(
            pk=row.question_id,
            kind=row.question_kind,
            role=row.role,
            required=bool(row.required),
            min_value=row.min_value,
            max_value=row.max_value,
            choices=json.loads(row.choices) if isinstance(row.choices, str) else row.choices,
        )
        for row in rows
    ]
    target = ResponseTarget(
        workspace_id=first.workspace_id,
        survey_id=first.survey_id,
        kind=first.survey_kind,
        invitation_id=first.invitation_id,
        customer_id=first.customer_id,
    )
    return InvitationForm(
        target=target,
        language=first.language,
        customer_address=first.customer_address,
        answered=bool(first.answered),
        expired=bool(first.expired),
        questions=questions,
    )
