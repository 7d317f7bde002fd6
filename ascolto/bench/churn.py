"""`ascolto bench churn --csv FILE --target COLUMN [--json] [--folds 5] [--seed 0]`

Runs the health score's card machinery (`ascolto.health.pointscard`) on a plain table: one row
per customer, any columns, a yes/no target. Stratified k-fold cross-validation (shuffled with
`--seed`); in each fold the bands are cut on the training rows only (numbers: quintiles and a
"missing" band; other columns: one band per value), then three scores are made from the
training rows and measured on the held-out rows by ROC AUC:

- `rules`: the evidence card (each band's points from its own loss rate, one column at a time);
- `points_card`: the fitted card (a logistic regression on all bands, as whole points that sum
  to 100), the card a workspace can adopt;
- `logistic`: a logistic regression on the raw columns (numbers standardised, values one-hot),
  the reference a points card is compared with.

Needs scikit-learn (the `train` extra). See docs/benchmarks.md, "Churn".
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError

from ascolto.health.pointscard import PointsCard, evidence_card, fitted_card

YES = {"1", "yes", "y", "true", "si", "sì", "s", "churn", "lost", "perso"}
NO = {"0", "no", "n", "false", "stay", "active", "attivo"}
MAX_LEVELS = 30  # a text column with more values than this (an id, a name) is left out
QUANTILES = 5
DEFAULT_TELCO = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "benchmarks"
    / "telco-customer-churn"
    / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
)


def _number(value: str) -> float | None:
    text = value.strip().replace(" ", "")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number else None  # NaN is missing


def read_table(path: Path, target: str) -> tuple[list[dict[str, str]], list[int]]:
    """Rows (target removed) and their outcomes from a CSV (comma or semicolon, UTF-8 with or
    without BOM). A target value that is neither yes nor no is an error naming its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames or target not in reader.fieldnames:
        raise CommandError(f"No column “{target}” in {path} (columns: {reader.fieldnames}).")
    rows, outcomes = [], []
    for line, row in enumerate(reader, start=2):
        value = (row.pop(target) or "").strip().lower()
        if value in YES:
            outcomes.append(1)
        elif value in NO:
            outcomes.append(0)
        else:
            raise CommandError(f"Line {line}: “{value}” in {target} is neither yes nor no.")
        rows.append({key: (cell or "") for key, cell in row.items() if key is not None})
    if len(set(outcomes)) < 2:
        raise CommandError("The target must have both outcomes.")
    return rows, outcomes


@dataclass
class Banding:
    """How the columns are cut into bands, learned from training rows only."""

    edges: dict[str, list[float]]  # numeric columns
    levels: dict[str, set[str]]  # other columns

    @classmethod
    def fit(cls, rows: list[dict[str, str]]) -> Banding:
        import numpy as np

        edges: dict[str, list[float]] = {}
        levels: dict[str, set[str]] = {}
        for column in rows[0]:
            values = [row[column].strip() for row in rows]
            distinct = set(values)
            numbers = [_number(v) for v in values if v]
            if numbers and all(n is not None for n in numbers) and len(distinct) > 10:
                cuts = np.quantile(numbers, [i / QUANTILES for i in range(1, QUANTILES)])
                edges[column] = sorted(set(float(c) for c in cuts))
            elif len(distinct) <= MAX_LEVELS:
                levels[column] = distinct
        return cls(edges, levels)

    def bands(self, row: dict[str, str]) -> dict[str, str]:
        out = {}
        for column, cuts in self.edges.items():
            number = _number(row.get(column, ""))
            if number is None:
                out[column] = "missing"
            else:
                index = sum(1 for cut in cuts if number >= cut)
                out[column] = f"q{index + 1}"
        for column, known in self.levels.items():
            value = row.get(column, "").strip()
            out[column] = value if value in known else "other"
        return out


