"""`ascolto worker`: run queued background tasks.

A thin wrapper around django-tasks-db's `db_worker` that serves every configured queue by default;
beside it, a thread for each of the schedule's `WORKER_LOOPS` (`ascolto/schedule.py`: the public
survey page's submissions are stored as they arrive). Run as many as you like, on one machine or several: each task is
claimed by one worker. On SIGTERM or SIGINT the worker finishes the task in hand and exits; a
second signal aborts it (its unit of work is repaired by the sweeper once its lease expires).
"""

from __future__ import annotations

import os
import socket
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from ascolto.core.jobs import worker_loops


class Command(BaseCommand):
    # Long-running processes: checking URLs and templates at start buys nothing here.
    requires_system_checks: list[str] = []
    help = "Run background tasks from the database queue (several workers may run at once)."

    def add_arguments(self, parser):
        queues = settings.TASKS["default"].get("QUEUES", ["default"])
        parser.add_argument(
            "--queues",
            default=",".join(queues),
            help="Comma-separated queues to serve (default: %(default)s).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default: %(default)s).",
        )
        parser.add_argument("--batch", action="store_true", help="Run the ready tasks, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args, queues: str, interval: float, batch: bool, max_tasks, **options):
        backend = task_backends["default"]
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"The task backend is {type(backend).__module__}.{type(backend).__name__}; "
                "run that backend's own worker instead (see docs/tasks.md)."
            )
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        # Beside the tasks, a thread for each of the schedule's loops (or, with --batch, their
        # work done once).
        stop = threading.Event()
        threads = []
        for loop in worker_loops():
            if batch:
                loop.batch_function()
            else:
                thread = threading.Thread(
                    target=loop.function, args=(stop,), name=loop.name, daemon=True
                )
                thread.start()
                threads.append(thread)
        try:
            call_command(
                "db_worker",
                queue_name=queues,
                interval=interval,
                batch=batch,
                max_tasks=max_tasks,
                reload=False,
                worker_id=worker_id,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
