"""Backups of a whole installation, taken while it runs, and their restore.

One file (a tar archive) holds:
- `manifest.json`: format, database engine, time, the last migration of every app;
- the database: on SQLite a copy made with SQLite's online backup API (a consistent snapshot
  even while others write, WAL included); on PostgreSQL `pg_dump -Fc` (one transaction, so a
  consistent snapshot too);
- `files/`: the data folder's other files (the secret key, the email outbox, ...), without the
  database files and the collected static files, which are rebuilt, and without the erasure
  journal (`settings.ERASURE_JOURNAL`): a restore must never put back an older journal, since
  `ascolto gdpr reapply` reads it to erase again whoever the restored backup brings back.

The archive holds the secret key and everyone's data: it is written readable by its owner only
(0600). Restoring replaces the database and puts the files back; the processes of the
installation must be stopped meanwhile. See README ("Backups") and docs/security.md.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.backends.sqlite3._functions import register as register_django_functions
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "ascolto-backup-1"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
# Rebuilt or re-made at start: not worth keeping (and the database is stored on its own).
SKIPPED_DIRS = {"static", "test"}


class BackupError(Exception):
    """Something the operator must fix (a wrong file, a missing tool); the message says what."""


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _sqlite_path() -> Path:
    return Path(connections["default"].settings_dict["NAME"])


def _database_url() -> str:
    """A libpq connection string for pg_dump and pg_restore, from Django's own settings (the
    password goes in the environment, `_tool_env`, not on the command line)."""
    params = connection.get_connection_params()
    parts = {
        "dbname": params.get("dbname") or connection.settings_dict["NAME"],
        "host": params.get("host") or "",
        "port": str(params.get("port") or ""),
        "user": params.get("user") or "",
    }
    return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)


def _tool_env() -> dict[str, str]:
    env = dict(os.environ)
    password = connection.get_connection_params().get("password")
    if password:
        env["PGPASSWORD"] = str(password)
    return env


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _data_files(exclude: set[Path]) -> list[Path]:
    root = Path(settings.DATA_DIR)
    database = _sqlite_path() if _engine() == "sqlite" else None
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or relative.parts[0] in SKIPPED_DIRS:
            continue
        if database is not None and path.name.startswith(database.name):
            continue  # the database and its -wal, -shm, -journal files
        if path.resolve() in exclude or path.resolve() == _journal():
            continue
        found.append(path)
    return found


def _journal() -> Path | None:
    journal = getattr(settings, "ERASURE_JOURNAL", None)
    return Path(journal).resolve() if journal else None


def journal_lines() -> int:
    """How many erasures the journal holds (what `gdpr reapply` would look at)."""
    journal = _journal()
    if journal is None or not journal.is_file():
        return 0
    with journal.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def backup_create(output: Path) -> dict[str, Any]:
    """Write a backup of the database and the data folder to `output`; return its manifest."""
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    manifest = {
        "format": FORMAT,
        "engine": engine,
        "created_at": timezone.now().isoformat(),
        "migrations": _migrations(),
    }
    with tempfile.TemporaryDirectory(prefix="ascolto-backup-") as scratch:
        database = Path(scratch) / (SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER)
        if engine == "sqlite":
            _sqlite_copy(_sqlite_path(), database)
        else:
            _pg_dump(database)
        partial = output.with_name(output.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(database, arcname=database.name)
            root = Path(settings.DATA_DIR)
            for path in _data_files(exclude={output, partial.resolve()}):
                archive.add(path, arcname=f"files/{path.relative_to(root)}")
        os.replace(partial, output)
    return manifest


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: pages copied under SQLite's own locking, so writers may go on
    and the copy is one consistent moment."""
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(target)
    # Indexes and triggers call the SQL functions Django adds to SQLite: the check needs them.
    register_django_functions(dst)
    try:
        with dst:
            src.backup(dst, pages=256)
        result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"The copy of the database failed its integrity check: {result}")
    finally:
        dst.close()
        src.close()


def _pg_dump(target: Path) -> None:
    tool = shutil.which("pg_dump")
    if tool is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
    done = subprocess.run(  # noqa: S603
        [tool, "--format=custom", "--no-owner", "--file", str(target), _database_url()],
        capture_output=True,
        text=True,
        check=False,
        env=_tool_env(),
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-2000:]}")


def backup_read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{path} is not an Ascolto backup ({exc}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an Ascolto backup (format {manifest.get('format')!r}).")
    return manifest


def backup_restore(path: Path) -> dict[str, Any]:
    """Replace this installation's database and data files with the backup's."""
    manifest = backup_read_manifest(path)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"The backup is of a {manifest['engine']} database; this installation uses {engine}."
        )
    with tempfile.TemporaryDirectory(prefix="ascolto-restore-") as scratch:
        with tarfile.open(path, mode="r:gz") as archive:
            archive.extractall(scratch, filter="data")
        scratch_path = Path(scratch)
        connections.close_all()
        if engine == "sqlite":
            _sqlite_restore(scratch_path / SQLITE_MEMBER, _sqlite_path())
        else:
            _pg_restore(scratch_path / PG_MEMBER)
        files = scratch_path / "files"
        if files.is_dir():
            root = Path(settings.DATA_DIR)
            for source in sorted(files.rglob("*")):
                target = root / source.relative_to(files)
                if source.is_file() and target.resolve() != _journal():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
    return manifest


def _sqlite_restore(source: Path, target: Path) -> None:
    """Copy the backup into the live file with the same backup API (under SQLite's locks, so
    the -wal file cannot be left out of step with the database)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, timeout=60)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()
    target.chmod(0o600)


def _pg_restore(dump: Path) -> None:
    tool = shutil.which("pg_restore")
    if tool is None:
        raise BackupError(
            "pg_restore is not installed (Debian: apt-get install postgresql-client)."
        )
    done = subprocess.run(  # noqa: S603
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            _database_url(),
            str(dump),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=_tool_env(),
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[-2000:]}")
