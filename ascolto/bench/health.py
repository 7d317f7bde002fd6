"""`ascolto bench health [--workspace ID] [--repeat 3] [--json]`

Times the nightly health-score batch (`health_scores_compute`, alerts off) on one workspace
(default: the one with the most customers): the signals of every active customer in one
statement, streamed in chunks, scored, and stored (replacing today's rows), `--repeat` times;
prints the customers scored and the median, fastest and slowest run. See docs/benchmarks.md,
"Health score".
"""

from __future__ import annotations

import json
import statistics
import time

from django.core.management.base import CommandError
from django.db import connection

from ascolto.health.services import health_scores_compute


def add_health_parser(sub) -> None:
    parser = sub.add_parser("health", help="Time the nightly health-score batch.")
    parser.add_argument("--workspace", type=int, help="Workspace id (default: the largest).")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs (median shown).")
    parser.add_argument("--json", action="store_true", help="Print JSON.")


def handle_health(command, options) -> None:
    if options["repeat"] < 1:
        raise CommandError("--repeat must be at least 1.")
    workspace = command._workspace(options["workspace"])
    runs, stored = [], 0
    for _ in range(options["repeat"]):
        started = time.perf_counter()
        stored = health_scores_compute(workspace=workspace, alert=False)
        runs.append(time.perf_counter() - started)
    result = {
        "database": connection.vendor,
        "workspace": workspace.pk,
        "customers_scored": stored,
        "median_s": round(statistics.median(runs), 2),
        "min_s": round(min(runs), 2),
        "max_s": round(max(runs), 2),
        "per_1000_s": round(statistics.median(runs) / max(1, stored) * 1000, 3),
    }
    if options["json"]:
        command.stdout.write(json.dumps(result))
    else:
        for key, value in result.items():
            command.stdout.write(f"{key}: {value}")
