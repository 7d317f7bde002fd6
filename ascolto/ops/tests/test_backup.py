"""Backups (test plan R12, P05's first half): `ascolto backup` while another process writes,
then `ascolto restore` into an empty installation.

GIVEN an installation (SQLite file, or PostgreSQL when the run uses it) where a process keeps
      writing, each transaction a segment and a customer in it
WHEN `ascolto backup` runs in the middle of the writes, and the file is restored with
     `ascolto restore --no-input` into another, empty installation
THEN the restored database passes its integrity check, is migrated, holds every segment with
     its customer (no transaction cut in half), as many as there were between the start and the
     end of the backup, and the data folder's files (the secret key) come back too.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import tarfile
import threading
import time

import pytest
from django.db.backends.sqlite3._functions import register as register_django_functions

WRITER = """
import time
from django.contrib.auth.models import User
from django.db import transaction
from ascolto.customers.models import Customer, Segment
from ascolto.workspaces.models import Workspace
from ascolto.workspaces.services import workspace_create

workspace = Workspace.objects.first() or workspace_create(
    name="Noleggi Backup", owner=User.objects.create(username="owner@example.com")
)
n = Segment.objects.filter(workspace=workspace, name__startswith="S ").count()
end = time.time() + DURATION
while time.time() < end:
    with transaction.atomic():
        segment = Segment.objects.create(workspace=workspace, name=f"S {n}")
        Customer.objects.create(workspace=workspace, name=f"C {n}", segment=segment)
    n += 1
result = n
"""

COUNT_SQL = "SELECT COUNT(*) FROM customers_segment WHERE name LIKE 'S %%'"


def _count(db) -> int:
    return db.query(COUNT_SQL)[0][0]


@pytest.fixture
def empty_installation(external_db, tmp_path_factory):
    """Another data folder, and another (empty) PostgreSQL database when the run uses one."""
    env = dict(external_db.env)
    data_dir = tmp_path_factory.mktemp("restored")
    env["ASCOLTO_DATA_DIR"] = str(data_dir)
    admin = None
    url = None
    if external_db.url:
        import psycopg

        name = f"ascolto_restore_{secrets.token_hex(4)}"
        admin = psycopg.connect(external_db.url, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        url = external_db.url.rsplit("/", 1)[0] + "/" + name
        env["DATABASE_URL"] = url
    yield env, data_dir, url
    if admin is not None:
        admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        admin.close()


def test_backup_while_writing_then_restore_is_consistent(external_db, empty_installation):
    import subprocess
    import sys

    db = external_db
    db.django(WRITER.replace("DURATION", "0.5"))  # the workspace and a first few rows
    (db.data_dir / "outbox").mkdir(exist_ok=True)
    (db.data_dir / "outbox" / "mail.eml").write_text("Subject: prova\n\nciao\n")

    written: list[int] = []
    writer = threading.Thread(
        target=lambda: written.append(db.django(WRITER.replace("DURATION", "10")))
    )
    writer.start()
    start_count = _count(db)
    deadline = time.monotonic() + 30
    while _count(db) < start_count + 20 and time.monotonic() < deadline:
        time.sleep(0.05)  # the writer is really writing before the backup starts
    before = _count(db)
    backup_file = db.data_dir.parent / f"backup-{secrets.token_hex(3)}.tar.gz"
    done = db.run("backup", "--output", str(backup_file), timeout=300)
    after = _count(db)
    writer.join()
    assert done.returncode == 0, done.stderr[-3000:]
    assert written and written[0] > after  # the writer went on after the backup ended
    assert os.stat(backup_file).st_mode & 0o777 == 0o600
    with tarfile.open(backup_file) as archive:
        names = archive.getnames()
    assert "files/secret_key" in names and "files/outbox/mail.eml" in names
    assert not any(name.startswith("files/ascolto.sqlite3") for name in names)

    env, data_dir, url = empty_installation
    restored = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ascolto", "restore", str(backup_file), "--no-input"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert restored.returncode == 0, restored.stderr[-3000:]

    migrated = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ascolto", "migrate", "--check", "--no-input"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stdout[-2000:] + migrated.stderr[-2000:]

    if url is None:
        with sqlite3.connect(data_dir / "ascolto.sqlite3") as conn:
            register_django_functions(conn)  # expression indexes call them
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            rows = conn.execute(
                "SELECT s.name, c.name FROM customers_segment s"
                " LEFT JOIN customers_customer c ON c.segment_id = s.id"
                " WHERE s.name LIKE 'S %'"
            ).fetchall()
            orphans = conn.execute(
                "SELECT COUNT(*) FROM customers_customer WHERE name LIKE 'C %'"
                " AND segment_id IS NULL"
            ).fetchone()[0]
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT s.name, c.name FROM customers_segment s"
                " LEFT JOIN customers_customer c ON c.segment_id = s.id"
                " WHERE s.name LIKE 'S %'"
            ).fetchall()
            orphans = conn.execute(
                "SELECT COUNT(*) FROM customers_customer WHERE name LIKE 'C %'"
                " AND segment_id IS NULL"
            ).fetchone()[0]
    # Every transaction whole: each segment with its customer, numbered without a gap.
    assert orphans == 0
    assert all(customer == "C " + segment[2:] for segment, customer in rows)
    numbers = sorted(int(segment[2:]) for segment, _ in rows)
    assert numbers == list(range(len(numbers)))
    # The moment of the backup: between the counts before and after it ran.
    assert before <= len(rows) <= after
    assert (data_dir / "secret_key").read_text() == (db.data_dir / "secret_key").read_text()
    assert (data_dir / "outbox" / "mail.eml").read_text().startswith("Subject: prova")


def test_restore_refuses_a_file_that_is_not_a_backup(external_db):
    bogus = external_db.data_dir.parent / "not-a-backup.tar.gz"
    bogus.write_bytes(b"hello")
    done = external_db.run("restore", str(bogus), "--no-input")
    assert done.returncode != 0
    assert "is not an Ascolto backup" in done.stderr
