"""Points cards: whole points that sum to 100, scoring from stored points, the two fits."""

from __future__ import annotations

import random

import pytest

from ascolto.health.pointscard import (
    TOTAL,
    PointsCard,
    card_from_weights,
    evidence_card,
    fitted_card,
)


def test_weights_become_whole_points_whose_group_tops_sum_to_100():
    card = card_from_weights(
        {
            ("nps", "detractor"): 1.7,
            ("nps", "passive"): 0.4,
            ("nps", "promoter"): -0.9,
            ("broken", "2+"): 0.8,
            ("broken", "1"): 0.3,
            ("broken", "0"): 0.0,
            ("gender", "f"): 0.2,
            ("gender", "m"): 0.2,
        }
    )
    assert card.maximum == TOTAL
    assert card.points["gender"] == {"f": 0, "m": 0}
    assert card.points["nps"]["promoter"] == 0 and card.points["broken"]["0"] == 0
    # 2.6 of 3.4 weight units go to NPS: 76.47 → 76 or 77, the rest to broken promises.
    assert card.points["nps"]["detractor"] + card.points["broken"]["2+"] == 100
    assert card.points["nps"]["detractor"] in (76, 77)
    assert all(isinstance(p, int) for bands in card.points.values() for p in bands.values())


def test_rounding_keeps_the_total_exact_for_many_groups():
    rng = random.Random(3)
    for _trial in range(50):
        weights = {
            (f"g{g}", f"b{b}"): rng.uniform(-2, 2)
            for g in range(rng.randint(1, 15))
            for b in range(3)
        }
        card = card_from_weights(weights)
        assert card.maximum == TOTAL
        assert min(p for bands in card.points.values() for p in bands.values()) >= 0


def test_score_and_contributions_read_only_the_stored_points():
    card = PointsCard.from_json({"nps": {"detractor": 60, "promoter": 0}, "silence": {"long": 40}})
    row = {"nps": "detractor", "silence": "long", "unknown": "x"}
    assert card.score(row) == 100
    assert card.contributions(row) == [("nps", "detractor", 60), ("silence", "long", 40)]
    assert card.score({"nps": "promoter"}) == 0
    assert PointsCard.from_json(card.as_json()) == card


def _rows(n: int, seed: int = 1):
    """Rows where 'contract=monthly' and 'nps=detractor' raise the chance of loss."""
    rng = random.Random(seed)
    rows, lost = [], []
    for _i in range(n):
        row = {
            "contract": rng.choice(["monthly", "yearly"]),
            "nps": rng.choice(["detractor", "passive", "promoter"]),
            "noise": rng.choice(["a", "b"]),
        }
        risk = 0.1 + 0.35 * (row["contract"] == "monthly") + 0.4 * (row["nps"] == "detractor")
        rows.append(row)
        lost.append(1 if rng.random() < risk else 0)
    return rows, lost


@pytest.mark.parametrize("fit", [evidence_card, fitted_card])
def test_fits_put_the_points_on_the_signals_that_matter(fit):
    rows, lost = _rows(4000)
    card = fit(rows, lost)
    assert card.maximum == TOTAL
    assert card.points["nps"]["detractor"] > 30
    assert card.points["contract"]["monthly"] > 15
    assert max(card.points["noise"].values()) <= 3


def test_a_fit_needs_both_outcomes():
    with pytest.raises(ValueError):
        fitted_card([{"a": "x"}, {"a": "y"}], [0, 0])
    with pytest.raises(ValueError):
        evidence_card([], [])
