"""`ascolto promises check` and `ascolto promises gaps`, as scripts call them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.notifications.models import Notification
from ascolto.promises.models import Crisis, PromiseCheck
from ascolto.promises.services import promise_create
from ascolto.promises.tests import gap_fixtures as fx

pytestmark = pytest.mark.django_db

GAP_KEYS = {
    "workspace",
    "promise",
    "dimension",
    "target",
    "promised",
    "delivered",
    "perceived",
    "expected",
    "checks",
    "answers",
    "voice",
}


def _run(*args) -> str:
    out = StringIO()
    call_command("promises", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_check_prints_the_tally_and_alerts_once(workspace_a, alice, bob):
    """
    GIVEN a "within 24 h" promise and two interactions recorded without checks, one late
    WHEN `promises check --json` runs twice
    THEN the first run reports 1 kept, 1 broken and 1 alert, the second the same counts with no
         new alert, and only one crisis exists.
    """
    touchpoint = Touchpoint.objects.get(workspace=workspace_a, code="intervento")
    promise_create(
        workspace=workspace_a, by=alice, name_it="Entro 24 ore", wording_it="Entro 24 ore",
        dimension="timeliness", touchpoint=touchpoint, target_type="duration",
        start_moment="requested_at", end_moment="started_at", limit=24, unit="hours",
    )  # fmt: skip
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    asked = datetime.now(UTC) - timedelta(days=2)
    for hours in (3, 30):
        InteractionFactory(
            customer=customer,
            touchpoint=touchpoint,
            occurred_at=asked,
            requested_at=asked,
            started_at=asked + timedelta(hours=hours),
        )
    first = json.loads(_run("check", "--json"))
    assert first == {"kept": 1, "broken": 1, "not_measurable": 0, "alerts_raised": 1}
    notified = Notification.objects.filter(kind="broken_promise").count()
    assert notified >= 1
    second = json.loads(_run("check", "--json"))
    assert second == {"kept": 1, "broken": 1, "not_measurable": 0, "alerts_raised": 0}
    assert Notification.objects.filter(kind="broken_promise").count() == notified
    assert Crisis.objects.count() == 1 and PromiseCheck.objects.count() == 2
    assert _run("check").strip()  # a readable summary


def test_gaps_json_shape_and_figures(workspace_a, alice):
    """GIVEN the gap fixture WHEN `promises gaps --json` runs for January–March
    THEN one object per promise with the page's figures, largest gap first."""
    world = fx.build(workspace_a, alice)
    rows = json.loads(_run("gaps", "--json", "--from", "2026-01-01", "--to", "2026-03-31"))
    assert [set(r) for r in rows] == [GAP_KEYS] * 3
    assert [r["promise"] for r in rows] == [world.p2.name_it, world.p1.name_it, world.p3.name_it]
    p2, p1, p3 = rows
    assert p1["workspace"] == workspace_a.pk
    assert p1["promised"] == 24.0 and p1["dimension"] == "timeliness"
    assert p1["delivered"] == pytest.approx(60.0) and p1["perceived"] == pytest.approx(50.0)
    assert p1["expected"] == pytest.approx(26.0)
    assert (p1["checks"], p1["answers"]) == (6, 3)
    assert p2["delivered"] == pytest.approx(100 / 3) and p2["expected"] is None
    assert (p3["promised"], p3["delivered"], p3["perceived"]) == (None, None, None)

    customer = json.loads(
        _run("gaps", "--json", "--from", "2026-01-01", "--to", "2026-03-31",
             "--customer", str(world.c1.pk))
    )  # fmt: skip
    assert {r["promise"]: r["checks"] for r in customer}[world.p1.name_it] == 3
    segment = json.loads(
        _run("gaps", "--json", "--from", "2026-01-01", "--to", "2026-03-31", "--segment", "eventi")
    )
    assert {r["promise"]: r["delivered"] for r in segment}[world.p1.name_it] == 50.0
    assert _run("gaps", "--from", "2026-01-01", "--to", "2026-03-31").strip()


def test_gaps_of_a_workspace_never_mention_another(workspace_a, workspace_b, alice, mallory):
    """GIVEN two workspaces with promises WHEN gaps run for A THEN B's names never appear."""
    fx.build(workspace_a, alice)
    fx.promise(workspace_b, "Segreto di B", dimension="quality", target_type="flag")
    text = _run("gaps", "--json", "--workspace", str(workspace_a.pk))
    assert "Segreto di B" not in text
    assert {r["workspace"] for r in json.loads(text)} == {workspace_a.pk}


@pytest.mark.parametrize(
    "args",
    [
        ("gaps", "--from", "2026-13-01", "--to", "2026-03-31"),
        ("gaps", "--from", "2026-03-01", "--to", "2026-01-31"),
        ("gaps", "--from", "2000-01-01", "--to", "2026-01-31"),
        ("gaps", "--segment", "Nessuno"),
        ("gaps", "--customer", "999999"),
        ("gaps", "--workspace", "999999"),
        ("check", "--workspace", "999999"),
    ],
)
def test_bad_arguments_are_command_errors(workspace_a, args):
    with pytest.raises(CommandError):
        _run(*args)


def test_several_workspaces_need_one_chosen(workspace_a, workspace_b):
    with pytest.raises(CommandError):
        _run("gaps", "--json")


def test_a_bad_argument_exits_without_a_traceback(tmp_path):
    """GIVEN the console command WHEN given a date that is no date
    THEN it exits non-zero with a clear message and no traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "ascolto", "promises", "gaps", "--from", "yesterday"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"ASCOLTO_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr
    assert "CommandError" in result.stderr and "yesterday" in result.stderr
