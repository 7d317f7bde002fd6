"""Writers take turns on SQLite in this process instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A writer that finds the database locked waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10, ... up to 100 ms between tries instead of waking
when the other writer commits; under a burst of survey submissions a few writers therefore wait
far longer than any write takes (the p99 of `ascolto bench survey`). `write_turn()` queues the
threads of one process on a lock, which hands over at once, before the transaction begins:
only the processes, not every thread, then meet in the busy handler.

A no-op on other databases, and inside a transaction that is already open (the turn must be
taken before `BEGIN IMMEDIATE`, never while this connection holds the database's write lock).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

_TURN = threading.Lock()


@contextlib.contextmanager
def write_turn() -> Iterator[None]:
    """Wait for this process's SQLite write turn (see the module docstring), then yield."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    # A stuck holder must not stop the others for longer than SQLite itself would make them
    # wait: after the busy timeout they go on and meet in the busy handler as before.
    acquired = _TURN.acquire(timeout=settings.SQLITE_TIMEOUT_SECONDS)
    try:
        yield
    finally:
        if acquired:
            _TURN.release()
