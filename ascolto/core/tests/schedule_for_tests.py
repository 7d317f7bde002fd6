"""A schedule table for the scheduler tests (settings.SCHEDULE_MODULE points here)."""

from datetime import timedelta

from ascolto.core.jobs import Job

JOBS = [
    Job("sweeper", "ascolto.core.sweep.sweep_all", every=timedelta(minutes=1), inline=True),
    Job("record-inline", "ascolto.core.tests.jobs_for_tests.record", daily="03:00", inline=True),
    Job("record-queued", "ascolto.core.tests.jobs_for_tests.record", every=timedelta(hours=1)),
    Job("explode", "ascolto.core.tests.jobs_for_tests.explode", monthly=(31, "06:30")),
]

SWEEPERS = ["ascolto.core.sweep.scheduled_runs_sweep"]
