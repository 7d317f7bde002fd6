"""SQLite is set up so that concurrent writers wait instead of failing (test plan R06)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

SQLITE_ONLY = "SQLite only: the test run uses PostgreSQL"


def test_sqlite_options_when_sqlite_is_the_database():
    if connection.vendor != "sqlite":
        pytest.skip(SQLITE_ONLY)
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "ascolto.feedback.submissions.sqlite"
    options = db["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


@pytest.mark.django_db
def test_sqlite_connection_uses_busy_timeout_and_foreign_keys():
    if connection.vendor != "sqlite":
        pytest.skip(SQLITE_ONLY)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20_000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['ENGINE'], settings.SQLITE_WRITER_LOCK)"
)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "True"), ("1", "True"), ("0", "False"), ("off", "False")]
)
def test_writer_lock_setting_is_read_from_the_environment(tmp_path, value, expected):
    """GIVEN a SQLite install WHEN ASCOLTO_SQLITE_WRITER_LOCK is unset, on or off THEN the
    setting follows it (on by default) and the database backend stays Ascolto's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "ASCOLTO_SQLITE_WRITER_LOCK")
    }
    env.update(ASCOLTO_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="ascolto.settings")
    if value is not None:
        env["ASCOLTO_SQLITE_WRITER_LOCK"] = value
    done = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-c", PRINT_SETTINGS], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ascolto.feedback.submissions.sqlite", expected]


def test_a_bad_writer_lock_value_stops_the_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        ASCOLTO_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="ascolto.settings",
        ASCOLTO_SQLITE_WRITER_LOCK="sometimes",
    )
    done = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "-c", PRINT_SETTINGS], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "ASCOLTO_SQLITE_WRITER_LOCK must be a boolean" in done.stderr
