"""Ascolto behind PgBouncer in transaction mode (docs/deployment.md).

GIVEN a PostgreSQL database reached only through a real PgBouncer lending server connections
    per transaction (two of them for every client)
WHEN the migrations, the demo business, the worker, the scheduler and concurrent readers of
    large results run through it with ASCOLTO_DB_POOLER=1
THEN everything works; and without the setting, concurrent `.iterator()` readers fail, which
    shows the pooler really lends connections per transaction.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="PgBouncer sits in front of PostgreSQL: the test run uses SQLite",
    ),
]

READERS = """
import threading, time
import django
django.setup()
from django.db import connections
from ascolto.customers.models import Customer

errors = []

def read():
    try:
        for _ in Customer.objects.order_by("pk").iterator(chunk_size=2):
            time.sleep(0.005)
    except Exception as exc:
        errors.append(type(exc).__name__)
    finally:
        connections.close_all()

threads = [threading.Thread(target=read) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ERRORS", len(errors), sorted(set(errors)))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pooled(tmp_path):
    """A fresh database, a PgBouncer in front of it, and the environment of a process that
    reaches the database only through it."""
    import psycopg

    assert Path(PGBOUNCER).exists(), "Debian's pgbouncer package is installed by `make test`"
    base = os.environ["DATABASE_URL"]
    parts = urlsplit(base)
    name = f"ascolto_pgb_{secrets.token_hex(4)}"
    admin = psycopg.connect(base, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    port = _free_port()
    # Its own folder under the system's temporary one: when started as root PgBouncer runs as
    # postgres, which cannot enter pytest's private folders.
    folder = Path(tempfile.mkdtemp(prefix="ascolto-pgbouncer-"))
    (folder / "users.txt").write_text(f'"{parts.username or "postgres"}" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        textwrap.dedent(
            f"""\
            [databases]
            * = host={parts.hostname or "127.0.0.1"} port={parts.port or 5432}
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            auth_type = trust
            auth_file = {folder / "users.txt"}
            pool_mode = transaction
            default_pool_size = 2
            unix_socket_dir =
            pidfile =
            """
        )
    )
    command = [PGBOUNCER, str(ini)]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        folder.chmod(0o755)
        command[1:1] = ["-u", "postgres"]
    bouncer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert bouncer.poll() is None, bouncer.stdout.read().decode()
            assert time.monotonic() < deadline, "PgBouncer did not start"
            time.sleep(0.05)
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=f"postgres://{parts.username or 'postgres'}@127.0.0.1:{port}/{name}",
        ASCOLTO_DB_POOLER="1",
        ASCOLTO_DATA_DIR=str(data_dir),
        ASCOLTO_HTTPS="0",
        ASCOLTO_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="ascolto.settings",
    )
    yield env
    bouncer.terminate()
    bouncer.wait(timeout=10)
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()
    shutil.rmtree(folder, ignore_errors=True)


def _ascolto(env, *args, timeout=300):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ascolto", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _readers(env) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", READERS], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_the_whole_product_runs_behind_pgbouncer_in_transaction_mode(pooled):
    _ascolto(pooled, "migrate", "--no-input", "-v0")
    _ascolto(pooled, "demo", "--customers", "40", "--years", "1", "--password", "x" * 12)
    # The demo's queued work (analyses, emails, checks) is run by a worker, then the scheduler
    # ticks once: leases, SKIP LOCKED claims and the jobs' runs, all through the pooler.
    _ascolto(pooled, "worker", "--batch")
    _ascolto(pooled, "scheduler", "--once")
    _ascolto(pooled, "worker", "--batch")
    assert _readers(pooled) == "ERRORS 0 []"

    # Without the setting, Django keeps a server-side cursor between fetches: another client
    # is lent that server connection meanwhile and the cursor is gone from the one it gets.
    unpooled = {**pooled, "ASCOLTO_DB_POOLER": "0"}
    line = _readers(unpooled)
    assert line.startswith("ERRORS ") and line != "ERRORS 0 []", line
    assert "InvalidCursorName" in line
