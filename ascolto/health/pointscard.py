"""Points cards: a risk score a person can read, as whole points per band of each signal.

A card has groups (a signal: "last NPS answer", "broken promises in 90 days", or a column of a
plain table) and, in each group, bands (one per level: "detractor", "2 or more", "Month-to-month").
A row falls in at most one band per group and scores the sum of its bands' points. In every group
the lowest band is worth 0 and the groups' highest bands add up to exactly 100, so a score is
"risk points out of 100" and each point can be named.

Two ways to make a card from rows whose outcome is known (1 = lost):

- `evidence_card`: each band on its own, from its own loss rate (smoothed log-odds against the
  overall rate). What a person writes by looking at one signal at a time; it double-counts
  signals that go together.
- `fitted_card`: a logistic regression on all the bands at once (scikit-learn, needed only to
  fit), its coefficients shifted and scaled to whole points. It keeps almost all of the
  regression's ranking while staying a table of whole numbers.

Scoring needs only the stored points (`PointsCard.score`), never scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

TOTAL = 100

Bands = Mapping[str, str]
"""One row: the band of each group it has data for (a group it lacks scores nothing)."""


@dataclass(frozen=True)
class PointsCard:
    points: dict[str, dict[str, int]] = field(default_factory=dict)

    def score(self, row: Bands) -> int:
        """Risk points of `row`: the sum of its bands' points (unknown bands count 0)."""
        return sum(self.points.get(group, {}).get(band, 0) for group, band in row.items())

    def contributions(self, row: Bands) -> list[tuple[str, str, int]]:
        """(group, band, points) of the row's bands that carry points, largest first."""
        found = [
            (group, band, self.points[group][band])
            for group, band in row.items()
            if self.points.get(group, {}).get(band)
        ]
        return sorted(found, key=lambda item: (-item[2], item[0]))

    @property
    def maximum(self) -> int:
        return sum(max(bands.values(), default=0) for bands in self.points.values())

    def as_json(self) -> dict[str, dict[str, int]]:
        return {group: dict(bands) for group, bands in self.points.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Mapping[str, int]]) -> PointsCard:
        return cls(
            {str(g): {str(b): int(p) for b, p in bands.items()} for g, bands in data.items()}
        )


def card_from_weights(weights: Mapping[tuple[str, str], float]) -> PointsCard:
    """Whole points from real-valued weights per (group, band): each group is shifted so its
    lowest band is 0, all are scaled so the groups' highest bands sum to `TOTAL`, and rounded
    by largest remainder so that sum is exact. A group whose bands all weigh the same is worth
    nothing."""
    groups: dict[str, dict[str, float]] = {}
    for (group, band), weight in weights.items():
        groups.setdefault(group, {})[band] = float(weight)
    span = sum(max(b.values()) - min(b.values()) for b in groups.values())
    if span <= 0:
        return PointsCard({group: dict.fromkeys(bands, 0) for group, bands in groups.items()})
    scaled = {
        group: {band: (w - min(bands.values())) * TOTAL / span for band, w in bands.items()}
        for group, bands in groups.items()
    }
    # Round each group's top band by largest remainder (they must sum to TOTAL), then every
    # other band to the nearest whole point, never above its group's top.
    tops = {group: max(bands.values()) for group, bands in scaled.items()}
    floors = {group: math.floor(top) for group, top in tops.items()}
    short = TOTAL - sum(floors.values())
    by_remainder = sorted(tops, key=lambda g: (-(tops[g] - floors[g]), g))
    for group in by_remainder[:short]:
        floors[group] += 1
    points: dict[str, dict[str, int]] = {}
    for group, bands in scaled.items():
        top = max(bands.values())
        points[group] = {
            band: floors[group] if value == top else min(floors[group], round(value))
            for band, value in bands.items()
        }
    return PointsCard(points)


def _band_columns(rows: Sequence[Bands]) -> list[tuple[str, str]]:
    return sorted({(group, band) for row in rows for group, band in row.items()})


def evidence_card(
    rows: Sequence[Bands], lost: Sequence[int], *, strength: float = 10.0
) -> PointsCard:
    """Each band's weight is the log-odds of its loss rate against the overall rate, the rate
    pulled toward the overall one by `strength` pseudo-rows (so a band of three rows does not
    get all the points)."""
    if len(rows) != len(lost) or not rows:
        raise ValueError("one outcome per row, and at least one row")
    overall = min(max(sum(lost) / len(lost), 1e-6), 1 - 1e-6)
    counts: dict[tuple[str, str], list[float]] = {}
    for row, outcome in zip(rows, lost, strict=True):
        for item in row.items():
            seen = counts.setdefault(item, [0.0, 0.0])
            seen[0] += 1
            seen[1] += outcome
    weights = {}
    for item, (n, k) in counts.items():
        rate = (k + overall * strength) / (n + strength)
        weights[item] = math.log(rate / (1 - rate)) - math.log(overall / (1 - overall))
    return card_from_weights(weights)


def fitted_card(rows: Sequence[Bands], lost: Sequence[int], *, c: float = 1.0) -> PointsCard:
    """A logistic regression (L2, `C=c`) on the rows' bands as yes/no columns, turned into
    whole points. Needs scikit-learn (the `train` extra)."""
    if len(set(lost)) < 2:
        raise ValueError("both outcomes are needed to fit a card")
    from sklearn.linear_model import LogisticRegression

    columns = _band_columns(rows)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(band_matrix(rows, columns), list(lost))
    return card_from_weights(dict(zip(columns, model.coef_[0].tolist(), strict=True)))


def band_matrix(rows: Sequence[Bands], columns: Sequence[tuple[str, str]]):
    """The rows as a 0/1 matrix over `columns` (NumPy, imported only when fitting)."""
    import numpy as np

    index = {column: i for i, column in enumerate(columns)}
    matrix = np.zeros((len(rows), len(columns)))
    for i, row in enumerate(rows):
        for item in row.items():
            j = index.get(item)
            if j is not None:
                matrix[i, j] = 1.0
    return matrix
