"""`ascolto run-job NAME`: run one periodic job by hand, now, in this process."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ascolto.core.jobs import job_get, jobs
from ascolto.core.leases import WorkState
from ascolto.core.services import job_run_now


class Command(BaseCommand):
    # Long-running processes: checking URLs and templates at start buys nothing here.
    requires_system_checks: list[str] = []
    help = "Run one periodic job by hand (see ascolto/schedule.py for the names)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        job = job_get(name)
        if job is None:
            names = ", ".join(j.name for j in jobs())
            raise CommandError(f"No job named {name!r}. Jobs: {names}")
        run = job_run_now(job=job)
        if run.state != WorkState.DONE:
            raise CommandError(f"Job {name} failed:\n{run.last_error}")
        self.stdout.write(self.style.SUCCESS(f"{name}: done"))
