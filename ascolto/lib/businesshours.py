"""Business deadlines and spans on a business's calendar (`lib/business_calendar.py`).

One calendar for every clock that counts working time: a promise kept "within 8 business hours"
and a complaint's deadline to be answered. `business_minutes_between` measures a span;
`business_deadline` finds the moment a number of business minutes after a start. Without a
calendar, the default one: Monday to Friday, 9:00–18:00, Italian public holidays closed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ascolto.lib.business_calendar import BusinessCalendar

DEFAULT_CALENDAR = BusinessCalendar()
# A deadline further than this many days away is not a deadline but a data error.
MAX_DEADLINE_DAYS = 3660


def business_minutes_between(
    start: datetime, end: datetime, tz: ZoneInfo, calendar: BusinessCalendar | None = None
) -> float:
    """Minutes between two aware datetimes during which the business is open, in `tz`."""
    return (calendar or DEFAULT_CALENDAR).open_minutes_between(start, end, tz)


def business_deadline(
    start: datetime, minutes: float, tz: ZoneInfo, calendar: BusinessCalendar | None = None
) -> datetime:
    """The moment `minutes` business minutes after `start` (aware), on the calendar in `tz`.

    A start outside business hours counts from the next opening; a deadline that falls exactly
    on a closing time stays there (not the next morning). Zero minutes from a closed moment is
    the next opening: the clock has not started yet."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    calendar = calendar or DEFAULT_CALENDAR
    left = timedelta(minutes=minutes)
    moment = start.astimezone(UTC)
    day = start.astimezone(tz).date()
    for _ in range(MAX_DEADLINE_DAYS):
        for open_at, close_at in calendar.open_spans(day, tz):
            lo = max(open_at, moment)
            if lo < close_at:
                if lo + left <= close_at:
                    return (lo + left).astimezone(tz)
                left -= close_at - lo
        day += timedelta(days=1)
    raise ValueError("deadline too far away")
