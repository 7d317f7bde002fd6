"""The opening calendar: hours, closed days, holidays, and minutes open across DST changes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from ascolto.lib.business_calendar import (
    BusinessCalendar,
    ClosedPeriod,
    parse_closed_days,
    parse_day_hours,
)

ROME = ZoneInfo("Europe/Rome")


def rome(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME)


def calendar(hours: list[str], closed: str = "", public_holidays: bool = True) -> BusinessCalendar:
    return BusinessCalendar.from_settings(
        opening_hours=hours, closed_days=closed, public_holidays=public_holidays
    )


ALWAYS = ["0-24"] * 7


def test_day_hours_are_read_as_people_write_them():
    assert parse_day_hours("9-13, 14:30-18") == ((540, 780), (870, 1080))
    assert parse_day_hours("8.30-12.30") == ((510, 750),)
    assert parse_day_hours(" 0-24 ") == ((0, 1440),)
    assert parse_day_hours("") == () == parse_day_hours("chiuso") == parse_day_hours("Closed")


@pytest.mark.parametrize("bad", ["9", "9-25", "18-9", "9:75-10", "9-13, 12-15", "mattina"])
def test_bad_hours_are_refused_with_a_reason(bad):
    with pytest.raises(ValidationError):
        parse_day_hours(bad)


def test_closed_days_one_a_line_with_or_without_the_year():
    periods = parse_closed_days(
        "08/12/2026\n\n24/12/2026 - 06/01/2027 Natale\n10/08 - 23/08 ferie d'agosto\n"
    )
    assert periods == [
        ClosedPeriod(date(2026, 12, 8), date(2026, 12, 8)),
        ClosedPeriod(date(2026, 12, 24), date(2027, 1, 6), label="Natale"),
        ClosedPeriod(date(2000, 8, 10), date(2000, 8, 23), yearly=True, label="ferie d'agosto"),
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [("31/02/2026", 1), ("ok\n", 1), ("01/01/2026\n10/08/2026 - 01/08/2026", 2)],
)
def test_bad_closed_days_name_the_line(text, line):
    with pytest.raises(ValidationError, match=f"{line}"):
        parse_closed_days(text)


def test_a_year_on_one_side_only_is_refused():
    with pytest.raises(ValidationError):
        parse_closed_days("10/08/2026 - 23/08")


def test_the_august_closure_repeats_every_year_and_a_winter_one_wraps():
    cal = calendar(["9-18"] * 7, "10/08 - 23/08\n27/12 - 03/01")
    assert cal.is_closed_day(date(2026, 8, 10)) and cal.is_closed_day(date(2031, 8, 23))
    assert not cal.is_closed_day(date(2026, 8, 24))
    assert cal.is_closed_day(date(2026, 12, 31)) and cal.is_closed_day(date(2027, 1, 2))
    assert not cal.is_closed_day(date(2027, 1, 4))


def test_public_holidays_close_unless_the_business_works_on_them():
    assert calendar(ALWAYS).is_closed_day(date(2026, 4, 6))  # Easter Monday
    assert not calendar(ALWAYS, public_holidays=False).is_closed_day(date(2026, 4, 6))


def test_default_calendar_is_monday_to_friday_nine_to_six():
    cal = BusinessCalendar()
    # Friday 17:00 → Monday 10:00: one hour on Friday, one on Monday
    assert cal.open_minutes_between(rome(2026, 3, 6, 17), rome(2026, 3, 9, 10), ROME) == 120


def test_lunch_break_and_saturday_morning():
    hours = ["9-13, 14-18"] * 5 + ["9-12", ""]
    cal = calendar(hours)
    # Friday 12:00 → Monday 9:30: Fri 12-13 and 14-18 (5 h), Sat 9-12 (3 h), Mon 9-9:30
    minutes = cal.open_minutes_between(rome(2026, 3, 6, 12), rome(2026, 3, 9, 9, 30), ROME)
    assert minutes == 5 * 60 + 3 * 60 + 30


def test_closed_days_are_skipped():
    cal = calendar(["9-18"] * 5 + ["", ""], "10/03/2026")
    # Monday 17:00 → Wednesday 10:00, Tuesday closed: 1 h + 1 h
    assert cal.open_minutes_between(rome(2026, 3, 9, 17), rome(2026, 3, 11, 10), ROME) == 120


def test_a_day_of_spring_change_has_23_hours():
    """Europe/Rome, 29 March 2026: the clocks go from 2:00 to 3:00."""
    cal = calendar(ALWAYS, public_holidays=False)
    day = cal.open_minutes_between(rome(2026, 3, 29, 0), rome(2026, 3, 30, 0), ROME)
    assert day == 23 * 60
    night = calendar(["1-4"] * 7, public_holidays=False)
    assert night.open_minutes_between(rome(2026, 3, 29, 0), rome(2026, 3, 30, 0), ROME) == 120


def test_a_day_of_autumn_change_has_25_hours():
    """Europe/Rome, 25 October 2026: the clocks go from 3:00 back to 2:00."""
    cal = calendar(ALWAYS, public_holidays=False)
    day = cal.open_minutes_between(rome(2026, 10, 25, 0), rome(2026, 10, 26, 0), ROME)
    assert day == 25 * 60


def test_office_hours_are_the_same_length_either_side_of_a_change():
    cal = calendar(["9-18"] * 7, public_holidays=False)
    before = cal.open_minutes_between(rome(2026, 3, 28, 0), rome(2026, 3, 29, 0), ROME)
    on = cal.open_minutes_between(rome(2026, 3, 29, 0), rome(2026, 3, 30, 0), ROME)
    assert before == on == 9 * 60


def test_days_are_read_in_the_business_zone():
    cal = BusinessCalendar()
    # 8:00 New York is 14:00 in Rome: Monday 14:00 → 18:00 in Rome counts 4 h
    start = datetime(2026, 3, 2, 8, tzinfo=ZoneInfo("America/New_York"))
    end = rome(2026, 3, 2, 20)
    assert cal.open_minutes_between(start, end, ROME) == 4 * 60


def test_nothing_when_the_end_is_not_after_the_start():
    cal = BusinessCalendar()
    moment = rome(2026, 3, 2, 10)
    assert cal.open_minutes_between(moment, moment, ROME) == 0
    assert cal.open_minutes_between(moment, rome(2026, 3, 2, 9), ROME) == 0
