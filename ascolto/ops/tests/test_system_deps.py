"""`scripts/system-deps`, the first step of `make test`: quiet when everything is present;
on a machine missing packages, without root or sudo, it stops at once with the one command."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "system-deps"


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (a fixed script of the repository)
        ["/bin/sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )


def test_nothing_to_do_on_this_machine():
    result = _run(dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_missing_packages_without_root_print_the_one_command(tmp_path):
    """GIVEN a machine where nothing is installed, an ordinary user and no sudo
    WHEN the script runs
    THEN it fails at once, naming every package in one apt-get command, and installs nothing."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    called = tmp_path / "apt-called"
    (bin_dir / "apt-get").write_text(f"#!/bin/sh\ntouch {called}\n")
    for tool in (bin_dir / "id", bin_dir / "apt-get"):
        tool.chmod(0o755)
    env = {"PATH": str(bin_dir), "ASCOLTO_SYSROOT": str(tmp_path / "empty")}

    result = _run(env)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    command = lines[-1].strip()
    assert command.startswith("sudo apt-get update && sudo apt-get install -y")
    for package in ("chromium", "gettext", "libpango-1.0-0", "libpangoft2-1.0-0"):
        assert f" {package}" in command
    assert "fonts-dejavu-core" in command
    assert not called.exists()


def test_missing_packages_as_root_are_installed_with_apt(tmp_path):
    """As root, the script runs apt-get itself (here a recording apt-get, so nothing is really
    installed), with only the missing packages."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n")
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    for tool in (bin_dir / "id", bin_dir / "apt-get"):
        tool.chmod(0o755)
    root = tmp_path / "root"
    (root / "usr/share/fonts/truetype/dejavu").mkdir(parents=True)
    (root / "usr/bin").mkdir(parents=True)
    shutil.copy("/bin/true", root / "usr/bin/chromium")
    env = {"PATH": str(bin_dir), "ASCOLTO_SYSROOT": str(root)}

    result = _run(env)

    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].startswith("install -y -qq --no-install-recommends")
    assert "gettext" in calls[1] and "libpangoft2-1.0-0" in calls[1]
    assert "chromium" not in calls[1] and "fonts-dejavu" not in calls[1]


def test_the_postgresql_run_also_needs_pgbouncer(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    (bin_dir / "id").chmod(0o755)
    env = {"PATH": str(bin_dir), "ASCOLTO_SYSROOT": str(tmp_path / "empty")}
    assert " pgbouncer" not in _run(env).stderr
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/test"
    assert " pgbouncer" in _run(env).stderr