def _raw_matrix(train: list[dict[str, str]], test: list[dict[str, str]], banding: Banding):
    """Numbers standardised on the training rows (missing → the training median), other
    columns one-hot."""
    import numpy as np

    numeric = sorted(banding.edges)
    categorical = {c: sorted(v) for c, v in sorted(banding.levels.items())}
    medians = {
        c: statistics.median([n for r in train if (n := _number(r[c])) is not None])
        for c in numeric
    }

    def matrix(rows):
        out = []
        for row in rows:
            values = [
                n if (n := _number(row.get(c, ""))) is not None else medians[c] for c in numeric
            ]
            for column, levels in categorical.items():
                cell = row.get(column, "").strip()
                values += [1.0 if cell == level else 0.0 for level in levels]
            out.append(values)
        return np.array(out, dtype=float)

    a, b = matrix(train), matrix(test)
    if numeric:
        mean = a[:, : len(numeric)].mean(axis=0)
        sd = a[:, : len(numeric)].std(axis=0) + 1e-12
        a[:, : len(numeric)] = (a[:, : len(numeric)] - mean) / sd
        b[:, : len(numeric)] = (b[:, : len(numeric)] - mean) / sd
    return a, b


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "auc_mean": round(statistics.fmean(values), 4),
        "auc_sd": round(statistics.pstdev(values), 4),
    }


def cross_validate(
    rows: list[dict[str, str]], outcomes: list[int], *, folds: int = 5, seed: int = 0
) -> dict:
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import StratifiedKFold
    except ImportError as exc:  # pragma: no cover - the train extra is installed in tests
        raise CommandError(
            "`bench churn` needs scikit-learn: pip install 'ascolto[train]'"
        ) from exc

    results: dict[str, list[float]] = {"rules": [], "points_card": [], "logistic": []}
    cards: list[PointsCard] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(rows, outcomes):
        train = [rows[i] for i in train_idx]
        test = [rows[i] for i in test_idx]
        y_train = [outcomes[i] for i in train_idx]
        y_test = [outcomes[i] for i in test_idx]
        banding = Banding.fit(train)
        train_bands = [banding.bands(row) for row in train]
        test_bands = [banding.bands(row) for row in test]
        rules = evidence_card(train_bands, y_train)
        results["rules"].append(roc_auc_score(y_test, [rules.score(r) for r in test_bands]))
        card = fitted_card(train_bands, y_train)
        cards.append(card)
        results["points_card"].append(roc_auc_score(y_test, [card.score(r) for r in test_bands]))
        a, b = _raw_matrix(train, test, banding)
        model = LogisticRegression(C=1.0, max_iter=5000).fit(a, y_train)
        results["logistic"].append(roc_auc_score(y_test, model.predict_proba(b)[:, 1]))
    full = Banding.fit(rows)
    final = fitted_card([full.bands(row) for row in rows], outcomes)
    return {
        "customers": len(rows),
        "lost": sum(outcomes),
        "folds": folds,
        "seed": seed,
        "rules": _summary(results["rules"]),
        "points_card": {**_summary(results["points_card"]), "points": final.as_json()},
        "logistic": _summary(results["logistic"]),
    }


def add_churn_parser(sub) -> None:
    parser = sub.add_parser("churn", help="Cross-validate the points cards on a plain table.")
    parser.add_argument("--csv", required=True, type=Path, help="One row per customer.")
    parser.add_argument(
        "--target", dest="target_column", required=True, help="The yes/no column (1 = lost)."
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="Print JSON.")


def handle_churn(command, options: dict) -> None:
    if options["folds"] < 2:
        raise CommandError("--folds must be at least 2.")
    rows, outcomes = read_table(options["csv"], options["target_column"])
    result = cross_validate(rows, outcomes, folds=options["folds"], seed=options["seed"])
    if options["json"]:
        command.stdout.write(json.dumps(result, ensure_ascii=False))
        return
    command.stdout.write(
        f"{result['customers']} customers, {result['lost']} lost; "
        f"{result['folds']}-fold stratified CV (seed {result['seed']}), ROC AUC:"
    )
    for name in ("rules", "points_card", "logistic"):
        figures = result[name]
        command.stdout.write(f"  {name:12} {figures['auc_mean']:.3f} ± {figures['auc_sd']:.3f}")
    command.stdout.write("Points card fitted on every row (risk points, 100 at most):")
    points = result["points_card"]["points"]
    for group, bands in sorted(points.items(), key=lambda g: -max(g[1].values(), default=0)):
        if any(bands.values()):
            shown = ", ".join(
                f"{band} {p}" for band, p in sorted(bands.items(), key=lambda b: -b[1])
            )
            command.stdout.write(f"  {group}: {shown}")
