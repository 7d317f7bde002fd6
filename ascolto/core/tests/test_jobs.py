"""Periods of periodic jobs, including daylight-saving changes in Europe/Rome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ascolto.core.jobs import Job


@pytest.fixture(autouse=True)
def rome(settings):
    settings.TIME_ZONE = "Europe/Rome"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_every_is_aligned_slots():
    job = Job("j", "x.y", every=timedelta(minutes=15))
    assert job.latest_period(utc(2026, 3, 1, 10, 14, 59)) == (
        "2026-03-01T10:00Z",
        utc(2026, 3, 1, 10, 0),
    )
    assert job.latest_period(utc(2026, 3, 1, 10, 15))[0] == "2026-03-01T10:15Z"


def test_daily_uses_local_time_across_dst():
    job = Job("j", "x.y", daily="03:00")
    # Winter: 03:00 in Rome is 02:00 UTC.
    assert job.latest_period(utc(2026, 3, 27, 1, 59)) == ("2026-03-26", utc(2026, 3, 26, 2, 0))
    assert job.latest_period(utc(2026, 3, 27, 2, 0)) == ("2026-03-27", utc(2026, 3, 27, 2, 0))
    # Summer (after 29 March 2026): 03:00 in Rome is 01:00 UTC.
    assert job.latest_period(utc(2026, 3, 30, 1, 0)) == ("2026-03-30", utc(2026, 3, 30, 1, 0))
    # The night of the change has exactly one period.
    keys = {
        job.latest_period(utc(2026, 3, 29, 0, 0) + timedelta(minutes=m))[0]
        for m in range(0, 24 * 60, 10)
    }
    assert keys == {"2026-03-28", "2026-03-29"}


def test_monthly_day_past_month_end_means_last_day():
    job = Job("j", "x.y", monthly=(31, "06:30"))
    assert job.latest_period(utc(2026, 2, 28, 5, 29)) == ("2026-01", utc(2026, 1, 31, 5, 30))
    assert job.latest_period(utc(2026, 2, 28, 5, 30)) == ("2026-02", utc(2026, 2, 28, 5, 30))
    assert job.latest_period(utc(2026, 1, 15, 0, 0))[0] == "2025-12"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"every": timedelta(seconds=30)},
        {"daily": "25:00"},
        {"monthly": (0, "01:00")},
        {"every": timedelta(hours=1), "daily": "01:00"},
    ],
)
def test_bad_definitions_are_refused(kwargs):
    with pytest.raises(ValueError):
        Job("j", "x.y", **kwargs)
