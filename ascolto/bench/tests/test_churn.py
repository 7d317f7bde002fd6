"""`ascolto bench churn`: a plain table in, cross-validated cards out."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ascolto.bench.churn import DEFAULT_TELCO, read_table


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command("bench", "churn", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_semicolons_decimal_commas_and_a_bom(tmp_path):
    rng = random.Random(0)
    lines = ["\ufeffcodice;contratto;canone;perso"]
    for i in range(400):
        monthly = rng.random() < 0.5
        fee = rng.uniform(20, 120)
        lost = rng.random() < (0.1 + 0.4 * monthly + 0.3 * (fee > 90))
        lines.append(
            f"C{i};{'mensile' if monthly else 'annuale'};{fee:.2f}".replace(".", ",")
            + f";{'sì' if lost else 'no'}"
        )
    path = tmp_path / "clienti.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run("--csv", str(path), "--target", "perso")
    assert result["customers"] == 400
    assert set(result["points_card"]["points"]) == {"contratto", "canone"}  # the id is left out
    assert result["points_card"]["auc_mean"] > 0.65
    assert sum(max(b.values()) for b in result["points_card"]["points"].values()) == 100


def test_a_target_that_is_neither_yes_nor_no_names_its_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,churn\n1,yes\n2,maybe\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 3"):
        read_table(path, "churn")
    with pytest.raises(CommandError, match="No column"):
        read_table(path, "lost")


@pytest.mark.skipif(not Path(DEFAULT_TELCO).is_file(), reason="shared benchmarks not present")
def test_telco_reaches_the_published_figures():
    """The figures in docs/benchmarks.md: the points card keeps the regression's ranking."""
    result = _run("--csv", str(DEFAULT_TELCO), "--target", "Churn")
    assert result["customers"] == 7043 and result["lost"] == 1869
    assert result["points_card"]["auc_mean"] >= 0.837
    assert result["logistic"]["auc_mean"] >= 0.845
    assert result["rules"]["auc_mean"] < result["points_card"]["auc_mean"]


@pytest.mark.django_db
def test_bench_health_times_the_nightly_batch(workspace_a):
    from datetime import timedelta

    from django.utils import timezone

    from ascolto.customers.tests.factories import CustomerFactory
    from ascolto.health.tests import fixtures as f

    for i in range(3):
        c = CustomerFactory(workspace=workspace_a, created_at=timezone.now() - timedelta(400))
        f.nps(c, 3 * i, timezone.now() - timedelta(days=3))
    out = io.StringIO()
    call_command("bench", "health", "--repeat", "2", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["customers_scored"] == 3 and data["median_s"] >= 0
