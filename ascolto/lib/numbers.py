"""Numbers for people: the `num` and `signed` template filters, shared by every app's pages
(`{% load numbers %}`; registered in settings' TEMPLATES `libraries`)."""

from __future__ import annotations

import re

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value, digits: int = 1) -> str:
    """A localised number with `digits` decimals, or a dash for no value."""
    if value is None or value == "":
        return "–"
    return number_format(round(float(value), int(digits)), int(digits), force_grouping=True)


@register.filter
def signed(value, digits: int = 1) -> str:
    """A localised number with its sign (+3,2 / −1,0), or a dash."""
    if value is None:
        return "–"
    text = num(abs(value), digits)
    if round(float(value), int(digits)) == 0:
        return text
    return ("+" if value > 0 else "−") + text


_ITALIAN_MONTHS = re.compile(
    r"\b(Gennaio|Febbraio|Marzo|Aprile|Maggio|Giugno|Luglio|Agosto|Settembre|Ottobre|"
    r"Novembre|Dicembre)\b"
)


@register.filter
def date_in_sentence(value) -> str:
    """A date inside a sentence: "5 gennaio 2026" in Italian (Django's Italian format writes
    "05 Gennaio 2026"), "Jan. 5, 2026" in English."""
    from django.utils.formats import date_format
    from django.utils.translation import get_language

    if not value:
        return ""
    if (get_language() or "").startswith("it"):
        text = date_format(value, "j F Y")
        return _ITALIAN_MONTHS.sub(lambda m: m.group(1).lower(), text)
    return date_format(value, "DATE_FORMAT")


@register.filter
def month_in_sentence(value) -> str:
    """A month and year inside a sentence: "gennaio 2026" in Italian, where month names are
    not capitalised (Django's Italian "F" gives "Gennaio"), "January 2026" in English."""
    from django.utils.formats import date_format
    from django.utils.translation import get_language

    if not value:
        return ""
    text = date_format(value, "F Y")
    if (get_language() or "").startswith("it"):
        return text[:1].lower() + text[1:]
    return text
