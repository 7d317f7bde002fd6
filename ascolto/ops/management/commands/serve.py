"""Run Ascolto on one machine: the production WSGI server (gunicorn).

Background processes (task worker, scheduler) are started beside it by the same command, so a
single `ascolto serve` is a complete install; each can also run on its own.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Extra processes started next to the web server: (name, argv after `ascolto`).
BACKGROUND_PROCESSES: list[tuple[str, list[str]]] = [
    ("worker", ["worker"]),
    ("scheduler", ["scheduler"]),
]


def metrics_folder() -> Path:
    """A fresh folder where this run's gunicorn workers keep their request counts, so that
    /metrics adds up every worker's (prometheus_client's multiprocess mode)."""
    folder = Path(settings.DATA_DIR) / "metrics" / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, mode=0o700)
    return folder


# django-ninja ships two API viewers; Ascolto serves Swagger UI only (/api/v1/docs), so
# ReDoc's 4 MB bundle and map are neither copied nor compressed.
STATIC_IGNORE = ["ninja/redoc.*"]
STATIC_STAMP = ".collected"


def static_fingerprint() -> str:
    """What the static files to collect are: every source file's path, size and time, as the
    finders see them. Reading it takes a fraction of a second; collecting takes minutes."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(STATIC_IGNORE):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def collect_static() -> None:
    """Copy the static files into STATIC_ROOT (the web server serves them itself, WhiteNoise,
    from their hashed copies). Under a lock on a file in the data folder, so two `ascolto serve`
    started at once on one data folder take turns instead of writing the same files together;
    skipped when the files collected last time are the same ones (a stamp of their
    fingerprint), so the second web process, and every restart, starts at once."""
    lock_path = Path(settings.DATA_DIR) / "collectstatic.lock"
    stamp = Path(settings.STATIC_ROOT) / STATIC_STAMP
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            fingerprint = static_fingerprint()
            manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
            if manifest.exists() and stamp.exists() and stamp.read_text() == fingerprint:
                return
            stamp.unlink(missing_ok=True)
            call_command(
                "collectstatic", interactive=False, verbosity=0, ignore_patterns=STATIC_IGNORE
            )
            stamp.write_text(fingerprint)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Command(BaseCommand):
    help = "Serve Ascolto with gunicorn, plus the background worker and scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("ASCOLTO_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("ASCOLTO_WEB_WORKERS", "3"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("ASCOLTO_WEB_THREADS", "4"))
        )
        parser.add_argument(
            "--web-only", action="store_true", help="Do not start the worker and scheduler."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Start the scheduler beside the web server, not the worker (workers run on "
            "their own). Several such processes may run at once: each job runs once.",
        )

    def handle(
        self,
        *args,
        bind: str,
        workers: int,
        threads: int,
        web_only: bool,
        no_worker: bool,
        **options,
    ):
        collect_static()
        host = bind.rsplit(":", 1)[0]
        self.stdout.write(
            self.style.SUCCESS(f"Ascolto on http://{bind}/" if host else f"Ascolto on {bind}")
        )
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "ascolto.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            # No access log: paths carry the survey links' tokens. Each request is logged by
            # ascolto.ops.requestlog with its route's name instead.
            "--config",
            "python:ascolto.ops.gunicorn_config",
            "--graceful-timeout",
            "20",
        ]
        metrics = metrics_folder()
        web_env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        children = [subprocess.Popen(gunicorn, env=web_env)]  # noqa: S603 (fixed argv, no shell)
        if not web_only:
            ascolto = [sys.executable, "-m", "ascolto"]
            for name, argv in BACKGROUND_PROCESSES:
                if no_worker and name == "worker":
                    continue
                children.append(subprocess.Popen([*ascolto, *argv]))  # noqa: S603

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
        shutil.rmtree(metrics, ignore_errors=True)
        codes = [child.returncode for child in children]
        if any(code not in (0, -signal.SIGTERM, None) for code in codes):
            raise SystemExit(1)
