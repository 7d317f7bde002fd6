"""A database for tests that start real `ascolto` processes.

pytest-django's test database is invisible to other processes (in memory on SQLite, inside an
open transaction everywhere), so these tests migrate a database of their own: a SQLite file in a
temporary data folder, or a fresh PostgreSQL database when DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class ExternalDb:
    env: dict[str, str]
    data_dir: Path
    url: str | None  # PostgreSQL URL, or None for the SQLite file

    @property
    def job_log(self) -> Path:
        return Path(self.env["ASCOLTO_TEST_JOB_LOG"])

    def ascolto(self, *args: str, **kwargs: Any) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "ascolto", *args], env=self.env, **kwargs
        )

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "ascolto", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def django(self, code: str) -> Any:
        """Run `code` in a Django process on this database; it sets `result` (JSON-able)."""
        script = "import django, json\ndjango.setup()\nresult = None\n" + textwrap.dedent(code)
        script += "\nprint('RESULT=' + json.dumps(result))\n"
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        line = [x for x in done.stdout.splitlines() if x.startswith("RESULT=")][-1]
        return json.loads(line[len("RESULT=") :])

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read with a plain connection (fast enough to poll)."""
        if self.url is None:
            with sqlite3.connect(self.data_dir / "ascolto.sqlite3", timeout=30) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description is not None else []

    def wait_for(self, predicate, *, timeout: float = 60, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def external_db(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        ASCOLTO_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="ascolto.core.tests.subprocess_settings",
        ASCOLTO_TEST_JOB_LOG=str(tmp_path / "job-log.txt"),
        ASCOLTO_HTTPS="0",
        ASCOLTO_LOG_LEVEL="WARNING",
    )
    base_url = os.environ.get("DATABASE_URL")
    url = None
    admin = None
    if base_url:
        import psycopg

        name = f"ascolto_ext_{secrets.token_hex(4)}"
        admin = psycopg.connect(base_url, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        url = base_url.rsplit("/", 1)[0] + "/" + name
        env["DATABASE_URL"] = url
    db = ExternalDb(env=env, data_dir=tmp_path, url=url)
    migrated = db.run("migrate", "--run-syncdb", "--no-input", "--skip-checks", "-v0", timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    yield db
    if admin is not None:
        admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        admin.close()
