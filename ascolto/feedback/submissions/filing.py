"""The worker's side: pending submissions filed as responses, in batches.

Everything an answer sets off (the response and its answers, the invitation marked answered,
the timeline, the dashboards' counts kept by triggers, the detractor alert, and one task that
analyses the comments of the whole batch) is done here, with the time of the submission.
`ascolto worker` runs `submissions_loop` in a thread beside its tasks (a submission is filed
within about a second while a worker runs), and the scheduler's one-minute sweeper runs
`submissions_sweep`, so answers are filed even when every worker is down.

A batch is one transaction that also deletes the submissions it filed, so an invitation has
its pending submission or its response, never both, and a worker killed in the middle of a
batch leaves it to be done again, whole. A submission that cannot be filed (it should not
happen: it was validated) keeps its row, with the reason in `error`, for the admin to see;
nothing is lost.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)

from ascolto.feedback.models import Invitation, Question, Submission
from ascolto.feedback.submissions.answers import AlreadyAnswered, CleanAnswer, ResponseTarget
from ascolto.feedback.submissions.store import response_write, texts_analyse

logger = logging.getLogger("ascolto.feedback")

BATCH = 50  # submissions per transaction: short enough not to hold SQLite's write lock long
LOOP_SECONDS = 0.5  # how often an idle worker looks for new submissions


def submissions_pending() -> bool:
    """Whether any submission waits to be filed (a read that takes no write lock)."""
    return Submission.objects.waiting().exists()


def submissions_process(*, limit: int = BATCH) -> int:
    """File up to `limit` pending submissions as responses, oldest first, in one transaction
    that also deletes them. Returns how many were handled: filed, dropped because their
    invitation was answered already, or set aside with an error.

    A batch is first tried whole, with no savepoint per submission (two statements fewer
    each); if anything in it fails, it is rolled back and done again one savepoint per
    submission, so the one that fails is set aside and the others are filed."""
    if not submissions_pending():
        return 0
    try:
        return _batch_file(limit=limit, isolated=False)
    except (OperationalError, InterfaceError):
        raise  # the database itself: the whole batch is tried again later
    except Exception:
        logger.warning("A batch of submissions failed; filing them one by one", exc_info=True)
        return _batch_file(limit=limit, isolated=True)


def _batch_file(*, limit: int, isolated: bool) -> int:
    with transaction.atomic():
        pending = Submission.objects.waiting().order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)  # workers take disjoint rows
        batch = list(
            pending.values_list("pk", "invitation_id", "submitted_at", "answers", named=True)[
                :limit
            ]
        )
        if not batch:
            return 0
        targets = _targets({s.invitation_id for s in batch})
        questions = Question.objects.in_bulk(
            {question_id for s in batch for question_id, *_values in s.answers}
        )
        handled, failed = [], {}
        comments: dict[int, list[int]] = defaultdict(list)  # workspace -> answer ids
        for submission in batch:
            outcome = _submission_file(submission, targets, questions, isolated=isolated)
            if isinstance(outcome, str):  # set aside, with the reason, for the admin to see
                failed[submission.pk] = outcome
                continue
            if outcome is not None:
                workspace_id, comment_ids = outcome
                comments[workspace_id].extend(comment_ids)
            handled.append(submission.pk)
        for workspace_id, answer_ids in comments.items():  # one analysis task per batch
            texts_analyse(workspace_id, answer_ids)
        Submission.objects.filter(pk__in=handled).delete()
        for pk, error in failed.items():
            Submission.objects.filter(pk=pk).update(error=error)
    return len(batch)


def _submission_file(
    submission: Any,
    targets: dict[int, tuple[ResponseTarget, str]],
    questions: dict[int, Question],
    *,
    isolated: bool,
) -> tuple[int, list[int]] | str | None:
    """File one submission of a batch. Returns its workspace and the ids of its answers with a
    text; None when there is nothing to file (its invitation was deleted meanwhile, or answered
    already); the reason when it failed (only `isolated`: otherwise the error propagates, and
    the batch is done again one submission at a time)."""
    if submission.invitation_id not in targets:  # deleted with its invitation meanwhile
        return None
    target, language = targets[submission.invitation_id]
    try:
        comment_ids = _response_file(
            target, language, submission.submitted_at, submission.answers, questions, isolated
        )
    except AlreadyAnswered:
        logger.info(
            "Submission %s dropped: invitation %s answered already",
            submission.pk,
            submission.invitation_id,
        )
        return None
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        if not isolated:
            raise
        logger.exception("Submission %s could not be filed", submission.pk)
        return f"{type(exc).__name__}: {exc}"[:1000]
    return target.workspace_id, comment_ids


def _targets(invitation_ids: set[int]) -> dict[int, tuple[ResponseTarget, str]]:
    """Per invitation, where its response goes and in which language it was answered."""
    invitations = Invitation.objects.filter(pk__in=invitation_ids).values_list(
        "pk", "workspace_id", "survey_id", "survey__kind", "customer_id", "language", named=True
    )
    return {
        i.pk: (
            ResponseTarget(
                workspace_id=i.workspace_id,
                survey_id=i.survey_id,
                kind=i.survey__kind,
                invitation_id=i.pk,
                customer_id=i.customer_id,
            ),
            i.language,
        )
        for i in invitations
    }


def _response_file(
    target: ResponseTarget,
    language: str,
    submitted_at: datetime,
    answers: list[list[Any]],
    questions: dict[int, Question],
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
        _response, comment_ids = response_write(target, clean, language, submitted_at)
        return comment_ids
    try:
        with transaction.atomic():
            _response, comment_ids = response_write(target, clean, language, submitted_at)
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
    """The sweeper's turn (every minute, in the scheduler): file what the workers have not."""
    return submissions_store_all(max_batches=40)


def submissions_loop(stop: threading.Event, *, interval: float = LOOP_SECONDS) -> None:
    """What `ascolto worker` runs in a thread beside its tasks: file submissions as they
    arrive, until `stop` is set. A database error is logged and tried again after `interval`."""
    try:
        while not stop.is_set():
            try:
                handled = submissions_process()
            except Exception:
                logger.exception("Filing survey submissions failed; trying again")
                close_old_connections()
                handled = 0
            if not handled:
                stop.wait(interval)
    finally:
        connection.close()
