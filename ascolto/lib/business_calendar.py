"""A business's opening calendar: weekly hours, closed days and public holidays, and the
minutes it is open between two moments.

Pure functions and frozen data, no database: the workspace stores what its owner typed
(`opening_hours`, seven lines such as "9-13, 14-18"; `closed_days`, one date or range per line;
`public_holidays`) and `BusinessCalendar.from_settings` reads it. Promises "in business hours"
count with `open_minutes_between`.

Every instant is placed in the business's time zone for its own day, and differences are taken
in UTC: a day with a daylight-saving change has 23 or 25 hours, and an opening interval across
the change lasts what the clock on the wall says minus or plus that hour, never what naive
wall-clock arithmetic would say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MINUTES_PER_DAY = 24 * 60
# A span longer than this is not counted day by day (see `open_minutes_between`).
MAX_SPAN_DAYS = 3660

# Monday to Friday, 9:00–18:00: what promises in business hours counted before a workspace
# had its own hours, and the default of a new one.
DEFAULT_OPENING_HOURS = ["9-18", "9-18", "9-18", "9-18", "9-18", "", ""]

Interval = tuple[int, int]  # minutes from midnight, start < end ≤ 1440


@dataclass(frozen=True)
class ClosedPeriod:
    """Days closed from `start` to `end` inclusive. A yearly period (written without a year,
    "10/08 - 23/08") repeats every year; its dates carry the year 2000 (a leap year, so 29/02
    is allowed) and only month and day count. A yearly period may wrap the new year."""

    start: date
    end: date
    yearly: bool = False
    label: str = ""

    def covers(self, day: date) -> bool:
        if not self.yearly:
            return self.start <= day <= self.end
        key = (day.month, day.day)
        first, last = (self.start.month, self.start.day), (self.end.month, self.end.day)
        if first <= last:
            return first <= key <= last
        return key >= first or key <= last


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


@dataclass(frozen=True)
class BusinessCalendar:
    """When a business is open: per weekday (Monday first) its opening intervals, the closed
    periods, and the country whose public holidays close it (None: open on them)."""

    weekly: tuple[tuple[Interval, ...], ...] = field(
        default_factory=lambda: tuple(parse_day_hours(line) for line in DEFAULT_OPENING_HOURS)
    )
    closed: tuple[ClosedPeriod, ...] = ()
    public_holidays: str | None = "IT"

    @classmethod
    def from_settings(
        cls, *, opening_hours: Iterable[str], closed_days: str, public_holidays: bool
    ) -> BusinessCalendar:
        """The calendar of what a workspace stores (checked when it was saved)."""
        lines = list(opening_hours) or DEFAULT_OPENING_HOURS
        return cls(
            weekly=tuple(parse_day_hours(line) for line in lines),
            closed=tuple(parse_closed_days(closed_days)),
            public_holidays="IT" if public_holidays else None,
        )

    def is_closed_day(self, day: date) -> bool:
        """Closed all day: a closed period or a public holiday (whatever the weekly hours)."""
        if self.public_holidays and day in _public_holidays(self.public_holidays, day.year):
            return True
        return any(period.covers(day) for period in self.closed)

    def intervals(self, day: date) -> tuple[Interval, ...]:
        if self.is_closed_day(day):
            return ()
        return self.weekly[day.weekday()]

    def is_open_day(self, day: date) -> bool:
        return bool(self.intervals(day))

    def open_spans(self, day: date, tz: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
        """The day's opening intervals as aware datetimes in UTC."""
        for start, end in self.intervals(day):
            yield _at(day, start, tz), _at(day, end, tz)

    def open_minutes_between(self, start: datetime, end: datetime, tz: ZoneInfo) -> float:
        """Minutes between two aware datetimes during which the business is open, its days
        and hours read in the time zone `tz`. 0 when `end` is not after `start`."""
        if end <= start:
            return 0.0
        start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
        day = start.astimezone(tz).date()
        last = end.astimezone(tz).date()
        if (last - day).days > MAX_SPAN_DAYS:
            raise ValueError("span too long to count in business hours")
        total = 0.0
        while day <= last:
            for open_at, close_at in self.open_spans(day, tz):
                lo, hi = max(open_at, start_utc), min(close_at, end_utc)
                if hi > lo:
                    total += (hi - lo).total_seconds() / 60
            day += timedelta(days=1)
        return total


