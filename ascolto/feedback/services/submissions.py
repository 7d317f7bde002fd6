"""Answers received on an invitation's public page: accepted at once, stored by the worker.

The public page is the busiest write path of the product (a campaign's customers answer within
minutes of each other), so a submission does the least work a durable answer needs: it
validates every answer against its question, then inserts ONE `Submission` row (`ON CONFLICT DO
NOTHING` on the unique invitation: a second submission, or a double click, stores nothing and is
told "already answered"). When that INSERT has committed, the answer is safe.

Everything the answer sets off (the response and its answers, the invitation marked answered, the
timeline, the dashboards' counts kept by triggers, the detractor alert, and one task that analyses
the comments of the whole batch) is done by `submissions_process`, in batches, with the time of the
submission. `ascolto worker` runs it in a loop beside its tasks (a submission is stored within
about a second while a worker runs), and the scheduler's one-minute sweeper runs it too, so answers
are stored even when every worker is down. A batch is one transaction that also deletes the
submissions it stored, so an invitation has its pending submission or its response, never both, and
a worker killed in the middle of a batch leaves it to be done again, whole. A submission that
cannot be stored (it should not happen: it was validated) keeps its row, with the reason in
`error`, for the admin to see; nothing is lost. See docs/benchmarks.md, "Survey submissions".
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils import timezone

from ascolto.feedback.models import Invitation, Question, Submission
from ascolto.feedback.services.responses import (
    AlreadyAnswered,
    CleanAnswer,
    QuestionRule,
    ResponseTarget,
    _insert,
    _response_write,
    _texts_analyse,
    main_score,
    response_answers_clean,
)
from ascolto.lib.writers import write_turn

logger = logging.getLogger("ascolto.feedback")

BATCH = 50  # submissions per transaction: short enough not to hold SQLite's write lock long
LOOP_SECONDS = 0.5  # how often an idle worker looks for new submissions


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
        with write_turn(), connection.cursor() as cursor:
            stored = _insert(cursor, Submission, [row], skip_conflicts=True)
    except IntegrityError:  # the invitation was deleted a moment ago
        raise AlreadyAnswered from None
    if not stored:
        raise AlreadyAnswered
    return score


def submissions_pending() -> bool:
    """Whether any submission waits to be stored (a read that takes no write lock)."""
    return Submission.objects.waiting().exists()


def submissions_process(*, limit: int = BATCH) -> int:
    """Store up to `limit` pending submissions as responses, oldest first, in one transaction
    that also deletes them. Returns how many were handled: stored, dropped because their
    invitation was answered already, or set aside with an error.

    A batch is first tried whole, with no savepoint per submission (two statements fewer
    each); if anything in it fails, it is rolled back and done again one savepoint per
    submission, so the one that fails is set aside and the others are stored."""
    if not submissions_pending():
        return 0
    try:
        return _batch_store(limit=limit, isolated=False)
    except (OperationalError, InterfaceError):
        raise  # the database itself: the whole batch is tried again later
    except Exception:
        logger.warning("A batch of submissions failed; storing them one by one", exc_info=True)
        return _batch_store(limit=limit, isolated=True)


def _batch_store(*, limit: int, isolated: bool) -> int:
    with transaction.atomic():
        pending = Submission.objects.waiting().order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)  # workers take disjoint rows
        rows = list(pending.values_list("pk", "invitation_id", "submitted_at", "answers")[:limit])
        if not rows:
            return 0
        targets = _targets({invitation_id for _pk, invitation_id, _at, _a in rows})
        questions = Question.objects.in_bulk(
            {question_id for *_r, answers in rows for question_id, *_v in answers}
        )
        handled, failed = [], {}
        comments: dict[int, list[int]] = defaultdict(list)  # workspace -> answer ids
        for pk, invitation_id, submitted_at, answers in rows:
            if invitation_id not in targets:  # deleted with its invitation meanwhile
                handled.append(pk)
                continue
            target, language = targets[invitation_id]
            try:
                comment_ids = _submission_store(
                    target, language, submitted_at, answers, questions, isolated=isolated
                )
            except AlreadyAnswered:
                logger.info(
                    "Submission %s dropped: invitation %s answered already", pk, invitation_id
                )
            except (OperationalError, InterfaceError):
                raise
            except Exception as exc:
                if not isolated:
                    raise
                # Set aside, with the reason, for the admin to see.
                logger.exception("Submission %s could not be stored", pk)
                failed[pk] = f"{type(exc).__name__}: {exc}"[:1000]
                continue
            else:
                comments[target.workspace_id].extend(comment_ids)
            handled.append(pk)
        for workspace_id, answer_ids in comments.items():  # one analysis task per batch
            _texts_analyse(workspace_id, answer_ids)
        Submission.objects.filter(pk__in=handled).delete()
        for pk, error in failed.items():
            Submission.objects.filter(pk=pk).update(error=error)
    return len(rows)


def _targets(invitation_ids: set[int]) -> dict[int, tuple[ResponseTarget, str]]:
    """Per invitation, where its response goes and in which language it was answered."""
    values = Invitation.objects.filter(pk__in=invitation_ids).values_list(
        "pk", "workspace_id", "survey_id", "survey__kind", "customer_id", "language"
    )
    return {
        pk: (
            ResponseTarget(
                workspace_id=workspace_id,
                survey_id=survey_id,
                kind=kind,
                invitation_id=pk,
                customer_id=customer_id,
            ),
            language,
        )
        for pk, workspace_id, survey_id, kind, customer_id, language in values
    }


def _submission_store(
    target: ResponseTarget,
    language: str,
    submitted_at: datetime,
    answers: list[list[Any]],
    questions: dict[int, Question],
    *,
    isolated: bool,
) -> list[int]:
    """Store one submission as its response (`isolated`: in a savepoint of its own); returns
    the ids of its answers with a text. A claim that finds the invitation answered writes
    nothing, so it needs no savepoint to be undone."""
    # An answer to a question deleted since is dropped, as the deletion would have dropped it.
    clean = [
        CleanAnswer(questions[question_id], number=number, text=text, choice=choice)
        for question_id, number, text, choice in answers
        if question_id in questions
    ]
    if not isolated:
        _response, comment_ids = _response_write(target, clean, language, submitted_at)
        return comment_ids
    try:
        with transaction.atomic():
            _response, comment_ids = _response_write(target, clean, language, submitted_at)
    except IntegrityError:  # the response's unique invitation: answered already
        raise AlreadyAnswered from None
    return comment_ids


def submissions_store_all(*, max_batches: int = 1000) -> int:
    """Process batches until none is pending (or `max_batches`); returns how many were
    handled."""
    total = 0
    for _i in range(max_batches):
        handled = submissions_process()
        if not handled:
            break
        total += handled
    return total


def submissions_sweep(*, now: datetime) -> int:
    """The sweeper's turn (every minute, in the scheduler): store what the workers have not."""
    return submissions_store_all(max_batches=40)


def submissions_loop(stop: threading.Event, *, interval: float = LOOP_SECONDS) -> None:
    """What `ascolto worker` runs in a thread beside its tasks: store submissions as they
    arrive, until `stop` is set. A database error is logged and tried again after `interval`."""
    try:
        while not stop.is_set():
            try:
                handled = submissions_process()
            except Exception:
                logger.exception("Storing survey submissions failed; trying again")
                close_old_connections()
                handled = 0
            if not handled:
                stop.wait(interval)
    finally:
        connection.close()
