"""Job functions used only by the core tests."""

from __future__ import annotations

import os
from datetime import datetime

CALLS: list[tuple[str, datetime]] = []


def record(*, now: datetime) -> None:
    CALLS.append(("record", now))
    log = os.environ.get("ASCOLTO_TEST_JOB_LOG")
    if log:
        with open(log, "a") as handle:
            handle.write(f"record {now.isoformat()}\n")


def explode(*, now: datetime) -> None:
    CALLS.append(("explode", now))
    raise RuntimeError("job exploded")
