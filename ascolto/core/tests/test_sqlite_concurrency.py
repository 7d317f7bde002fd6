"""Several processes writing to one SQLite file at once all succeed (test plan R06).

Uses a real file database outside pytest-django's test database, written by separate
processes through Django's own connection settings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

WRITER = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "ascolto.settings"
    import django
    django.setup()
    from django.db import connection, transaction
    n = int(sys.argv[1]); tag = sys.argv[2]
    for i in range(n):
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute("INSERT INTO probe (tag, i) VALUES (%s, %s)", [tag, i])
    """
)


@pytest.mark.parametrize("writer_lock", ["1", "0"])
def test_four_processes_write_500_rows_each_without_lock_errors(tmp_path, writer_lock):
    """GIVEN a SQLite file (whatever database the test run uses) WHEN four processes write 500
    rows each at once, with the writers taking turns and without THEN every row is written and
    none of them met "database is locked"."""
    import sqlite3

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ASCOLTO_DATA_DIR"] = str(tmp_path)
    env["ASCOLTO_SQLITE_WRITER_LOCK"] = writer_lock
    db_path = tmp_path / "ascolto.sqlite3"
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE probe (tag TEXT, i INTEGER)")
    procs = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WRITER, "500", f"p{n}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(4)
    ]
    errors = []
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        if proc.returncode != 0:
            errors.append(err.decode()[-2000:])
    assert not errors, errors
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM probe").fetchone()[0] == 2000
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # The writers took turns on the lock file beside the database only when told to.
    assert (tmp_path / "ascolto.sqlite3-writers.lock").exists() == (writer_lock == "1")
