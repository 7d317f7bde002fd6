"""The gap figures against a hand computation (see gap_fixtures for the data)."""

from __future__ import annotations

from datetime import date

import pytest

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.lib.periods import Period
from ascolto.promises.gaps import Scope, customers_differing, gaps_for_scope
from ascolto.promises.tests import gap_fixtures as fx

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(workspace_a, alice):
    return fx.build(workspace_a, alice)


def _by_promise(gaps):
    return {g.promise.pk: g for g in gaps}


def test_workspace_figures_match_the_hand_computation(world, workspace_a):
    """
    GIVEN three promises with ten checks in the period, ratings on a 1–5 and a 0–10 question
          and three customers' needs
    WHEN the gaps of the workspace are computed for January–March
    THEN delivered, perceived, expected, distribution and trend are those worked out by hand,
         and the checks and answers after the period are left out.
    """
    gaps = gaps_for_scope(Scope(workspace_a, fx.PERIOD))
    g = _by_promise(gaps)
    p1, p2, p3 = g[world.p1.pk], g[world.p2.pk], g[world.p3.pk]

    assert (p1.kept, p1.broken, p1.not_measurable, p1.checks) == (3, 2, 1, 6)
    assert p1.promised == 24.0 and p1.target
    assert p1.delivered == pytest.approx(60.0)
    assert [b.count for b in p1.distribution] == [1, 2, 1, 0, 1]
    assert [(m.key, m.kept, m.measurable) for m in p1.trend] == [
        ("2026-01", 2, 2),
        ("2026-02", 0, 2),
        ("2026-03", 1, 1),
    ]
    assert [m.delivered for m in p1.trend] == [100.0, 0.0, 100.0]
    assert p1.mean_measured == pytest.approx((600 + 1440 + 2000 + 3000 + 1000) / 5 / 60)
    assert (p1.answers, p1.mean_rating) == (3, pytest.approx(3.0))
    assert p1.perceived == pytest.approx(50.0)
    assert p1.delivery_gap == pytest.approx(40.0)
    assert p1.perception_gap == pytest.approx(10.0)
    # c1 needs 4 h, c2 48 h (c3's need is about another touchpoint): median 26 h, 1 of 2 met.
    assert p1.expected.customers == 2
    assert p1.expected.median == pytest.approx(26.0)
    assert p1.expected.met == 1 and p1.expected.met_share == pytest.approx(50.0)

    assert (p2.kept, p2.broken, p2.not_measurable) == (1, 2, 0)
    assert p2.promised == 30.0
    assert p2.delivered == pytest.approx(100 / 3)
    # |−10|, 50 and |−70| against a 30-minute window.
    assert [b.count for b in p2.distribution] == [1, 0, 0, 1, 1]
    assert p2.perceived == pytest.approx(95.0)
    assert p2.perception_gap == pytest.approx(100 / 3 - 95)
    assert p2.expected is None

    assert (p3.kept, p3.broken, p3.not_measurable) == (0, 0, 1)
    assert p3.delivered is None and p3.perceived is None and p3.delivery_gap is None
    assert p3.promised is None and p3.distribution == []

    # Largest absolute gap first: P2 (66.7), P1 (40), P3 (no figures).
    assert [x.promise.pk for x in gaps] == [world.p2.pk, world.p1.pk, world.p3.pk]
    assert p1.few_checks and p1.few_answers


def test_one_customer(world, workspace_a):
    """GIVEN the same data WHEN scoped to c1 THEN only c1's checks, ratings and needs count."""
    g = _by_promise(gaps_for_scope(Scope(workspace_a, fx.PERIOD, customer=world.c1)))
    p1, p2 = g[world.p1.pk], g[world.p2.pk]
    assert (p1.kept, p1.broken, p1.not_measurable) == (2, 1, 0)
    assert p1.delivered == pytest.approx(200 / 3)
    assert p1.perceived == pytest.approx(25.0)
    assert p1.expected.customers == 1
    assert p1.expected.median == pytest.approx(4.0)
    assert p1.expected.met == 0
    assert p2.delivered == pytest.approx(100.0) and p2.perceived == pytest.approx(90.0)


def test_one_segment(world, workspace_a):
    """GIVEN the same data WHEN scoped to the segment "Eventi" THEN only c2 and c3 count."""
    g = _by_promise(gaps_for_scope(Scope(workspace_a, fx.PERIOD, segment=world.eventi)))
    p1, p2 = g[world.p1.pk], g[world.p2.pk]
    assert (p1.kept, p1.broken, p1.not_measurable) == (1, 1, 1)
    assert p1.delivered == pytest.approx(50.0)
    assert p1.perceived == pytest.approx(62.5)
    assert p1.expected.customers == 1 and p1.expected.median == pytest.approx(48.0)
    assert p2.delivered == 0.0 and p2.perceived == pytest.approx(100.0)
    assert g[world.p3.pk].checks == 0


