"""Business hours: Monday to Friday, 9:00–18:00 in a given time zone, Italian public holidays
excluded. Promises count their limits in them ("on site within 8 business hours"); the reply
deadlines of public reviews too. Pure functions, no database.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

BUSINESS_START = time(9, 0)
BUSINESS_END = time(18, 0)


@lru_cache(maxsize=64)
def _italian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("IT", years=year).keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _italian_holidays(day.year)


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
            open_at = datetime.combine(day, BUSINESS_START, tzinfo=tz)
            close_at = datetime.combine(day, BUSINESS_END, tzinfo=tz)
            lo = max(open_at, start_local)
            hi = min(close_at, end_local)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


def business_deadline(start: datetime, hours: float, tz: ZoneInfo) -> datetime:
    """The instant `hours` business hours after `start` (the inverse of
    `business_minutes_between`): a review arriving on Friday at 17:00 with 24 business hours to
    answer is due on Wednesday at 14:00. Zero hours from outside business hours is the next
    opening."""
    left = timedelta(hours=hours)
    local = start.astimezone(tz)
    day = local.date()
    for _ in range(3660):  # ten years of days: a bound, never reached with sane hours
        if is_business_day(day):
            open_at = datetime.combine(day, BUSINESS_START, tzinfo=tz)
            close_at = datetime.combine(day, BUSINESS_END, tzinfo=tz)
            lo = max(open_at, local)
            if lo < close_at:
                if lo + left <= close_at:
                    return lo + left
                left -= close_at - lo
        day += timedelta(days=1)
        local = datetime.combine(day, time.min, tzinfo=tz)
    raise ValueError("deadline too far away")
