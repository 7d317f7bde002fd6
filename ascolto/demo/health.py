"""Demo step: the health scores, so the at-risk list and the customer page's health card are
filled from the first page view. Up to DEMO_HISTORY_UP_TO customers it also stores a score a
week for the last WEEKS weeks (as the nightly job would have, each from the events before it),
so the card draws a trend; larger demos get today's score only (the nightly job adds the rest).
No alerts: nobody is notified about the history of an invented business."""

from __future__ import annotations

from datetime import timedelta

from ascolto.demo import DemoContext
from ascolto.health.services import health_scores_compute

DEMO_HISTORY_UP_TO = 5_000
WEEKS = 12


def health_step(ctx: DemoContext) -> None:
    end = ctx.end  # midnight at the start of today: nothing generated lies after it
    weeks = WEEKS if ctx.options.customers <= DEMO_HISTORY_UP_TO else 0
    for k in range(weeks, -1, -1):
        ctx.counts["healthscore"] += health_scores_compute(
            workspace=ctx.workspace, now=end - timedelta(days=7 * k), alert=False
        )
        ctx.progress("health", 1, weeks + 1)


__all__ = ["health_step"]