def test_empty_data_gives_no_figures_not_zero(workspace_a):
    """GIVEN a promise with a question but no checks and no answers
    WHEN the gaps are computed THEN every figure is None, nothing crashes."""
    promise = fx.promise(
        workspace_a,
        "Difetti al massimo 2",
        dimension="quality",
        target_type="threshold",
        measure="defects",
        comparison="at_most",
        limit=2,
    )
    (gap,) = gaps_for_scope(Scope(workspace_a, fx.PERIOD))
    assert gap.promise == promise
    assert gap.promised == 2.0
    assert gap.checks == 0 and gap.answers == 0
    assert gap.delivered is None and gap.perceived is None and gap.expected is None
    assert gap.delivery_gap is None and gap.perception_gap is None
    assert gap.distribution == [] and all(m.delivered is None for m in gap.trend)
    assert customers_differing(Scope(workspace_a, fx.PERIOD)) == []


def test_one_check(workspace_a):
    """GIVEN one broken threshold check WHEN computed THEN delivered 0 %, gap 100 points."""
    promise = fx.promise(
        workspace_a,
        "Almeno 8 ore di copertura",
        dimension="reliability",
        target_type="threshold",
        measure="hours",
        comparison="at_least",
        limit=8,
    )
    customer = CustomerFactory(workspace=workspace_a)
    fx.check(promise, customer, fx.at(2), "broken", 6)
    (gap,) = gaps_for_scope(Scope(workspace_a, fx.PERIOD))
    assert gap.delivered == 0.0 and gap.delivery_gap == 100.0
    assert [b.count for b in gap.distribution] == [0, 1, 0, 0, 0]


def test_no_workspace_ever_sees_anothers_rows(world, workspace_a, workspace_b, mallory):
    """GIVEN workspace B with its own copy of the data
    WHEN A's gaps are computed THEN the figures are unchanged and name only A's promises."""
    before = [g.as_dict() for g in gaps_for_scope(Scope(workspace_a, fx.PERIOD))]
    fx.build(workspace_b, mallory)
    after = gaps_for_scope(Scope(workspace_a, fx.PERIOD))
    assert [g.as_dict() for g in after] == before
    assert {g.promise.workspace_id for g in after} == {workspace_a.pk}
    differing = customers_differing(Scope(workspace_a, fx.PERIOD))
    assert {d.promise.workspace_id for d in differing} == {workspace_a.pk}
    assert {d.customer_id for d in differing} <= {world.c1.pk, world.c2.pk}


def test_customers_who_feel_differently(world, workspace_a):
    """GIVEN per-customer delivery and ratings
    WHEN the customers who feel differently are listed THEN largest difference first:
    c2 on P2 (0 vs 100), c1 on P1 (66.7 vs 25), c2 on P1 (50 vs 62.5), c1 on P2 (100 vs 90)."""
    rows = customers_differing(Scope(workspace_a, fx.PERIOD))
    assert [(r.customer_id, r.promise.pk) for r in rows] == [
        (world.c2.pk, world.p2.pk),
        (world.c1.pk, world.p1.pk),
        (world.c2.pk, world.p1.pk),
        (world.c1.pk, world.p2.pk),
    ]
    first = rows[0]
    assert (first.delivered, first.perceived) == (0.0, pytest.approx(100.0))
    assert not first.feels_worse
    assert rows[1].feels_worse and rows[1].difference == pytest.approx(200 / 3 - 25)
    assert len(customers_differing(Scope(workspace_a, fx.PERIOD), limit=2)) == 2


def test_months_follow_the_workspace_time_zone(workspace_a):
    """GIVEN a check at 23:30 UTC on 31 January (00:30 on 1 February in Rome)
    WHEN the trend is computed THEN it falls in February."""
    from datetime import UTC, datetime

    promise = fx.promise(
        workspace_a, "Entro un'ora", dimension="timeliness", target_type="duration",
        start_moment="requested_at", end_moment="started_at", limit=60, unit="minutes",
    )  # fmt: skip
    customer = CustomerFactory(workspace=workspace_a)
    fx.check(promise, customer, datetime(2026, 1, 31, 23, 30, tzinfo=UTC), "kept", 30)
    period = Period(date(2026, 1, 1), date(2026, 2, 28))
    (gap,) = gaps_for_scope(Scope(workspace_a, period))
    assert [(m.key, m.measurable) for m in gap.trend] == [("2026-01", 0), ("2026-02", 1)]
