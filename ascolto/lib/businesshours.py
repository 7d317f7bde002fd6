"""Business hours: Monday to Friday, 9:00–18:00 in a time zone, Italian public holidays off.

One calendar for every clock that counts working time: a promise kept "within 8 business
hours" and a complaint's deadline to be answered. `business_minutes_between` measures a span;
`business_deadline` finds the moment a number of business minutes after a start.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BUSINESS_START = time(9, 0)
BUSINESS_END = time(18, 0)
# A deadline further than this many days away is not a deadline but a data error.
MAX_DEADLINE_DAYS = 3660


@lru_cache(maxsize=64)
def _italian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("IT", years=year).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _italian_holidays(day.year)


def _open_close(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, BUSINESS_START, tzinfo=tz),
        datetime.combine(day, BUSINESS_END, tzinfo=tz),
    )


def business_minutes_between(start: datetime, end: datetime, tz: ZoneInfo) -> float:
    """Minutes between two aware datetimes that fall on a working day (Monday–Friday, not an
    Italian public holiday) between 9:00 and 18:00 in the time zone `tz`."""
    if end <= start:
        return 0.0
    start_local, end_local = start.astimezone(tz), end.astimezone(tz)
    total = 0.0
    day = start_local.date()
    last = end_local.date()
    while day <= last:
        if is_business_day(day):
            open_at, close_at = _open_close(day, tz)
            lo = max(open_at, start_local)
            hi = min(close_at, end_local)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


def business_deadline(start: datetime, minutes: float, tz: ZoneInfo) -> datetime:
    """The moment `minutes` business minutes after `start` (aware), in `tz`'s calendar.

    A start outside business hours counts from the next opening; a deadline that falls exactly
    on a closing time stays there (not the next morning). Zero minutes from a closed moment is
    the next opening: the clock has not started yet."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    left = timedelta(minutes=minutes)
    moment = start.astimezone(tz)
    day = moment.date()
    for _ in range(MAX_DEADLINE_DAYS):
        if is_business_day(day):
            open_at, close_at = _open_close(day, tz)
            lo = max(open_at, moment)
            if lo < close_at:
                if lo + left <= close_at:
                    return lo + left
                left -= close_at - lo
        day += timedelta(days=1)
    raise ValueError("deadline too far away")
