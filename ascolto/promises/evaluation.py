"""Whether one interaction kept one promise: pure functions, no database.

`evaluate()` returns the outcome, the measured value (minutes for durations, signed minutes
late for punctuality, the value itself for thresholds) and a short reason. A missing or
inconsistent timestamp is "not measurable", never "kept".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from ascolto.lib.business_calendar import BusinessCalendar

KEPT = "kept"
BROKEN = "broken"
NOT_MEASURABLE = "not_measurable"

# Before a workspace sets its own hours: Monday to Friday, 9:00–18:00, Italian holidays closed.
DEFAULT_CALENDAR = BusinessCalendar()
# A span longer than this is not a delay to measure but a data error.
MAX_SPAN_DAYS = 3660


# Why a check is not measurable: stored as a code, shown in the reader's language.
REASONS = {
    "waiting_staff": _("Waiting for staff to record it."),
    "no_limit": _("The promise has no limit."),
    "missing_time": _("A time is missing."),
    "out_of_order": _("The times are out of order."),
    "not_recorded": _("The value was not recorded."),
    "unknown_target": _("Unknown kind of target."),
}


@dataclass(frozen=True)
class Outcome:
    outcome: str
    measured: float | None
    reason: str


def is_business_day(day: date) -> bool:
    """Monday to Friday and not an Italian public holiday (the default calendar)."""
    return DEFAULT_CALENDAR.is_open_day(day)


def business_minutes_between(
    start: datetime, end: datetime, tz: ZoneInfo, calendar: BusinessCalendar | None = None
) -> float:
    """Minutes between two aware datetimes during which the business is open, in the time
    zone `tz`: its own calendar (`Workspace.calendar`), else Monday–Friday 9:00–18:00 with
    Italian public holidays closed."""
    return (calendar or DEFAULT_CALENDAR).open_minutes_between(start, end, tz)


def _compare(value: float, comparison: str, limit: float) -> bool:
    if comparison == "at_most":
        return value <= limit
    if comparison == "at_least":
        return value >= limit
    return math.isclose(value, limit, rel_tol=1e-9, abs_tol=1e-9)


# The times a duration or punctuality promise reads when it names none.
DEFAULT_MOMENTS = {
    "duration": ("requested_at", "started_at"),
    "punctuality": ("scheduled_for", "started_at"),
}


def moments_read(promise) -> tuple[str, ...]:
    """The interaction's time fields `promise` reads (none for flags and thresholds)."""
    defaults = DEFAULT_MOMENTS.get(promise.target_type)
    if defaults is None:
        return ()
    return (promise.start_moment or defaults[0], promise.end_moment or defaults[1])


def missing_moments(promise, interaction) -> list[str]:
    """The time fields `promise` reads that `interaction` leaves empty."""
    return [name for name in moments_read(promise) if getattr(interaction, name, None) is None]


def _moments(promise, interaction, default_start: str, default_end: str):
    start_name = promise.start_moment or default_start
    end_name = promise.end_moment or default_end
    return _utc(getattr(interaction, start_name, None)), _utc(getattr(interaction, end_name, None))


def _utc(moment: datetime | None) -> datetime | None:
    """In UTC, so a difference is real elapsed time: two datetimes in the same zone subtract
    as wall-clock times, and a span across a DST change would be an hour off."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC)


def evaluate(
    promise, interaction, tz: ZoneInfo, calendar: BusinessCalendar | None = None
) -> Outcome:
    """Check `interaction` against `promise` (both model instances, or anything with the same
    attributes). A promise in business hours counts the open minutes of `calendar` (the
    workspace's; the default calendar when None)."""
    kind = promise.target_type
    limit = float(promise.limit) if isinstance(promise.limit, Decimal | int | float) else None
    if kind == "flag":
        return Outcome(NOT_MEASURABLE, None, "waiting_staff")
    if kind in ("duration", "punctuality") and limit is None:
        return Outcome(NOT_MEASURABLE, None, "no_limit")

    if kind == "duration":
        start, end = _moments(promise, interaction, "requested_at", "started_at")
        if start is None or end is None:
            return Outcome(NOT_MEASURABLE, None, "missing_time")
        if end < start or (end - start).days > MAX_SPAN_DAYS:
            return Outcome(NOT_MEASURABLE, None, "out_of_order")
        if promise.business_hours:
            minutes = business_minutes_between(start, end, tz, calendar)
        else:
            minutes = (end - start).total_seconds() / 60
        minutes = round(minutes, 2)
        return Outcome(KEPT if minutes <= limit else BROKEN, minutes, "")

    if kind == "punctuality":
        planned, actual = _moments(promise, interaction, "scheduled_for", "started_at")
        if planned is None or actual is None:
            return Outcome(NOT_MEASURABLE, None, "missing_time")
        if abs((actual - planned).days) > MAX_SPAN_DAYS:
            return Outcome(NOT_MEASURABLE, None, "out_of_order")
        late = round((actual - planned).total_seconds() / 60, 2)
        return Outcome(KEPT if abs(late) <= limit else BROKEN, late, "")

    if kind == "threshold":
        measures = interaction.measures if isinstance(interaction.measures, dict) else {}
        value = measures.get(promise.measure)
        if (
            limit is None
            or not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            return Outcome(NOT_MEASURABLE, None, "not_recorded")
        kept = _compare(float(value), promise.comparison, limit)
        return Outcome(KEPT if kept else BROKEN, float(value), "")

    return Outcome(NOT_MEASURABLE, None, "unknown_target")
