"""Django's SQLite backend, with every transaction taking its writer's turn first.

Ascolto's transactions on SQLite begin with `BEGIN IMMEDIATE` (they take the database's one
write lock at once). This backend takes the writer's turn of `submissions.writers` just before
that `BEGIN` and gives it up when the transaction commits or rolls back, so every writer (web
requests, the task worker, the scheduler) queues in the same line, handed over at once, instead
of some meeting the others in SQLite's busy handler, which sleeps up to 100 ms between tries.
In-memory databases (the test suite's) are left as Django has them, and so is every database
while `ASCOLTO_SQLITE_WRITER_LOCK` is off. It lives with the survey's write path because that
path's bursts are why it exists (docs/submissions.md), but it serves every transaction.

A new database file is created readable by its owner only (0600), like the secret key: it holds
the customers' personal data. SQLite gives its -wal and -shm files the same permissions.

Emptying every table (`flush`, which the test suite runs between tests that commit) deletes the
audit log's rows too, which its triggers refuse without a permit (docs/audit.md): the flush
writes an "everything" permit first and removes it last. PostgreSQL's flush is a TRUNCATE,
which row triggers do not see.
"""

from __future__ import annotations

import os

from django.db.backends.sqlite3 import base
from django.db.backends.sqlite3.operations import DatabaseOperations as SQLiteOperations

from ascolto.feedback.submissions import writers


def create_private_file(name: object) -> None:
    """Create the database file empty with mode 0600 if it does not exist (an empty file is an
    empty SQLite database). An existing file is left as it is."""
    path = str(name)
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


AUDIT_TABLE = "audit_auditentry"
AUDIT_PERMITS = "audit_auditpurgepermit"


class DatabaseOperations(SQLiteOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if AUDIT_TABLE not in tables or AUDIT_PERMITS not in tables:
            return sql
        permits = self.quote_name(AUDIT_PERMITS)
        last = [s for s in sql if s.startswith("DELETE") and permits in s]
        return [
            f"INSERT INTO {permits} (everything) VALUES (1);",  # noqa: S608 (a constant name)
            *[s for s in sql if s not in last],
            *last,
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    _turn_for_transaction = False
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params):
        if not self.is_in_memory_db():
            create_private_file(conn_params.get("database", ""))
        return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self) -> None:
        if not self.is_in_memory_db():
            self._turn_for_transaction = writers.turn_take(self)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._turn_give()
            raise

    def _turn_give(self) -> None:
        if self._turn_for_transaction:
            self._turn_for_transaction = False
            writers.turn_give(self)

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._turn_give()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._turn_give()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._turn_give()
