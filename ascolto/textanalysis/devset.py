"""The development set shipped with the analyser (`data/devset.jsonl`): hand-labelled Italian
and English texts the built-in analyser is measured on, by the tests and `ascolto bench text`."""

from __future__ import annotations

import json
from pathlib import Path

DEVSET = Path(__file__).resolve().parent / "data" / "devset.jsonl"


def load_devset(path: Path = DEVSET) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
