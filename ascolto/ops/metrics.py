"""What an operator watches: Prometheus metrics at `/metrics` (docs/deployment.md).

Two kinds of figures:

- Request latency, counted in each web process by `RequestLogMiddleware`
  (`ascolto/ops/requestlog.py`). Under `ascolto serve` every gunicorn worker writes its counts to
  a folder of its own run (`PROMETHEUS_MULTIPROC_DIR`), and a scrape adds them up, whichever
  worker answers it.
- The state of the background work, read from the database at each scrape, so every process
  answers the same: tasks waiting and the oldest one's age, survey answers waiting to be filed,
  every kind of leased work (emails, notifications, reports, jobs) by state, leases expired,
  scheduled runs late, the scheduler's last tick.

The endpoint answers only with `Authorization: Bearer <ASCOLTO_METRICS_TOKEN>`; without a token
configured it does not exist (404).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

from django.apps import apps
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ascolto.core.leases import LeasedWork, WorkState
from ascolto.core.models import ScheduledRun
from ascolto.core.selectors import last_scheduler_tick
from ascolto.feedback.models import Submission

# Buckets in seconds: the pages are expected between 30 ms and a few hundred.
REQUEST_SECONDS = Histogram(
    "ascolto_http_request_duration_seconds",
    "Time to answer a request, by route (the URL pattern's name), method and status class.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# A scheduled run still pending this long after its time is late.
LATE_AFTER = timedelta(minutes=5)


def _age(now, since) -> float:
    return max((now - since).total_seconds(), 0.0) if since else 0.0


class BackgroundCollector(Collector):
    """Reads the queues from the database at each scrape: a handful of aggregate queries."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        tasks = GaugeMetricFamily(
            "ascolto_tasks_ready", "Background tasks waiting for a worker.", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "ascolto_tasks_oldest_ready_age_seconds",
            "How long the oldest ready task has waited.",
            labels=["queue"],
        )
        ready = (
            DBTaskResult.objects.ready()
            .values("queue_name")
            .annotate(n=Count("id"), first=Min("enqueued_at"))
            .order_by("queue_name")
        )
        for row in ready:
            tasks.add_metric([row["queue_name"]], row["n"])
            oldest.add_metric([row["queue_name"]], _age(now, row["first"]))
        yield tasks
        yield oldest

        waiting = Submission.objects.waiting().aggregate(n=Count("id"), first=Min("submitted_at"))
        yield GaugeMetricFamily(
            "ascolto_submissions_waiting",
            "Survey answers accepted by the public page and not yet filed.",
            value=waiting["n"],
        )
        yield GaugeMetricFamily(
            "ascolto_submissions_oldest_age_seconds",
            "How long the oldest answer not yet filed has waited.",
            value=_age(now, waiting["first"]),
        )

        work = GaugeMetricFamily(
            "ascolto_leased_work",
            "Leased units of work (emails, notifications, reports, jobs) by kind and state.",
            labels=["kind", "state"],
        )
        expired = GaugeMetricFamily(
            "ascolto_leases_expired",
            "Units whose worker's lease ran out before it finished (a worker died).",
            labels=["kind"],
        )
        for model in leased_models():
            kind = model._meta.label_lower
            counts = model._base_manager.aggregate(
                pending=Count("pk", filter=Q(state=WorkState.PENDING)),
                running=Count("pk", filter=Q(state=WorkState.RUNNING)),
                failed=Count("pk", filter=Q(state=WorkState.FAILED)),
                expired=Count("pk", filter=Q(state=WorkState.RUNNING, lease_expires_at__lte=now)),
            )
            for state in ("pending", "running", "failed"):
                work.add_metric([kind, state], counts[state])
            expired.add_metric([kind], counts["expired"])
        yield work
        yield expired

        yield GaugeMetricFamily(
            "ascolto_scheduled_runs_late",
            "Scheduled jobs still waiting more than five minutes after their time.",
            value=ScheduledRun.objects.filter(
                state=WorkState.PENDING, scheduled_for__lte=now - LATE_AFTER
            ).count(),
        )
        tick = last_scheduler_tick()
        yield GaugeMetricFamily(
            "ascolto_scheduler_last_tick_age_seconds",
            "Seconds since the scheduler last ticked (-1: never).",
            value=_age(now, tick) if tick else -1.0,
        )


def leased_models() -> list[type[LeasedWork]]:
    return sorted(
        (
            model
            for model in apps.get_models()
            if issubclass(model, LeasedWork) and not model._meta.abstract
        ),
        key=lambda model: model._meta.label_lower,
    )


def exposition() -> bytes:
    """The metrics in Prometheus' text format: this process's (or, under `ascolto serve`, every
    web worker's) request counts, and the background work read now."""
    registry = CollectorRegistry(auto_describe=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(BackgroundCollector())
    return generate_latest(registry)
