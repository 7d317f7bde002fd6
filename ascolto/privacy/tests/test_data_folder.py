"""P02 on a real data folder: after `ascolto gdpr erase`, no file under the data folder (the
SQLite database, its write-ahead log, the saved emails) holds the person's name, email or
phone, not even in the database file's freed pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ascolto.privacy.tests.seed import EMAIL, NAME, PHONE

SEED = f"""
import django
django.setup()
from django.core.mail import send_mail
from ascolto.customers.models import Customer
from ascolto.workspaces.models import Workspace
workspace = Workspace.objects.create(name="Officina")
for n in range(50):
    Customer.objects.create(workspace=workspace, name=f"Cliente {{n}}", notes="x" * 500)
customer = Customer.objects.create(
    workspace=workspace, name={NAME!r}, email={EMAIL!r}, phone={PHONE!r},
    notes="Richiamare " + {NAME!r} + " " * 2000,
)
for n in range(5):
    Customer.objects.filter(pk=customer.pk).update(notes=f"Nota {{n}} su " + {NAME!r})
send_mail("Il suo parere", "Gentile " + {NAME!r}, "shop@example.it", [{EMAIL!r}])
"""


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASCOLTO_", "PYTEST"))}
    env.pop("DATABASE_URL", None)
    env.update(
        ASCOLTO_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="ascolto.settings",
        ASCOLTO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        ASCOLTO_LOG_LEVEL="WARNING",
    )
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _files_naming(data_dir: Path) -> list[str]:
    needles = [n.lower().encode() for n in (NAME, EMAIL, PHONE)]
    return [
        str(path.relative_to(data_dir))
        for path in sorted(data_dir.rglob("*"))
        if path.is_file() and any(n in path.read_bytes().lower() for n in needles)
    ]


@pytest.mark.slow
def test_no_file_in_the_data_folder_names_the_erased_person(tmp_path):
    data_dir = tmp_path / "data"
    env = _env(data_dir)
    cli = "-c", "from ascolto.cli import main; main()"
    _run(env, *cli, "migrate", "--no-input", "-v", "0")
    _run(env, "-c", SEED)
    named = _files_naming(data_dir)
    assert "ascolto.sqlite3" in " ".join(named) and any(n.startswith("outbox") for n in named)

    done = _run(env, *cli, "gdpr", "erase", "--email", EMAIL, "--no-input")

    assert "Cliente cancellato" in done.stdout or "Erased customer" in done.stdout
    assert _files_naming(data_dir) == []
