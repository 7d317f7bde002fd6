"""`write_turn()`: on SQLite the threads of a process, and the processes, write one after the
other."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.utils import ConnectionHandler

from ascolto.feedback.submissions import writers
from ascolto.feedback.submissions.writers import write_turn

WAIT = 5.0


def _held_elsewhere() -> tuple[threading.Thread, threading.Event, threading.Event]:
    """A thread that takes the turn and keeps it until told to let go."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with write_turn():
            taken.set()
            release.wait(WAIT)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(WAIT)
    return holder, taken, release


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_for_the_turn_on_sqlite_only():
    """GIVEN a thread holding the write turn WHEN another thread asks for it THEN on SQLite it
    gets it only after the first lets go; on other databases at once."""
    holder, _taken, release = _held_elsewhere()
    entered = threading.Event()

    def second() -> None:
        with write_turn():
            entered.set()

    waiter = threading.Thread(target=second)
    waiter.start()
    try:
        got_it_early = entered.wait(0.3)
        assert got_it_early == (connection.vendor != "sqlite")
    finally:
        release.set()
        holder.join(WAIT)
        waiter.join(WAIT)
    assert entered.is_set()


@pytest.mark.django_db(transaction=True)
def test_inside_an_open_transaction_the_turn_is_not_waited_for():
    """Taking the turn while this connection may hold SQLite's write lock could make the holder
    of the turn wait for us: inside a transaction the turn is skipped."""
    holder, _taken, release = _held_elsewhere()
    try:
        started = time.monotonic()
        with transaction.atomic(), write_turn():
            waited = time.monotonic() - started
    finally:
        release.set()
        holder.join(WAIT)
    assert waited < 1.0


def test_processes_take_turns_on_the_lock_file(tmp_path):
    """GIVEN another process holding the lock file WHEN this one asks for its turn THEN it
    waits (and gives up at its deadline); once the other lets go it gets the turn."""
    path = tmp_path / "db.sqlite3-writers.lock"
    holder = subprocess.Popen(  # noqa: S603 (fixed argv)
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.readline()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        fd = os.open(path, os.O_RDWR)
        started = time.monotonic()
        assert not writers._file_lock(fd, deadline=started + 0.3)
        assert time.monotonic() - started >= 0.3
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert writers._file_lock(fd, deadline=time.monotonic() + WAIT)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    finally:
        holder.kill()
        holder.wait()


def _file_database(path):
    """A connection of Ascolto's SQLite backend to the database file `path`, outside Django's
    connection handler (the test suite's own database lives in memory, where turns are not
    taken, or on PostgreSQL)."""
    from ascolto.feedback.submissions.sqlite.base import DatabaseWrapper

    configured = ConnectionHandler().configure_settings(
        {
            "default": {
                "ENGINE": "ascolto.feedback.submissions.sqlite",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
            }
        }
    )
    return DatabaseWrapper(configured["default"], alias="default")


@pytest.fixture
def unblocked(django_db_blocker):
    """Connections to SQLite files of the test's own (not the test database)."""
    with django_db_blocker.unblock():
        yield


def _begin(db) -> None:
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(db, *, commit: bool) -> None:
    db.commit() if commit else db.rollback()
    db.set_autocommit(True)


@pytest.mark.parametrize("commit", [True, False])
def test_every_transaction_on_a_file_database_takes_its_turn(tmp_path, commit, unblocked):
    """GIVEN a transaction open on a SQLite file (the worker's, say) WHEN another thread begins
    one THEN it waits for the turn before `BEGIN`, and gets it as soon as the first commits or
    rolls back; no turn is left held afterwards."""
    path = tmp_path / "db.sqlite3"
    first = _file_database(path)
    _begin(first)
    assert first._write_turn is not None
    assert (tmp_path / "db.sqlite3-writers.lock").exists()
    entered, done = threading.Event(), threading.Event()
    turns = []

    def second() -> None:
        db = _file_database(path)
        _begin(db)
        entered.set()
        turns.append(db._write_turn)
        _end(db, commit=True)
        turns.append(db._write_turn)
        db.close()
        done.set()

    waiter = threading.Thread(target=second)
    waiter.start()
    try:
        assert not entered.wait(0.3)
        _end(first, commit=commit)
        assert entered.wait(WAIT) and done.wait(WAIT)
    finally:
        waiter.join(WAIT)
        first.close()
    assert first._write_turn is None
    assert turns[0] is not None and turns[1] is None
    assert writers._TURN.acquire(blocking=False)
    writers._TURN.release()


def test_write_turn_around_a_transaction_is_taken_once(tmp_path, unblocked):
    """`write_turn()` then a transaction on the same connection: the transaction does not wait
    for the turn its own connection holds, and the turn goes back when `write_turn` ends."""
    db = _file_database(tmp_path / "db.sqlite3")
    assert writers.turn_take(db) is True
    _begin(db)  # would wait out the whole timeout if it took the turn again
    assert writers.turn_take(db) is False
    _end(db, commit=True)
    assert db._write_turn is not None  # still held: taken outside the transaction
    writers.turn_give(db)
    assert db._write_turn is None
    db.close()


def test_with_the_writer_lock_off_a_transaction_takes_no_turn(tmp_path, settings, unblocked):
    """GIVEN ASCOLTO_SQLITE_WRITER_LOCK off WHEN two transactions begin on a SQLite file THEN
    neither takes a turn nor makes the lock file: the second goes straight to SQLite (whose
    `BEGIN IMMEDIATE` then waits in its busy handler, as with Django's own backend)."""
    settings.SQLITE_WRITER_LOCK = False
    path = tmp_path / "db.sqlite3"
    first = _file_database(path)
    _begin(first)
    try:
        assert getattr(first, "_write_turn", None) is None
        assert writers.turn_take(first) is False
        assert not (tmp_path / "db.sqlite3-writers.lock").exists()
    finally:
        _end(first, commit=True)
        first.close()
