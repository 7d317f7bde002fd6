"""`ascolto bench soak`: the whole deployment under load with faults (docs/benchmarks.md).

GIVEN the database of the test run (SQLite, or PostgreSQL reached through a PgBouncer the soak
    starts in transaction mode)
WHEN `ascolto bench soak --minutes 3` runs two web processes with their schedulers and three
    workers, kills a worker every minute, refuses mail for a while and forces the nightly jobs
THEN every invariant holds and it exits 0; and its checks see a count that does not match the
    rows, and a scheduled period claimed twice.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ascolto.bench import soakdata
from ascolto.bench.soak import scheduler_claims

SOAK_NOT_ASKED = "the 3-minute soak runs when ASCOLTO_SOAK_IN_TESTS=1"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("ASCOLTO_SOAK_IN_TESTS") != "1", reason=SOAK_NOT_ASKED)
def test_three_minute_soak_keeps_every_invariant():
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ascolto", "bench", "soak", "--minutes", "3"]
        + ["--settle-minutes", "6"],
        capture_output=True,
        text=True,
        timeout=20 * 60,
        check=False,
    )
    print(done.stdout[-6000:])
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "Soak: PASSED" in done.stdout
    assert "FAIL" not in done.stdout
    assert "2 worker(s) killed" in done.stdout or "3 worker(s) killed" in done.stdout


def test_a_period_claimed_by_both_schedulers_is_seen(tmp_path):
    one, two = tmp_path / "web1.log", tmp_path / "web2.log"
    one.write_text('sweeper 2026-12-07T22:10\n{"level": "INFO"}\nhealth-scores 2026-12-07\n')
    two.write_text(
        "sweeper 2026-12-07T22:11\n[gunicorn] Booting worker\nsweeper 2026-12-07T22:10\n"
    )
    claims = scheduler_claims([one, two])
    assert claims[("sweeper", "2026-12-07T22:10")] == 2
    assert sorted(key for key, n in claims.items() if n > 1) == [("sweeper", "2026-12-07T22:10")]
    assert len(claims) == 3


@pytest.mark.django_db
def test_a_daily_count_that_differs_from_the_rows_is_seen(workspace_a):
    from ascolto.dashboards.models import DailyScore
    from ascolto.dashboards.tests.factories import ResponseFactory, SurveyFactory

    survey = SurveyFactory(workspace=workspace_a)
    for score in (3, 9, 9):
        ResponseFactory(survey=survey, score=score)
    data = {"workspace": workspace_a.pk}
    assert all(ok for ok, _detail in soakdata.rollups_match(data).values())
    DailyScore.objects.filter(workspace=workspace_a, score=9).update(n=3)
    checked = soakdata.rollups_match(data)
    assert checked["daily scores"][0] is False
    assert "1 rows differ" in checked["daily scores"][1]
