"""The backtest's figures against scikit-learn's, a backtest on a hand-made history, the
command's JSON, and the learned card fitted on a workspace's own losses."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ascolto.customers.tests.factories import CustomerFactory, LostRecordFactory
from ascolto.health import backtest, services
from ascolto.health.models import HealthSettings
from ascolto.health.tests import fixtures as f
from ascolto.lib.periods import workspace_zone

CUTOFF = date(2026, 3, 1)


def test_roc_and_pr_auc_agree_with_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(3)
    for _ in range(20):
        lost = [rng.random() < 0.3 for _ in range(60)]
        if not any(lost) or all(lost):
            continue
        risks = [rng.choice([0, 10, 20, 35, 50, 80]) + 20 * x for x in lost]
        y = [int(x) for x in lost]
        assert backtest.roc_auc(risks, y) == pytest.approx(metrics.roc_auc_score(y, risks))
        assert backtest.pr_auc(risks, y) == pytest.approx(metrics.average_precision_score(y, risks))
    assert backtest.roc_auc([1, 2], [0, 0]) is None


def at(workspace, day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=workspace_zone(workspace))


@pytest.fixture
def history(workspace_a):
    """GIVEN before the cut-off: 3 customers with complaints and detractor answers (2 of them
    lost 20 and 40 days after it), 5 content customers (1 lost out of the blue after it, 1
    lost 200 days after: outside the horizon); one customer lost before the cut-off."""
    created = at(workspace_a, CUTOFF - timedelta(400))
    unhappy, content = [], []
    for i in range(3):
        c = CustomerFactory(workspace=workspace_a, name=f"Scontento {i}", created_at=created)
        f.nps(c, 9, at(workspace_a, CUTOFF - timedelta(120)))
        f.nps(c, 2, at(workspace_a, CUTOFF - timedelta(10)))
        f.interaction(c, at(workspace_a, CUTOFF - timedelta(5)), code="reclamo")
        f.interaction(c, at(workspace_a, CUTOFF - timedelta(6)), code="ritardo")
        unhappy.append(c)
    for i in range(5):
        c = CustomerFactory(workspace=workspace_a, name=f"Contento {i}", created_at=created)
        f.nps(c, 10, at(workspace_a, CUTOFF - timedelta(15)))
        f.interaction(c, at(workspace_a, CUTOFF - timedelta(20)))
        content.append(c)
    gone = CustomerFactory(workspace=workspace_a, name="Già perso", created_at=created)
    LostRecordFactory(customer=gone, lost_on=CUTOFF - timedelta(30))
    LostRecordFactory(customer=unhappy[0], lost_on=CUTOFF + timedelta(20))
    LostRecordFactory(customer=unhappy[1], lost_on=CUTOFF + timedelta(40))
    LostRecordFactory(customer=content[0], lost_on=CUTOFF + timedelta(10))
    LostRecordFactory(customer=content[1], lost_on=CUTOFF + timedelta(200))
    return unhappy, content


def test_backtest_on_a_hand_made_history(history, workspace_a):
    result = backtest.health_backtest(workspace=workspace_a, cutoff=CUTOFF, horizon=90)
    # 8 customers scored (the one lost before is left out), 3 lost within 90 days.
    assert (result.customers, result.lost, result.not_scored) == (8, 3, 0)
    # The 2 unhappy lost outrank the 4 kept content and tie with the kept unhappy one; the
    # content one lost out of the blue is outranked by the 3 unhappy: 2*5 of 3*5 pairs,
    # with the two ties against the kept unhappy counted half... computed exactly:
    # lost risks: high, high, low; kept: high, low x4. Pairs won: 2*4 + 0.5*2 + 0.5*4 = 11.
    assert result.roc_auc == pytest.approx(11 / 15)
    assert result.median_warning_days == 30  # 20 and 40 days of warning
    top = round(8 / 10)
    assert top == 1 and result.precision_top10 == 1.0  # the riskiest customer was lost


def test_later_events_do_not_change_a_backtest(history, workspace_a):
    before = backtest.health_backtest(workspace=workspace_a, cutoff=CUTOFF).as_json()
    unhappy, content = history
    for c in content:
        f.nps(c, 0, at(workspace_a, CUTOFF, 0))  # exactly at the cut-off: not before it
        f.interaction(c, at(workspace_a, CUTOFF + timedelta(1)), code="reclamo")
    assert backtest.health_backtest(workspace=workspace_a, cutoff=CUTOFF).as_json() == before


def test_backtest_command_prints_json(history, workspace_a):
    out = StringIO()
    call_command(
        "health",
        "backtest",
        "--cutoff",
        CUTOFF.isoformat(),
        "--horizon",
        "90",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert {
        "customers",
        "lost",
        "roc_auc",
        "pr_auc",
        "precision_top10",
        "recall_top10",
        "median_warning_days",
    } <= set(data)
    assert data["customers"] == 8 and data["lost"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cutoff", "2026-13-01"], "YYYY-MM-DD"),
        (["--cutoff", "2999-01-01"], "future"),
        (["--cutoff", "2026-01-01", "--horizon", "0"], "730"),
    ],
)
def test_backtest_command_bad_input(workspace_a, args, message):
    from django.utils import translation

    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("health", "backtest", *args)


def test_learned_card_needs_fifty_losses(history, workspace_a):
    fit = services.health_card_propose(workspace=workspace_a)
    assert fit.card is None and fit.lost < backtest.MIN_LOST_FOR_CARD
    assert not HealthSettings.objects.filter(workspace=workspace_a).exists()


@pytest.mark.django_db
def test_learned_card_fitted_on_own_losses_adopted_and_scored_in_whole_points(
    workspace_a, alice, bob
):
    pytest.importorskip("sklearn")
    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    now = timezone.now()
    rng = random.Random(7)
    # 160 customers; the unhappy half leaves within two months of going quiet and complaining.
    for i in range(160):
        c = CustomerFactory(workspace=workspace_a, name=f"C{i}", created_at=now - timedelta(700))
        start = now - timedelta(days=rng.randint(100, 420))
        f.interaction(c, start - timedelta(days=40))
        if i % 2:
            f.nps(c, rng.randint(0, 5), start - timedelta(days=5))
            f.interaction(c, start - timedelta(days=3), code="reclamo")
            LostRecordFactory(customer=c, lost_on=(start + timedelta(days=30)).date())
        else:
            f.nps(c, rng.randint(9, 10), start - timedelta(days=5))
    fit = services.health_card_propose(workspace=workspace_a, now=now)
    assert fit.card is not None and fit.lost >= backtest.MIN_LOST_FOR_CARD
    points = fit.card.as_json()
    assert fit.card.maximum == 100
    assert all(isinstance(p, int) for bands in points.values() for p in bands.values())
    assert points["feedback"]["poor"] > points["feedback"]["healthy"]
    with pytest.raises(PermissionDenied):
        services.health_card_adopt(workspace=workspace_a, by=bob, adopt=True)
    row = services.health_card_adopt(workspace=workspace_a, by=alice, adopt=True)
    assert row.card["adopted"] and row.version == 2
    services.health_scores_compute(workspace=workspace_a, now=now)
    from ascolto.health.models import HealthScore

    for score in HealthScore.objects.filter(workspace=workspace_a, score__isnull=False)[:20]:
        assert score.score == 100 - sum(c["points"] for c in score.contributions)
