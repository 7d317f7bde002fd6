"""The survey page's submissions, as they were imported before they had a package of their
own: the names now live in `ascolto.feedback.submissions` (see docs/submissions.md)."""

from ascolto.feedback.submissions.accept import submission_accept
from ascolto.feedback.submissions.filing import (
    BATCH,
    LOOP_SECONDS,
    submissions_loop,
    submissions_pending,
    submissions_process,
    submissions_store_all,
    submissions_sweep,
)

__all__ = [
    "BATCH",
    "LOOP_SECONDS",
    "submission_accept",
    "submissions_loop",
    "submissions_pending",
    "submissions_process",
    "submissions_store_all",
    "submissions_sweep",
]
