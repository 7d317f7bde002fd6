"""`ascolto bench health [--workspace ID | --customers N] [--repeat 3] [--explain] [--json]`

Times the nightly health-score batch (`health_scores_compute`, alerts off) on one workspace
(default: the one with the most customers): the signals of every active customer in one
statement, streamed in chunks, scored, and stored (replacing today's rows), `--repeat` times;
prints the customers scored and the median, fastest and slowest run, and the time of the
signals query alone. `--customers N` first generates a new workspace of N customers
(`ascolto.bench.health_data`) and times that one; `--explain` prints the database's plan of
the signals query. See docs/benchmarks.md, "Health score".
"""

from __future__ import annotations

import json
import statistics
import time

from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from ascolto.health import signals
from ascolto.health.services import health_scores_compute


def add_health_parser(sub) -> None:
    parser = sub.add_parser("health", help="Time the nightly health-score batch.")
    parser.add_argument("--workspace", type=int, help="Workspace id (default: the largest).")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs (median shown).")
    parser.add_argument("--json", action="store_true", help="Print JSON.")
    parser.add_argument(
        "--customers", type=int, default=0, help="Generate a workspace of N customers first."
    )
    parser.add_argument("--seed", type=int, default=0, help="Random seed for --customers.")
    parser.add_argument(
        "--explain", action="store_true", help="Print the plan of the signals query."
    )


def handle_health(command, options) -> None:
    if options["repeat"] < 1:
        raise CommandError("--repeat must be at least 1.")
    if options["customers"] < 0:
        raise CommandError("--customers must be 0 or more.")
    generated_s = None
    if options["customers"]:
        from ascolto.bench.health_data import generate_health_workspace

        started = time.perf_counter()
        workspace = generate_health_workspace(
            customers=options["customers"],
            seed=options["seed"],
            progress=lambda m: command.stderr.write(m),
        )
        generated_s = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    else:
        workspace = command._workspace(options["workspace"])
    now = timezone.now()
    rows = signals.signal_rows(workspace=workspace, at=now)
    if options["explain"]:
        fields = ["pk", "created_at", "account_owner_id", *rows.query.annotations]
        sql, params = rows.values(*fields).query.sql_with_params()
        with connection.cursor() as cursor:
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(prefix + sql, params)
            for line in cursor.fetchall():
                command.stderr.write(" ".join(str(v) for v in line))
    started = time.perf_counter()
    count = sum(1 for _row in signals.signal_values(rows))
    query_s = time.perf_counter() - started
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
        "signals_query_s": round(query_s, 2),
        "signal_rows": count,
        "generated_s": generated_s,
    }
    if options["json"]:
        command.stdout.write(json.dumps(result))
    else:
        for key, value in result.items():
            command.stdout.write(f"{key}: {value}")
