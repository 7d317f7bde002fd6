"""Working days and hours for the demo timeline: Monday to Friday, 8:00-18:00, Italian national
holidays skipped (fixed dates plus Easter Monday)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# (month, day) of the Italian national holidays with a fixed date.
FIXED_HOLIDAYS = {
    (1, 1),  # Capodanno
    (1, 6),  # Epifania
    (4, 25),  # Festa della Liberazione
    (5, 1),  # Festa del Lavoro
    (6, 2),  # Festa della Repubblica
    (8, 15),  # Ferragosto
    (11, 1),  # Ognissanti
    (12, 8),  # Immacolata
    (12, 25),  # Natale
    (12, 26),  # Santo Stefano
}

OPENING_HOUR = 8
CLOSING_HOUR = 18


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm from Nature, 1876)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def _easter_monday(year: int) -> date:
    return easter_sunday(year) + timedelta(days=1)


@lru_cache(maxsize=8192)
def is_business_day(day: date) -> bool:
    return (
        day.weekday() < 5
        and (day.month, day.day) not in FIXED_HOLIDAYS
        and day != _easter_monday(day.year)
    )


@lru_cache(maxsize=8192)
def next_business_day(day: date) -> date:
    """`day` itself when it is a working day, else the next one."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(day: date, days: int) -> date:
    day = next_business_day(day)
    for _ in range(days):
        day = next_business_day(day + timedelta(days=1))
    return day


def at(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def business_moment(rng: random.Random, day: date, tz: ZoneInfo) -> datetime:
    """A random time in working hours on `day` (moved to the next working day if needed)."""
    day = next_business_day(day)
    return at(day, rng.randint(OPENING_HOUR, CLOSING_HOUR - 1), rng.randrange(0, 60, 5), tz)


def next_business_time(moment: datetime) -> datetime:
    """`moment` if it falls in working hours, else the next opening time."""
    day = moment.date()
    if is_business_day(day) and OPENING_HOUR <= moment.hour < CLOSING_HOUR:
        return moment
    if is_business_day(day) and moment.hour < OPENING_HOUR:
        return at(day, OPENING_HOUR, 0, moment.tzinfo)  # type: ignore[arg-type]
    return at(next_business_day(day + timedelta(days=1)), OPENING_HOUR, 0, moment.tzinfo)  # type: ignore[arg-type]
