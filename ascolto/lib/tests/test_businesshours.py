"""Business deadlines: nights, weekends and Italian public holidays are not counted, in the
workspace's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ascolto.lib.businesshours import business_deadline, business_minutes_between

ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")


def rome(*args):
    return datetime(*args, tzinfo=ROME)


def test_within_the_day():
    assert business_deadline(rome(2026, 3, 4, 10, 0), 120, ROME) == rome(2026, 3, 4, 12, 0)


def test_across_a_night():
    # Wednesday 17:00 + 2 h: one hour today, one tomorrow from 9:00.
    assert business_deadline(rome(2026, 3, 4, 17, 0), 120, ROME) == rome(2026, 3, 5, 10, 0)


def test_across_a_weekend():
    # Friday 17:30 + 1 h: half an hour on Friday, half on Monday.
    assert business_deadline(rome(2026, 3, 6, 17, 30), 60, ROME) == rome(2026, 3, 9, 9, 30)


def test_easter_monday_is_skipped():
    # Good Friday is a working day in Italy; Easter Monday 6 April 2026 is not.
    assert business_deadline(rome(2026, 4, 3, 17, 0), 120, ROME) == rome(2026, 4, 7, 10, 0)


def test_the_8th_of_december_is_skipped():
    # Monday 7 December 2026 17:00 + 2 h: Tuesday the 8th is the Immacolata.
    assert business_deadline(rome(2026, 12, 7, 17, 0), 120, ROME) == rome(2026, 12, 9, 10, 0)


def test_a_start_at_night_waits_for_the_opening():
    assert business_deadline(rome(2026, 3, 4, 22, 0), 30, ROME) == rome(2026, 3, 5, 9, 30)
    assert business_deadline(rome(2026, 3, 7, 11, 0), 0, ROME) == rome(2026, 3, 9, 9, 0)


def test_a_deadline_on_the_closing_time_stays_there():
    assert business_deadline(rome(2026, 3, 4, 9, 0), 9 * 60, ROME) == rome(2026, 3, 4, 18, 0)


def test_another_time_zone_counts_its_own_hours():
    start = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)  # 15:00 in Rome, 9:00 in New York
    assert business_deadline(start, 240, ROME) == rome(2026, 3, 5, 10, 0)
    assert business_deadline(start, 240, NEW_YORK) == datetime(2026, 3, 4, 13, 0, tzinfo=NEW_YORK)


def test_deadline_and_span_agree():
    start = rome(2026, 4, 2, 16, 20)
    for minutes in (1, 100, 540, 541, 2000):
        due = business_deadline(start, minutes, ROME)
        assert business_minutes_between(start, due, ROME) == pytest.approx(minutes)


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        business_deadline(rome(2026, 3, 4, 10, 0), -1, ROME)


def test_a_workspace_calendar_with_its_own_hours_and_closure():
    from ascolto.lib.business_calendar import BusinessCalendar, parse_closed_days

    # Open 8–12 on weekdays, closed 10–23 August every year.
    calendar = BusinessCalendar(
        weekly=tuple(() if i >= 5 else ((8 * 60, 12 * 60),) for i in range(7)),
        closed=tuple(parse_closed_days("10/08 - 23/08")),
    )
    # Friday 7 August 2026 11:00 + 2 h: one hour on Friday, then the closure, then 24 Aug 9:00.
    assert business_deadline(rome(2026, 8, 7, 11, 0), 120, ROME, calendar) == rome(
        2026, 8, 24, 9, 0
    )
    start = rome(2026, 8, 7, 11, 0)
    due = business_deadline(start, 120, ROME, calendar)
    assert business_minutes_between(start, due, ROME, calendar) == pytest.approx(120)
