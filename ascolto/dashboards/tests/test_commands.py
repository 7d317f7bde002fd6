"""`ascolto metrics nps` and `ascolto bench dashboards`."""

from __future__ import annotations

import json
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.dashboards.tests.factories import SurveyFactory, answers
from ascolto.feedback.models import Response
from ascolto.lib import periods

ROME = ZoneInfo("Europe/Rome")
SIX = {"n", "promoters", "passives", "detractors", "nps", "margin"}


def metrics(*args: str) -> dict:
    out = StringIO()
    call_command("metrics", "nps", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def figures(workspace_a, workspace_b):
    survey = SurveyFactory(workspace=workspace_a)
    edilizia = SegmentFactory(workspace=workspace_a, name="Edilizia")
    c = CustomerFactory(workspace=workspace_a, segment=edilizia)
    answers(survey, [10, 10, 7], at=datetime(2026, 3, 3, 10, tzinfo=ROME), customer=c)
    answers(survey, [0], at=datetime(2026, 4, 3, 10, tzinfo=ROME))
    answers(SurveyFactory(workspace=workspace_b), [0, 0], at=datetime(2026, 3, 3, tzinfo=ROME))
    return workspace_a


def test_metrics_nps_json_by_month(figures):
    data = metrics(
        "--from",
        "2026-03-01",
        "--to",
        "2026-04-30",
        "--by",
        "month",
        "--workspace",
        str(figures.pk),
    )
    assert set(data) == {"total", "rows"}
    assert set(data["total"]) == SIX
    assert data["total"]["n"] == 4 and data["total"]["nps"] == pytest.approx(25.0)
    assert isinstance(data["total"]["margin"], float)
    assert [r["key"] for r in data["rows"]] == ["2026-03", "2026-04"]
    assert all(set(r) == SIX | {"key"} for r in data["rows"])
    assert data["rows"][0]["nps"] == 66.7  # rounded to one decimal, as shown
    for row in [data["total"], *data["rows"]]:
        for key in ("nps", "margin"):
            assert row[key] is None or row[key] == round(row[key], 1), (key, row[key])


def test_metrics_by_segment_and_quarter_and_filter(figures):
    ws = ["--workspace", str(figures.pk)]
    by_segment = metrics("--from", "2026-03-01", "--to", "2026-04-30", "--by", "segment", *ws)
    assert {r["key"]: r["n"] for r in by_segment["rows"]} == {"Edilizia": 3, None: 1}
    by_quarter = metrics("--from", "2026-01-01", "--to", "2026-06-30", "--by", "quarter", *ws)
    assert [(r["key"], r["n"]) for r in by_quarter["rows"]] == [("2026-Q1", 3), ("2026-Q2", 1)]
    filtered = metrics("--from", "2026-03-01", "--to", "2026-04-30", "--segment", "edilizia", *ws)
    assert filtered["total"]["n"] == 3 and filtered["rows"] == []


def test_metrics_empty_period_gives_nulls(figures):
    data = metrics("--from", "2020-01-01", "--to", "2020-01-31", "--workspace", str(figures.pk))
    assert data == {
        "total": {
            "n": 0,
            "promoters": 0,
            "passives": 0,
            "detractors": 0,
            "nps": None,
            "margin": None,
        },
        "rows": [],
    }


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-02-30", "--to", "2026-03-01"],
        ["--from", "yesterday", "--to", "2026-03-01"],
        ["--from", "2026-03-02", "--to", "2026-03-01"],
        ["--from", "2026-03-01", "--to", "2026-03-31", "--segment", "Nessuno"],
        ["--from", "2026-03-01", "--to", "2026-03-31", "--workspace", "999999"],
    ],
)
def test_metrics_bad_input_is_a_clear_error(figures, args):
    with pytest.raises(CommandError):
        workspace = [] if "--workspace" in args else ["--workspace", str(figures.pk)]
        call_command("metrics", "nps", *args, "--json", *workspace)


def test_metrics_bad_date_exits_non_zero(figures, capsys):
    from django.core.management import load_command_class

    command = load_command_class("ascolto.dashboards", "metrics")
    with pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(
            ["ascolto", "metrics", "nps", "--from", "2026-99-01", "--to", "2026-03-01"]
        )
    assert exit_info.value.code != 0
    assert "2026-99-01" in capsys.readouterr().err


def test_several_workspaces_need_workspace_option(figures):
    with pytest.raises(CommandError):
        call_command("metrics", "nps", "--from", "2026-03-01", "--to", "2026-03-31")


def test_bench_generates_and_times(workspace_a, alice):
    CustomerFactory.create_batch(3, workspace=workspace_a)
    out = StringIO()
    call_command(
        "bench",
        "dashboards",
        "--workspace",
        str(workspace_a.pk),
        "--generate",
        "300",
        "--repeat",
        "1",
        stdout=out,
    )
    text = out.getvalue()
    assert Response.objects.filter(workspace=workspace_a).count() == 300
    assert "Ratio:" in text and "Full overview render (" in text


def test_bench_reference_query_matches_the_page(workspace_a):
    """The hand-written reference computes the same NPS as the selectors."""
    from django.db import connection

    from ascolto.bench.management.commands.bench import generate_responses, reference_sql
    from ascolto.dashboards import selectors

    CustomerFactory.create_batch(3, workspace=workspace_a)
    generate_responses(workspace_a, 500)
    period = periods.default_period(workspace_a)
    sql, params = reference_sql(workspace_a, period)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    nps = selectors.scores_compare(workspace=workspace_a, period=period).current.nps
    assert tuple(row[:3]) == (nps.promoters, nps.passives, nps.detractors)


def test_bench_segment_reference_matches_the_filtered_page(workspace_a, alice):
    """With `--segment`, the page and the hand-written reference count the same rows: only the
    segment's customers' answers and invitations, and only its active customers."""
    from django.db import connection

    from ascolto.bench.management.commands.bench import generate_responses, reference_sql
    from ascolto.customers.models import Customer
    from ascolto.dashboards import selectors

    edilizia = SegmentFactory(workspace=workspace_a, name="Edilizia")
    CustomerFactory.create_batch(3, workspace=workspace_a, segment=edilizia)
    CustomerFactory.create_batch(3, workspace=workspace_a)
    generate_responses(workspace_a, 400)
    period = periods.default_period(workspace_a)
    page = selectors.overview(workspace=workspace_a, period=period, segment=edilizia)
    everyone = selectors.overview(workspace=workspace_a, period=period)
    sql, params = reference_sql(workspace_a, period, edilizia)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    nps = page.scores.current.nps
    assert 0 < nps.n < everyone.scores.current.nps.n
    assert tuple(row[:3]) == (nps.promoters, nps.passives, nps.detractors)
    rate = page.rate
    assert 0 < rate.invited < everyone.rate.invited
    assert tuple(row[-6:-3]) == (rate.invited, rate.opened, rate.answered)
    assert (row[-3], row[-2]) == (page.coverage.active, page.coverage.heard)
    assert page.coverage.active == 3
    assert Customer.objects.filter(workspace=workspace_a).count() == 6

    out = StringIO()
    call_command(
        "bench",
        "dashboards",
        "--workspace",
        str(workspace_a.pk),
        "--segment",
        "edilizia",
        "--repeat",
        "1",
        stdout=out,
    )
    assert "Segment “Edilizia”: 3 customers." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("bench", "dashboards", "--workspace", str(workspace_a.pk), "--segment", "X")
