"""How well the score would have warned: a time-based backtest on a workspace's own history,
and the learned points card fitted on its own lost customers.

`health_backtest` scores every customer as of a cut-off day using only what was known before
it (`ascolto.health.signals` never reads a later event) and compares the scores with who was
lost within the next `horizon` days (a lost-customer record). Customers with too little data
for a score are counted apart, not guessed.

`card_fit` builds, at cut-offs every `step` days over the past, each customer's bands (one per
measure, "missing" where there was no data) and whether they were lost within the horizon;
it fits a points card on the earlier cut-offs (`ascolto.health.pointscard.fitted_card`, needs
scikit-learn) and measures it, beside the default weights, on the latest cut-off only (a
time-based split: the card never sees the period it is judged on). Scoring with a card needs
only its stored points.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ascolto.customers.models import LostRecord
from ascolto.health import measures
from ascolto.health.pointscard import PointsCard, fitted_card
from ascolto.health.selectors import Config, health_config
from ascolto.health.services import health_scores_as_of
from ascolto.lib.periods import workspace_zone
from ascolto.workspaces.models import Workspace

MIN_LOST_FOR_CARD = 50
MISSING = "missing"


def roc_auc(risks: Sequence[float], lost: Sequence[int]) -> float | None:
    """The chance that a lost customer had a higher risk than a kept one (ties count half)."""
    pairs = sorted(zip(risks, lost, strict=True))
    positives = sum(lost)
    negatives = len(lost) - positives
    if not positives or not negatives:
        return None
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2  # ranks i+1 .. j
        rank_sum += average_rank * sum(outcome for _risk, outcome in pairs[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def pr_auc(risks: Sequence[float], lost: Sequence[int]) -> float | None:
    """Average precision: the precision at each lost customer, highest risk first (ties in
    one step)."""
    positives = sum(lost)
    if not positives:
        return None
    order = sorted(zip(risks, lost, strict=True), key=lambda item: -item[0])
    seen = hits = 0
    total = 0.0
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and order[j][0] == order[i][0]:
            j += 1
        group_hits = sum(outcome for _risk, outcome in order[i:j])
        seen += j - i
        hits += group_hits
        total += group_hits * hits / seen
        i = j
    return total / positives


def _start_of(day: date, workspace: Workspace) -> datetime:
    return datetime.combine(day, time.min, tzinfo=workspace_zone(workspace))


def _lost_within(workspace: Workspace, start: date, end: date) -> dict[int, date]:
    rows = (
        LostRecord.objects.for_workspace(workspace)
        .filter(lost_on__gte=start, lost_on__lt=end)
        .order_by("lost_on")
        .values_list("customer_id", "lost_on")
    )
    found: dict[int, date] = {}
    for customer_id, lost_on in rows:
        found.setdefault(customer_id, lost_on)
    return found


@dataclass(frozen=True)
class Backtest:
    customers: int
    lost: int
    not_scored: int
    roc_auc: float | None
    pr_auc: float | None
    precision_top10: float | None
    recall_top10: float | None
    median_warning_days: float | None
    cutoff: date
    horizon: int
    flagged: int = 0  # at risk or critical at the cut-off
    flagged_lost: int = 0  # of them, lost within the horizon
    top_lost: int = 0  # lost among the tenth with the lowest scores

    def as_json(self) -> dict[str, Any]:
        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "customers": self.customers,
            "lost": self.lost,
            "roc_auc": r(self.roc_auc),
            "pr_auc": r(self.pr_auc),
            "precision_top10": r(self.precision_top10),
            "recall_top10": r(self.recall_top10),
            "median_warning_days": self.median_warning_days,
            "not_scored": self.not_scored,
            "cutoff": self.cutoff.isoformat(),
            "horizon": self.horizon,
        }


def health_backtest(
    *, workspace: Workspace, cutoff: date, horizon: int = 90, config: Config | None = None
) -> Backtest:
    """Score as of the start of `cutoff` (the workspace's day) against losses in the
    `horizon` days from it."""
    config = config or health_config(workspace=workspace)
    at = _start_of(cutoff, workspace)
    lost_on = _lost_within(workspace, cutoff, cutoff + timedelta(days=horizon))
    risks: list[float] = []
    outcomes: list[int] = []
    ids: list[int] = []
    levels: list[str] = []
    not_scored = 0
    for row, scored in health_scores_as_of(workspace=workspace, at=at, config=config):
        if scored.score is None:
            not_scored += 1
            continue
        risks.append(100 - scored.score)
        outcomes.append(1 if row["pk"] in lost_on else 0)
        ids.append(row["pk"])
        levels.append(scored.level)
    n = len(risks)
    top = max(1, round(n / 10)) if n else 0
    ranked = sorted(range(n), key=lambda i: (-risks[i], ids[i]))[:top]
    lost_total = sum(outcomes)
    hits = sum(outcomes[i] for i in ranked)
    warned = [
        (lost_on[ids[i]] - cutoff).days
        for i in range(n)
        if outcomes[i] and levels[i] in ("at_risk", "critical")
    ]
    return Backtest(
        customers=n,
        lost=lost_total,
        not_scored=not_scored,
        roc_auc=roc_auc(risks, outcomes),
        pr_auc=pr_auc(risks, outcomes),
        precision_top10=hits / top if top else None,
        recall_top10=hits / lost_total if lost_total else None,
        median_warning_days=statistics.median(warned) if warned else None,
        cutoff=cutoff,
        horizon=horizon,
        flagged=sum(1 for level in levels if level in ("at_risk", "critical")),
        flagged_lost=len(warned),
        top_lost=hits,
    )


# --- The learned points card --------------------------------------------------------------------
def banded_rows(
    *, workspace: Workspace, cutoff: date, horizon: int, config: Config
) -> tuple[list[dict[str, str]], list[int]]:
    """Each customer's band per measure as of `cutoff` and whether they were lost within the
    horizon."""
    at = _start_of(cutoff, workspace)
    lost_on = _lost_within(workspace, cutoff, cutoff + timedelta(days=horizon))
    rows: list[dict[str, str]] = []
    outcomes: list[int] = []
    for row, _scored in health_scores_as_of(workspace=workspace, at=at, config=config):
        bands = {}
        for name, measure in measures.MEASURES.items():
            result = measure(row, config.bands, cutoff)
            bands[name] = MISSING if result is None else result[0]
        rows.append(bands)
        outcomes.append(1 if row["pk"] in lost_on else 0)
    return rows, outcomes


@dataclass(frozen=True)
class CardFit:
    card: PointsCard | None
    lost: int
    train_rows: int
    test_rows: int
    card_auc: float | None
    default_auc: float | None
    reason: str = ""


def card_fit(
    *,
    workspace: Workspace,
    today: date,
    horizon: int = 90,
    step: int = 30,
    periods: int = 8,
) -> CardFit:
    """Fit a card on cut-offs `today - horizon - k*step` (k ≥ 1) and judge it, beside the
    default weights, on the cut-off `today - horizon` (whose horizon has fully passed)."""
    config = health_config(workspace=workspace)
    test_cutoff = today - timedelta(days=horizon)
    train_rows: list[dict[str, str]] = []
    train_lost: list[int] = []
    for k in range(1, periods + 1):
        rows, lost = banded_rows(
            workspace=workspace,
            cutoff=test_cutoff - timedelta(days=k * step),
            horizon=min(horizon, k * step),  # never into the test period's outcomes
            config=config,
        )
        train_rows += rows
        train_lost += lost
    test_rows, test_lost = banded_rows(
        workspace=workspace, cutoff=test_cutoff, horizon=horizon, config=config
    )
    lost_total = sum(train_lost)
    if lost_total < MIN_LOST_FOR_CARD:
        return CardFit(None, lost_total, len(train_rows), len(test_rows), None, None, "few")
    card = fitted_card(train_rows, train_lost)
    default = health_backtest(
        workspace=workspace, cutoff=test_cutoff, horizon=horizon, config=config
    )
    card_risks = [card.score(row) for row in test_rows]
    return CardFit(
        card,
        lost_total,
        len(train_rows),
        len(test_rows),
        roc_auc(card_risks, test_lost),
        default.roc_auc,
    )