def _at(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The instant, in UTC, at which the wall clock in `tz` shows `minute` on `day` (24:00 is
    the next midnight). In the hour a spring change skips, the earlier offset is used."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), 0
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    return local.astimezone(UTC)


# --- what the owner types ---------------------------------------------------------------------

_TIME = r"(\d{1,2})(?:[:.](\d{2}))?"
_INTERVAL = re.compile(rf"^\s*{_TIME}\s*[-–]\s*{_TIME}\s*$")


def _minute(hour: str, minute: str | None) -> int:
    h, m = int(hour), int(minute or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        raise ValueError
    return h * 60 + m


def parse_day_hours(text: str) -> tuple[Interval, ...]:
    """One day's hours: "9-13, 14:30-18", "8.30-12.30", "" or "chiuso"/"closed" for none.
    Intervals must not overlap; each ends after it starts (24 closes at midnight)."""
    text = (text or "").strip()
    if not text or text.lower() in ("chiuso", "closed", "-"):
        return ()
    intervals: list[Interval] = []
    for part in re.split(r"[,;]", text):
        match = _INTERVAL.match(part)
        try:
            if not match:
                raise ValueError
            start = _minute(match.group(1), match.group(2))
            end = _minute(match.group(3), match.group(4))
        except ValueError:
            raise ValidationError(
                _('"%(part)s" is not an opening time: write it like 9-13 or 14:30-18.'),
                params={"part": part.strip()},
            ) from None
        if end <= start:
            raise ValidationError(
                _('"%(part)s" closes before it opens.'), params={"part": part.strip()}
            )
        intervals.append((start, end))
    intervals.sort()
    for (_s1, end1), (start2, _e2) in zip(intervals, intervals[1:], strict=False):
        if start2 < end1:
            raise ValidationError(_("The opening times of one day overlap."))
    return tuple(intervals)


_DAY = r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?"
_CLOSED = re.compile(rf"^\s*{_DAY}(?:\s*[-–]\s*{_DAY})?\s*(.*)$")


def _date(day: str, month: str, year: str | None) -> date:
    return date(int(year) if year else 2000, int(month), int(day))


def parse_closed_days(text: str) -> list[ClosedPeriod]:
    """One closed day or period per line, day first, with a label after it if wanted:
    "08/12/2026", "24/12/2026 - 06/01/2027 Natale", "10/08 - 23/08 ferie d'agosto" (no year:
    every year). Blank lines are skipped; a bad line is refused with its number."""
    periods: list[ClosedPeriod] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _CLOSED.match(line)
        try:
            if not match:
                raise ValueError
            d1, m1, y1, d2, m2, y2, label = match.groups()
            start = _date(d1, m1, y1)
            end = _date(d2, m2, y2) if d2 else start
        except ValueError:
            raise ValidationError(
                _("Line %(number)s: write a day as 15/08/2026, or a period as 10/08 - 23/08."),
                params={"number": number},
            ) from None
        if bool(y1) != bool(y2 if d2 else y1):
            raise ValidationError(
                _("Line %(number)s: give the year on both days, or on neither (every year)."),
                params={"number": number},
            )
        yearly = not y1
        if not yearly and end < start:
            raise ValidationError(
                _("Line %(number)s: the period ends before it starts."), params={"number": number}
            )
        periods.append(ClosedPeriod(start, end, yearly=yearly, label=label.strip()))
    return periods
