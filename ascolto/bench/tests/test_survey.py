"""`ascolto bench survey`: its percentile, and its load generator against a live server."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.urls import path
from django_tasks_db.models import DBTaskResult

from ascolto.bench import survey as bench
from ascolto.bench.ceiling import ceiling
from ascolto.feedback.models import Answer, Response
from ascolto.workspaces.models import Workspace

# A URLconf with only the ceiling view, for the test that loads it.
urlpatterns = [path("bench/ceiling/", ceiling)]

# The in-memory SQLite test database cannot wait for locks (concurrent writers fail at once,
# unlike the file database the bench uses): one client there, two on PostgreSQL.
CLIENTS = 1 if connection.vendor == "sqlite" else 2


def test_percentile_on_known_numbers():
    values = [float(n) for n in range(10, 0, -1)]  # 10, 9, ..., 1: order does not matter
    assert bench.percentile(values, 0) == 1
    assert bench.percentile(values, 100) == 10
    assert bench.percentile(values, 50) == pytest.approx(5.5)
    assert bench.percentile(values, 99) == pytest.approx(9.91)
    assert bench.percentile(values, 90) == pytest.approx(9.1)
    assert bench.percentile([7.0], 99) == 7
    with pytest.raises(ValueError):
        bench.percentile([], 50)
    with pytest.raises(ValueError):
        bench.percentile([1.0], 101)


def test_load_result_counts_redirects_as_success_and_errors_as_failures():
    result = bench.LoadResult(elapsed=2.0, errors=1)
    result.statuses.update({200: 3, 302: 5, 404: 1, 500: 1})
    result.latencies = [0.010, 0.020, 0.030]
    assert (result.requests, result.successes, result.failures) == (11, 8, 3)
    assert result.per_second == 4.0
    assert result.p(50) == pytest.approx(20.0)


def _host_port(live_server) -> tuple[str, int]:
    parts = urlsplit(live_server.url)
    return parts.hostname, parts.port


@pytest.mark.django_db(transaction=True)
def test_load_posts_valid_answers_and_counts_them(live_server):
    prepared = bench.prepare_survey(400)
    assert len(set(prepared.tokens)) == 400
    requests = bench.survey_requests(prepared)
    forged = iter([("/s/forged-token-0000000000000000/", b"q1=9")])
    host, port = _host_port(live_server)

    bad = bench.run_load(host, port, forged, clients=CLIENTS, seconds=1.5)
    assert (bad.requests, bad.successes, bad.statuses[404]) == (1, 0, 1)
    assert bad.exhausted

    result = bench.run_load(host, port, requests, clients=CLIENTS, seconds=1.5)
    assert result.successes > 0
    assert result.failures == 0
    assert set(result.statuses) == {302}
    assert len(result.latencies) == result.successes
    assert 1.4 < result.elapsed < 10
    assert not Response.objects.filter(survey_id=prepared.survey_id).exists()
    drain = bench.submissions_drain()
    assert (drain.stored, drain.left) == (result.successes, 0)
    assert f"{drain.stored}, stored as responses" in drain.line()
    stored = Response.objects.filter(survey_id=prepared.survey_id)
    assert stored.count() == result.successes
    assert Answer.objects.filter(response__in=stored).count() >= result.successes
    assert all(7 <= score <= 10 for score in stored.values_list("score", flat=True))
    assert result.p(50) <= result.p(99) <= max(result.latencies) * 1000


@pytest.mark.django_db(transaction=True)
def test_ceiling_view_inserts_one_row_per_request(live_server, settings):
    settings.ROOT_URLCONF = __name__
    bench.probe_table_create()
    try:
        requests = iter([(bench.CEILING_PATH, b"note=bench")] * 25)
        result = bench.run_load(*_host_port(live_server), requests, clients=CLIENTS, seconds=5)
        assert result.statuses == {200: 25}
        assert bench.probe_table_count() == 25
    finally:
        bench.probe_table_drop()


@pytest.mark.django_db
def test_cpu_mode_times_both_targets_and_checks_the_rows():
    """`ascolto bench survey --cpu`: WSGI calls in this process, a figure per run and target,
    every submission stored, and nothing of the bench left afterwards."""
    out = io.StringIO()
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        call_command("bench", "survey", "--cpu", "--requests", "5", "--repeat", "2", stdout=out)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    text = out.getvalue()
    ceiling = re.search(r"Ceiling \(one INSERT\): ([\d.]+), ([\d.]+) ms", text)
    survey = re.search(r"Survey submission: ([\d.]+), ([\d.]+) ms", text)
    assert ceiling and survey, text
    assert all(float(v) > 0 for v in (*ceiling.groups(), *survey.groups()))
    assert "Responses stored: " in text
    assert not Workspace.objects.filter(name__startswith="Bench survey").exists()
    assert not Response.objects.exists() and not DBTaskResult.objects.exists()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert bench.PROBE_TABLE not in tables
