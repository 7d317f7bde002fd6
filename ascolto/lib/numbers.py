"""Numbers for people: the `num` and `signed` template filters, shared by every app's pages
(`{% load numbers %}`; registered in settings' TEMPLATES `libraries`)."""

from __future__ import annotations

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
