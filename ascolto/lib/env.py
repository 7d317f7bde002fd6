"""Small typed readers for ASCOLTO_* environment variables.

They fail loudly on values they cannot understand, so a typo in a deployment
stops the start instead of silently falling back to a default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, data_dir: Path, filename: str = "secret_key") -> str:
    """Return the secret from the environment, or from a file in the data folder.

    When neither exists a new random secret is generated once and written to the
    data folder with owner-only permissions, so restarts keep sessions valid and
    no fixed key ever lives in the repository.
    """
    value = os.environ.get(name)
    if value:
        return value
    path = data_dir / filename
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def private_dir(path: Path) -> Path:
    """Make the folder (and its parents) if missing; a folder made here is private to its
    owner (0700): it holds the database, the secret key and the outbox. An existing folder
    keeps the permissions its operator gave it."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)
    return path
