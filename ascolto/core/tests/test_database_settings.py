"""SQLite is set up so that concurrent writers wait instead of failing (test plan R06)."""

import pytest
from django.conf import settings
from django.db import connection


def test_sqlite_options_when_sqlite_is_the_database():
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("PostgreSQL run")
    options = db["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


@pytest.mark.django_db
def test_sqlite_connection_uses_busy_timeout_and_foreign_keys():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL run")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 20_000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
