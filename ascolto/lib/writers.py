"""Writers take turns on SQLite before their transaction, instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A writer that finds the database locked waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10, ... up to 100 ms between tries instead of waking
when the other writer commits; under a burst of survey submissions a few writers therefore wait
far longer than any write takes (the p99 of `ascolto bench survey`). `write_turn()` queues them
before the transaction begins: the threads of a process on a lock, which hands over at once,
and the processes (gunicorn's workers) on an advisory lock on a file beside the database, which
a waiting process tries again every `POLL_SECONDS`. The turn is given up with the transaction.

A no-op on other databases, and inside a transaction that is already open (the turn must be
taken before `BEGIN IMMEDIATE`, never while this connection holds the database's write lock).
Writers that do not ask for a turn (the task worker, the scheduler) are not held up by it:
they meet the others in SQLite's busy handler as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

POLL_SECONDS = 0.0005

_TURN = threading.Lock()
_files: dict[tuple[int, str], int] = {}  # (process id, lock file) -> open descriptor


def _lock_file() -> int | None:
    """This process's descriptor of the lock file beside the SQLite database (None for an
    in-memory database). Opened once per process: advisory locks belong to the open file, so
    a descriptor inherited across a fork would be shared with the parent."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    key = (os.getpid(), name)
    fd = _files.get(key)
    if fd is None:
        path = Path(f"{name}-writers.lock")
        fd = _files[key] = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    return fd


def _file_lock(fd: int, deadline: float) -> bool:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


@contextlib.contextmanager
def write_turn() -> Iterator[None]:
    """Wait for this writer's turn on SQLite (see the module docstring), then yield."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    # A stuck holder must not stop the others for longer than SQLite itself would make them
    # wait: after the busy timeout they go on and meet in the busy handler as before.
    deadline = time.monotonic() + settings.SQLITE_TIMEOUT_SECONDS
    in_process = _TURN.acquire(timeout=settings.SQLITE_TIMEOUT_SECONDS)
    fd = _lock_file() if in_process else None
    across = fd is not None and _file_lock(fd, deadline)
    try:
        yield
    finally:
        if across:
            fcntl.flock(fd, fcntl.LOCK_UN)
        if in_process:
            _TURN.release()
