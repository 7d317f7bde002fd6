"""The data folder on one machine: private files, and two `ascolto serve` starting together."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import time
from pathlib import Path


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASCOLTO_")}
    env.pop("DATABASE_URL", None)
    env["ASCOLTO_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "ascolto.settings"
    return env


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_data_folder_database_and_secret_are_private(tmp_path):
    """GIVEN a umask that makes files world-readable WHEN Ascolto starts on a new data folder
    THEN the folder is 0700 and the SQLite database and the secret key are 0600."""
    data_dir = tmp_path / "data"
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import os; os.umask(0o022); "
            "from ascolto.cli import main; import sys; sys.argv=['ascolto','migrate','-v','0']; main()",
        ],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "ascolto.sqlite3") == 0o600
    assert _mode(data_dir / "secret_key") == 0o600
    for extra in ("ascolto.sqlite3-wal", "ascolto.sqlite3-shm"):
        if (data_dir / extra).exists():
            assert _mode(data_dir / extra) & 0o077 == 0


def test_an_existing_data_folder_keeps_its_permissions(tmp_path):
    data_dir = tmp_path / "shared"
    data_dir.mkdir()
    data_dir.chmod(0o750)
    code = "import django; django.setup()"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=_env(data_dir), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _mode(data_dir) == 0o750


def test_collecting_static_files_waits_for_another_serve_doing_it(tmp_path):
    """Two `ascolto serve` started together on one data folder used to write the same static
    files at once and crash. GIVEN one holds the collect lock WHEN a second starts THEN it
    copies nothing until the lock is released, then completes with the full manifest."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    code = (
        "import django; django.setup()\n"
        "from ascolto.ops.management.commands.serve import collect_static\n"
        "print('ready', flush=True)\n"
        "collect_static()\n"
    )
    with open(data_dir / "collectstatic.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", code],
            env=_env(data_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(3)
            copied = [p for p in (data_dir / "static").rglob("*") if p.is_file()]
            assert copied == []
            assert proc.poll() is None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-1500:]
    assert (data_dir / "static" / "staticfiles.json").exists()


def test_static_files_are_collected_once_until_they_change(tmp_path):
    """A second `ascolto serve` (or a restart) on the same data folder does not collect the
    same static files again; a changed source file is collected again."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    code = (
        "import django, time; django.setup()\n"
        "from ascolto.ops.management.commands.serve import collect_static\n"
        "started = time.monotonic(); collect_static(); print(time.monotonic() - started)\n"
    )

    def collect() -> float:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code],
            env=_env(data_dir),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-1500:]
        return float(done.stdout.strip().splitlines()[-1])

    collect()
    manifest = data_dir / "static" / "staticfiles.json"
    written = manifest.stat().st_mtime_ns
    collect()
    assert manifest.stat().st_mtime_ns == written  # nothing collected the second time
    (data_dir / "static" / ".collected").write_text("another release")
    collect()
    assert manifest.stat().st_mtime_ns > written
