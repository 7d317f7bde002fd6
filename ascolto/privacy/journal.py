"""The erasure journal: what `ascolto gdpr reapply` erases again after a restore.

A backup taken before an erasure still holds the person; restoring it brings them back. So
every erasure is also written, before its transaction commits, as one line of a file outside
the database (`settings.ERASURE_JOURNAL`), which backups leave out and restores never
overwrite (`ascolto.ops.backup` skips that path). A line holds no personal data:

    {"at": "2026-12-07T22:30:00+00:00", "workspace": 3, "customer": 41,
     "keys": ["<keyed hash of the address>", "<of the phone's digits>", "<of the name>"],
     "redact": ["interactions.Interaction:7:note"]}

`reapply` reads every line and erases again each customer who is in the database under that id
and still carries one of those identifiers (compared by the same keyed hash): the restored,
not yet erased row. A customer already erased carries a pseudonym and no address, so nothing
matches and the line is skipped; running it twice changes nothing. See docs/privacy.md.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from ascolto.customers.models import Customer


def journal_path() -> Path:
    return Path(settings.ERASURE_JOURNAL)


def identity_keys(customer: Customer) -> list[str]:
    """Keyed hashes of what identifies the customer (address, phone digits, name), the same
    for the same values on any day, never reversible without the site's secret key."""
    values = []
    if customer.email.strip():
        values.append(("email", customer.email.strip().lower()))
    digits = "".join(c for c in customer.phone if c.isdigit())
    if digits:
        values.append(("phone", digits))
    if customer.name.strip():
        values.append(("name", " ".join(customer.name.split()).lower()))
    return [
        hmac.new(
            settings.SECRET_KEY.encode(),
            f"privacy.journal:{customer.workspace_id}:{kind}:{value}".encode(),
            hashlib.sha256,
        ).hexdigest()
        for kind, value in values
    ]


def journal_append(*, customer: Customer, redact: list[str]) -> None:
    """Add one erasure to the journal, on disk (fsync) before the caller commits: an erasure
    the database then rolls back stays noted, and reapplying it erases someone whose erasure
    was asked for; the other way round a restore could bring back someone erased."""
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = json.dumps(
        {
            "at": timezone.now().isoformat(),
            "workspace": customer.workspace_id,
            "customer": customer.pk,
            "keys": identity_keys(customer),
            "redact": sorted(redact),
        },
        ensure_ascii=True,
    )
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


@dataclass(frozen=True)
class JournalEntry:
    at: str
    workspace: int
    customer: int
    keys: frozenset[str]
    redact: tuple[str, ...] = field(default=())


def journal_entries(path: Path | None = None) -> Iterator[JournalEntry]:
    """The journal's lines, oldest first; an unreadable line (a write cut by a crash) is
    skipped."""
    path = path or journal_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                data: dict[str, Any] = json.loads(line)
                yield JournalEntry(
                    at=str(data["at"]),
                    workspace=int(data["workspace"]),
                    customer=int(data["customer"]),
                    keys=frozenset(str(k) for k in data["keys"]),
                    redact=tuple(str(k) for k in data.get("redact", ())),
                )
            except (ValueError, KeyError, TypeError):
                continue
