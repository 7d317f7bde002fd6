"""Promises and checks in words, in the active language: "within 24 h (business hours)",
"arrived after 31 h 20 min", "45 min late"."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ascolto.promises.models import Comparison, TargetType

COMPARISON_SIGNS = {Comparison.AT_MOST: "≤", Comparison.AT_LEAST: "≥", Comparison.EQUAL: "="}


def _number(value: float | Decimal) -> str:
    value = float(value)
    if value == int(value):
        return number_format(int(value))
    return number_format(round(value, 2), decimal_pos=None)


def minutes_text(minutes: float | Decimal) -> str:
    """47 → "47 min"; 1880 → "31 h 20 min"; 2880 → "2 d" (days only when whole)."""
    minutes = float(minutes)
    sign = "−" if minutes < 0 else ""
    minutes = abs(round(minutes))
    if minutes < 60:
        return f"{sign}{minutes} min"
    hours, rest = divmod(minutes, 60)
    if rest == 0 and hours % 24 == 0 and hours >= 48:
        return sign + _("%(days)s d") % {"days": hours // 24}
    if rest == 0:
        return f"{sign}{hours} h"
    return f"{sign}{hours} h {rest} min"


def target_text(promise) -> str:
    """The measurable target of a promise (or of a customer's need: same fields)."""
    kind = promise.target_type
    if kind == TargetType.DURATION and promise.limit is not None:
        text = _("within %(time)s") % {"time": minutes_text(promise.limit)}
        if getattr(promise, "business_hours", False):
            text += " " + _("(business hours)")
        return text
    if kind == TargetType.PUNCTUALITY and promise.limit is not None:
        return _("on time ± %(time)s") % {"time": minutes_text(promise.limit)}
    if kind == TargetType.THRESHOLD and promise.limit is not None:
        limit = {"limit": _number(promise.limit)}
        if promise.comparison == Comparison.AT_LEAST:
            return _("a measured value of at least %(limit)s") % limit
        if promise.comparison == Comparison.EQUAL:
            return _("a measured value of exactly %(limit)s") % limit
        return _("a measured value of at most %(limit)s") % limit
    if kind == TargetType.FLAG:
        return _("kept, as staff record it")
    return "—"


def measured_text(promise, measured: float | None) -> str:
    """What a check measured, in words."""
    if measured is None:
        return _("not measured")
    kind = promise.target_type
    if kind == TargetType.DURATION:
        return _("took %(time)s") % {"time": minutes_text(measured)}
    if kind == TargetType.PUNCTUALITY:
        if measured > 0:
            return _("%(time)s late") % {"time": minutes_text(measured)}
        if measured < 0:
            return _("%(time)s early") % {"time": minutes_text(-measured)}
        return _("exactly on time")
    if kind == TargetType.THRESHOLD:
        return _("measured value: %(value)s") % {"value": _number(measured)}
    if kind == TargetType.FLAG:
        return _("kept") if measured else _("not kept")
    return _number(measured)


def miss_text(promise, measured: float | None) -> str:
    """By how much a broken check missed its target: "23 h 20 min too late", "2 over the
    limit". Empty when nothing was measured or the target was met."""
    if measured is None or promise.limit is None:
        return ""
    limit = float(promise.limit)
    kind = promise.target_type
    if kind == TargetType.DURATION and measured > limit:
        return _("%(time)s over the promised time") % {"time": minutes_text(measured - limit)}
    if kind == TargetType.PUNCTUALITY and abs(measured) > limit:
        return _("%(time)s outside the window") % {"time": minutes_text(abs(measured) - limit)}
    if kind == TargetType.THRESHOLD and measured != limit:
        if promise.comparison == Comparison.AT_MOST and measured > limit:
            return _("%(amount)s over the limit") % {"amount": _number(measured - limit)}
        if promise.comparison == Comparison.AT_LEAST and measured < limit:
            return _("%(amount)s under the limit") % {"amount": _number(limit - measured)}
        if promise.comparison == Comparison.EQUAL:
            return _("off by %(amount)s") % {"amount": _number(abs(measured - limit))}
    return ""
