"""Demo step: the analysis of every text the demo wrote (survey comments, interaction notes,
staff signals), so badges and the comments page are filled from the first page view.

It runs the same backfill as `ascolto textanalysis backfill` (bulk inserts; texts repeated by
the templates are analysed once). Past DEMO_FULL_UP_TO customers only the last 90 days are
analysed here, to keep the big benchmark demos practical; `ascolto textanalysis backfill`
analyses the rest, and the scheduler's sweep does it a batch at a time. On PostgreSQL the step
first has the database gather the statistics of the tables the demo has just filled.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection

from ascolto.demo import DemoContext
from ascolto.textanalysis.services import text_analyses_missing_count, text_analysis_backfill

DEMO_FULL_UP_TO = 20_000
RECENT_DAYS = 90


def texts_step(ctx: DemoContext) -> None:
    workspace_id = ctx.workspace.pk
    if connection.vendor == "postgresql":
        # The tables were just filled in bulk, faster than autovacuum's analyse follows: without
        # statistics the planner takes the analyses table for a few rows and checks every text
        # against all of them (the step slowed from 1,200 to 130 texts a second).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    since = None
    if ctx.options.customers > DEMO_FULL_UP_TO:
        since = ctx.end - timedelta(days=RECENT_DAYS)
    total = text_analyses_missing_count(workspace_id=workspace_id, since=since)

    def progress(advance: int) -> None:
        ctx.progress("texts", advance, total)

    ctx.counts["textanalysis"] += text_analysis_backfill(
        workspace_id=workspace_id, since=since, progress=progress
    )


__all__ = ["texts_step"]
