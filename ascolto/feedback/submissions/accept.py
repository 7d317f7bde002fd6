"""What the public page does with an answer: validate it, then store it as ONE row.

The answers are checked against the rules the page read (`form.py`), then inserted as one
`Submission` row with `INSERT ... ON CONFLICT DO NOTHING` on its unique invitation: a second
submission, or a double click, stores nothing and is told "already answered". When that INSERT
has committed, the answer is safe; the worker files it as the response (`filing.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone

from ascolto.feedback.models import Submission
from ascolto.feedback.submissions.answers import (
    AlreadyAnswered,
    QuestionRule,
    ResponseTarget,
    main_score,
    response_answers_clean,
)
from ascolto.feedback.submissions.rows import insert_rows
from ascolto.feedback.submissions.writers import write_turn


def submission_accept(
    *, target: ResponseTarget, questions: Sequence[QuestionRule], data: Mapping[str, Any]
) -> int | None:
    """Validate the answers to an invitation's survey and store them as a pending submission.

    Returns the main score (None if the survey has none). Raises ValidationError (messages per
    form field) on bad input, and AlreadyAnswered when the invitation has a submission or a
    response already; nothing is stored in either case."""
    if target.invitation_id is None:
        raise ValueError("A submission belongs to an invitation.")
    answers, errors = response_answers_clean(questions=questions, data=data)
    if errors:
        raise ValidationError(errors)
    score = main_score(answers)
    row = {
        "workspace_id": target.workspace_id,
        "invitation_id": target.invitation_id,
        "submitted_at": timezone.now(),
        "score": score,
        "answers": [[a.question.pk, a.number, a.text, a.choice] for a in answers if not a.is_empty],
        "error": "",
    }
    try:
        # Autocommit: the INSERT is its own transaction, so on SQLite it takes the writer's
        # turn here (the backend takes it only for transactions it begins).
        with write_turn(), connection.cursor() as cursor:
            stored = insert_rows(cursor, Submission, [row], skip_conflicts=True)
    except IntegrityError:  # the invitation was deleted a moment ago
        raise AlreadyAnswered from None
    if not stored:
        raise AlreadyAnswered
    return score
