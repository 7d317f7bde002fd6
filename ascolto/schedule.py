"""Every periodic job of Ascolto, in one table.

`ascolto scheduler` reads `JOBS`: for each job it works out the latest period that has started
(a slot of `every`, or today's `daily` time, or this month's `monthly` day and time, in the server
`TIME_ZONE`) and claims it by inserting a `ScheduledRun(job, period_key)`; the unique pair means a
second scheduler or a late tick never runs a period twice, and after downtime a job runs once for
the latest missed period, not once per missed period. `ascolto run-job NAME` runs one by hand.

A job's function is called as `func(now=<datetime of the tick>)`, must be idempotent, and should
do little itself: usually it creates or selects leased work units and enqueues their tasks.

`SWEEPERS` lists the functions the built-in `sweeper` job calls every minute; each is called as
`func(now=...)` and re-enqueues its app's pending or lease-expired work with
`ascolto.core.leases.lease_sweep`. See docs/tasks.md, "How to add a periodic job".

`WORKER_LOOPS` lists what `ascolto worker` runs in threads beside its tasks (see
`ascolto.core.jobs.WorkerLoop`): work that must not wait for a task to be queued.

This table names every app's jobs, so it sits at the edge of the layers, with the commands that
start the processes (`ascolto/ops`); the apps never import it.
"""

from __future__ import annotations

from datetime import timedelta

from ascolto.core.jobs import Job, WorkerLoop

JOBS: list[Job] = [
    # Runs inside the scheduler so it keeps working when every worker is down.
    Job("sweeper", "ascolto.core.sweep.sweep_all", every=timedelta(minutes=1), inline=True),
    Job("housekeeping", "ascolto.core.sweep.housekeeping", daily="04:15"),
    Job(
        "survey-reminders",
        "ascolto.feedback.services.survey_reminders_queue",
        every=timedelta(hours=1),
    ),
    Job("cadence", "ascolto.feedback.services.cadence.cadence_run", every=timedelta(hours=1)),
    Job(
        "dashboards-monthly-report",
        "ascolto.dashboards.reports.monthly_reports_schedule",
        monthly=(1, "07:00"),
    ),
    # Complaints' deadlines: a clock about to run out, or run out, alerts once.
    Job("case-clocks", "ascolto.cases.services.sla.case_clocks_check", every=timedelta(minutes=5)),
    Job("win-back", "ascolto.cases.services.losses.win_back_reminders_run", daily="08:00"),
    # Every customer's health score for the day, batched per workspace; then the week's digests.
    Job(
        "health-scores",
        "ascolto.health.services.health_scores_nightly",
        daily="03:30",
        fan_out="ascolto.workspaces.selectors.workspace_ids_all",
    ),
    Job("health-digests", "ascolto.health.services.health_digests_schedule", daily="07:30"),
    # What each kind's retention period has let expire is emptied, erased or deleted.
    Job("privacy-retention", "ascolto.privacy.retention.retention_run", daily="03:30"),
    # Remembered API answers (Idempotency-Key) are kept a day.
    Job(
        "api-idempotency-forget",
        "ascolto.api.services.idempotency.idempotency_records_sweep",
        daily="04:45",
    ),
    # Texts saved while no worker ran, or loaded in bulk: analysed in bounded batches.
    Job(
        "textanalysis-sweep",
        "ascolto.textanalysis.services.text_analyses_sweep",
        every=timedelta(minutes=15),
    ),
    # Public voice: RSS/Atom feeds that are due (each feed keeps its own next time and back-off).
    Job("voice-feeds", "ascolto.voice.services.source_feeds_poll_due", every=timedelta(minutes=5)),
]

SWEEPERS: list[str] = [
    "ascolto.core.sweep.scheduled_runs_sweep",
    "ascolto.workspaces.services.member_invitations_sweep",
    "ascolto.feedback.services.survey_invitations_sweep",
    "ascolto.feedback.services.bulk.survey_bulk_sends_sweep",
    "ascolto.feedback.submissions.filing.submissions_sweep",
    "ascolto.notifications.services.notification_emails_sweep",
    "ascolto.cases.services.replies.case_emails_sweep",
    "ascolto.dashboards.reports.monthly_reports_sweep",
    "ascolto.health.services.health_digests_sweep",
    "ascolto.api.services.webhooks.webhook_deliveries_sweep",
    "ascolto.api.services.imports.import_runs_sweep",
]

WORKER_LOOPS: list[WorkerLoop] = [
    # The public survey page only accepts an answer (one INSERT); this files it as the response.
    WorkerLoop(
        "submissions",
        "ascolto.feedback.submissions.filing.submissions_loop",
        batch="ascolto.feedback.submissions.filing.submissions_store_all",
    ),
]
