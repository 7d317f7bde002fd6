"""What an operator watches: /metrics, /ready/, the request log (docs/deployment.md)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from ascolto.core.leases import WorkState
from ascolto.lib.logs import JsonFormatter, RequestContextFilter
from ascolto.notifications.models import Notification
from ascolto.notifications.services import notification_create
from ascolto.ops import views

pytestmark = pytest.mark.django_db

TOKEN = "m3tr1cs-" + "x" * 24


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_metrics_do_not_exist_without_a_token_and_refuse_a_wrong_one(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "y" * 32)
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")


def test_background_work_is_counted_from_the_database(
    client, token, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = [
            notification_create(
                workspace=alice.workspace,
                recipient=alice,
                kind=Notification.Kind.OTHER,
                title=f"Avviso {i}",
                url="/customers/1/",
            )
            for i in range(3)
        ]
    # One of them was being emailed by a worker that died: its lease ran out.
    Notification.objects.filter(pk=made[0].pk).update(
        state=WorkState.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=5)
    )
    samples = scrape(client)
    kind = (("kind", "notifications.notification"),)
    assert samples[("ascolto_leased_work", (*kind, ("state", "pending")))] == 2
    assert samples[("ascolto_leased_work", (*kind, ("state", "running")))] == 1
    assert samples[("ascolto_leases_expired", kind)] == 1
    ready = DBTaskResult.objects.ready().count()
    assert ready >= 3  # one email task per notification
    queues = {k: v for k, v in samples.items() if k[0] == "ascolto_tasks_ready"}
    assert sum(queues.values()) == ready
    assert samples[("ascolto_submissions_waiting", ())] == 0
    assert samples[("ascolto_scheduled_runs_late", ())] == 0


def test_request_latency_is_counted_by_route_never_by_path(client, token):
    before = scrape(client)
    key = (
        "ascolto_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "core:health"), ("status", "2xx")),
    )
    for _ in range(3):
        client.get("/health/")
    after = scrape(client)
    assert after[key] - before.get(key, 0) == 3
    client.get("/s/not-a-real-survey-token-abcdef/")
    names = {label for (_, labels) in scrape(client) for label in labels}
    assert "not-a-real-survey-token-abcdef" not in str(names)


def test_ready_waits_for_the_migrations_of_its_code(client, monkeypatch):
    monkeypatch.setattr(views, "_migrated", False)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'notifications' AND name = "
            "(SELECT MAX(name) FROM django_migrations WHERE app = 'notifications')"
        )
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "migrations_pending": 1}


def test_ready_when_migrated(client, monkeypatch):
    monkeypatch.setattr(views, "_migrated", False)
    response = client.get("/ready/")
    assert response.status_code == 200 and response.json() == {"status": "ready"}
    assert views._migrated is True


def test_each_request_logs_one_line_with_its_id_and_route(client, caplog, alice, alice_client):
    caplog.set_level(logging.INFO, logger="ascolto.request")
    response = client.get("/health/", HTTP_X_REQUEST_ID="proxy-id-1234")
    assert response["X-Request-ID"] == "proxy-id-1234"
    [record] = [r for r in caplog.records if r.name == "ascolto.request"]
    assert (record.route, record.status, record.method) == ("core:health", 200, "GET")
    caplog.clear()
    # An id the proxy did not make plainly is replaced, not copied into the logs.
    response = client.get("/health/", HTTP_X_REQUEST_ID="evil\r\nline")
    assert response["X-Request-ID"] != "evil\r\nline" and len(response["X-Request-ID"]) == 32
    caplog.clear()
    alice_client.get("/customers/")
    [record] = [r for r in caplog.records if r.name == "ascolto.request"]
    assert record.user_id == alice.user_id
    assert record.route == "customers:customer-list"


def test_the_json_lines_carry_the_request_and_cannot_be_forged():
    record = logging.makeLogRecord(
        {"name": "ascolto.x", "levelname": "WARNING", "msg": "nome: %s", "args": ("a\r\nb",)}
    )
    RequestContextFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line and "\r" not in line
    data = json.loads(line)
    assert data["message"] == "nome: a\r\nb"
    assert data["request_id"] == "-" and data["workspace"] == "-"
    assert data["level"] == "WARNING" and data["time"].endswith("+00:00")
