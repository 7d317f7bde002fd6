"""Writers take turns on SQLite before their transaction, instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A writer that finds the database locked waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10, ... up to 100 ms between tries instead of waking
when the other writer commits; under a burst of survey submissions a few writers therefore wait
far longer than any write takes (the p99 of `ascolto bench survey`), and a writer can lose the
race again and again to one that writes in quick succession (the task worker). So writers queue
before they begin: the threads of a process on a lock, which hands over at once, and the
processes (gunicorn's workers, the worker, the scheduler) on an advisory lock on a file beside
the database, which a waiting process tries again every `POLL_SECONDS`.

Every transaction takes its turn by itself (Ascolto's SQLite backend, `submissions.sqlite`,
calls `turn_take` before `BEGIN IMMEDIATE` and `turn_give` when it ends). `write_turn()` is for
a single statement outside a transaction (an INSERT in autocommit mode), or to hold the turn
across a few steps; a connection that holds the turn already does not wait for it again. A
no-op on other databases, and inside a transaction that is already open (the turn must be taken
before `BEGIN IMMEDIATE`, never while this connection holds the database's write lock).

`ASCOLTO_SQLITE_WRITER_LOCK=0` (`settings.SQLITE_WRITER_LOCK`) turns the turns off: writers then
meet in SQLite's busy handler, as with Django's own backend. See docs/submissions.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

POLL_SECONDS = 0.0005

_TURN = threading.Lock()
_files: dict[tuple[int, str], int] = {}  # (process id, lock file) -> open descriptor


def _lock_file(db: Any) -> int | None:
    """This process's descriptor of the lock file beside the SQLite database of connection `db`
    (None for an in-memory database). Opened once per process: advisory locks belong to the
    open file, so a descriptor inherited across a fork would be shared with the parent."""
    name = str(db.settings_dict["NAME"])
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


def turn_take(db: Any) -> bool:
    """Wait for connection `db`'s turn (see the module docstring). Returns False, at once, when
    it holds the turn already or turns are off (`SQLITE_WRITER_LOCK`); True when this call took
    it (give it back with `turn_give`)."""
    if getattr(db, "_write_turn", None) is not None or not settings.SQLITE_WRITER_LOCK:
        return False
    # A stuck holder must not stop the others for longer than SQLite itself would make them
    # wait: after the busy timeout they go on and meet in the busy handler as before.
    deadline = time.monotonic() + settings.SQLITE_TIMEOUT_SECONDS
    in_process = _TURN.acquire(timeout=settings.SQLITE_TIMEOUT_SECONDS)
    fd = _lock_file(db) if in_process else None
    across = fd is not None and _file_lock(fd, deadline)
    db._write_turn = (in_process, fd if across else None)
    return True


def turn_give(db: Any) -> None:
    """Give back the turn connection `db` holds (nothing if it holds none)."""
    held = getattr(db, "_write_turn", None)
    if held is None:
        return
    db._write_turn = None
    in_process, fd = held
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    if in_process:
        _TURN.release()


@contextlib.contextmanager
def write_turn() -> Iterator[None]:
    """Hold this thread's connection's turn on SQLite for the block (see the module
    docstring)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    db = connections[DEFAULT_DB_ALIAS]
    taken = turn_take(db)
    try:
        yield
    finally:
        if taken:
            turn_give(db)
