"""Periods of whole days in a workspace's calendar, and the months or quarters inside them.

Shared by every page that filters by dates (dashboards, comments, gaps, reports) and by the
commands that print the same figures. A workspace is read only for its `time_zone`, so this
module imports no app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

GRAINS = ("month", "quarter")
MAX_DAYS = 10 * 366
FIRST_YEAR = 2000
LAST_YEAR = 2100
"""Dates a filter may name: wide enough for any business's history and plans, narrow enough that
the arithmetic on them (a year back, the day after) never leaves the calendar."""
DEFAULT_ZONE = "Europe/Rome"


class HasTimeZone(Protocol):
    time_zone: str


@dataclass(frozen=True)
class Period:
    """A span of whole days in the workspace's calendar, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def year_before(self) -> Period:
        """The same dates a year earlier (29 February becomes the 28th)."""
        return Period(_a_year_before(self.start), _a_year_before(self.end))

    def compared(self, compare: str) -> Period:
        """The period this one is compared with: "year" the same dates a year earlier, unless
        the period is a year or longer (the two would overlap); otherwise the span just before."""
        if compare == COMPARE_YEAR and self.days <= 365:
            before = self.year_before()
            if before.end < self.start:
                return before
        return self.previous()

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as aware instants: midnight of the first day to midnight after the last."""
        return _midnight(self.start, tz), _midnight(self.end + timedelta(days=1), tz)


# How a period is compared: the same dates a year earlier, or the same number of days before.
COMPARE_YEAR = "year"
COMPARE_SPAN = "span"


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def workspace_zone(workspace: HasTimeZone) -> ZoneInfo:
    """The workspace's time zone (Europe/Rome when its name is not a known zone)."""
    try:
        return ZoneInfo(workspace.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def workspace_today(workspace: HasTimeZone, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(workspace_zone(workspace)).date()


def default_period(workspace: HasTimeZone, now: datetime | None = None) -> Period:
    """The last 12 months: from the first day of the month eleven months ago to today."""
    today = workspace_today(workspace, now)
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return Period(date(year, month, 1), today)


@dataclass(frozen=True)
class Bucket:
    key: str  # "2026-03" or "2026-Q1"
    label: str
    start: datetime
    end: datetime


def period_buckets(period: Period, tz: ZoneInfo, grain: str) -> list[Bucket]:
    """The months or quarters that overlap `period`, clipped to it, as exact instants."""
    if grain not in GRAINS:
        raise ValueError(grain)
    step = 1 if grain == "month" else 3
    first_month = period.start.month if grain == "month" else (period.start.month - 1) // 3 * 3 + 1
    cursor = date(period.start.year, first_month, 1)
    buckets = []
    while cursor <= period.end:
        month = cursor.month + step
        following = date(cursor.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        if grain == "month":
            key = f"{cursor:%Y-%m}"
            label = date_format(cursor, "M Y")
        else:
            quarter = (cursor.month - 1) // 3 + 1
            key = f"{cursor.year}-Q{quarter}"
            label = _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": cursor.year}
        start = max(cursor, period.start)
        end = min(following - timedelta(days=1), period.end)
        buckets.append(Bucket(key, label, *Period(start, end).bounds(tz)))
        cursor = following
    return buckets


# --- Forms ------------------------------------------------------------------------------------


def validate_period_date(value: date) -> None:
    """Refuse a date outside FIRST_YEAR..LAST_YEAR (`0001-01-01` and `9999-12-31` included)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(
            _("Choose a date between the years %(first)s and %(last)s."),
            code="year_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class PeriodForm(Protocol):
    """A form with `start`/`end` fields and the period they default to."""

    default: Period
    errors: Any

    def add_error(self, field: str | None, error: Any) -> None: ...


def period_clean(form: PeriodForm, data: dict) -> dict:
    """Complete and check the `start`/`end` fields of a period filter form: a missing end is the
    default period's end, a missing start one year before the end (or the default start).
    Dates outside FIRST_YEAR..LAST_YEAR are the field's error, whatever field type the form
    declared, so no arithmetic below can overflow."""
    for name in ("start", "end"):
        value = data.get(name)
        if name not in form.errors and value is not None:
            try:
                validate_period_date(value)
            except forms.ValidationError as error:
                form.add_error(name, error)
    if "start" in form.errors or "end" in form.errors:
        return data
    start, end = data.get("start"), data.get("end")
    start = start or (end - timedelta(days=364) if end else form.default.start)
    end = end or form.default.end
    if start > end:
        raise forms.ValidationError(_("The start date must be on or before the end date."))
    if (end - start).days > MAX_DAYS:
        raise forms.ValidationError(_("Choose a period of at most ten years."))
    if start.year < 2000:
        raise forms.ValidationError(_("Choose dates from the year 2000 on."))
    data["start"], data["end"] = start, end
    return data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PeriodDateField(forms.DateField):
    """A date filter field: the date picker, and dates outside FIRST_YEAR..LAST_YEAR refused
    with the form's message instead of overflowing later."""

    default_validators = [validate_period_date]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)
