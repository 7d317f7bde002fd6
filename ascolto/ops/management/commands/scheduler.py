"""`ascolto scheduler`: run the periodic jobs of `ascolto/schedule.py`.

Every `--interval` seconds it claims each job's latest period (an INSERT on a unique key) and
runs or enqueues it. Two schedulers may run at once without doubling anything. SIGTERM lets the
current tick finish, then exits.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ascolto.core.services import scheduler_tick

logger = logging.getLogger("ascolto.scheduler")


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--now must be an ISO date and time, not {value!r}")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    # Long-running processes: checking URLs and templates at start buys nothing here.
    requires_system_checks: list[str] = []
    help = "Run periodic jobs on schedule (several schedulers may run at once)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=15.0,
            help="Seconds between ticks (default: %(default)s).",
        )
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument(
            "--now", default=None, help="Pretend it is this ISO date-time (for tests)."
        )

    def handle(self, *args, interval: float, once: bool, now: str | None, **options):
        fixed_now = _parse_now(now)
        if once:
            self._tick(fixed_now, options["verbosity"])
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        while not stop.is_set():
            try:
                self._tick(fixed_now, options["verbosity"])
            except Exception:  # the database may be briefly away: log and try next tick
                logger.exception("Scheduler tick failed")
            stop.wait(interval)
            # Like a request: drop connections that broke or aged while we slept.
            close_old_connections()

    def _tick(self, now: datetime | None, verbosity: int) -> None:
        result = scheduler_tick(now=now)
        if verbosity >= 1:
            for run in result.claimed:
                self.stdout.write(f"{run.job} {run.period_key}")
