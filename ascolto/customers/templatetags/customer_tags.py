"""Template helpers for customer pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}


@register.filter
def money(value: object, currency: str = "EUR") -> str:
    """`1200` with `"EUR"` → "€ 1.200,00" in Italian, "€ 1,200.00" in English: the number in
    the active language's format, with the currency's symbol (or its code)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ""
    code = (currency or "").upper()
    return gettext("%(symbol)s %(amount)s") % {
        "symbol": CURRENCY_SYMBOLS.get(code, code),
        "amount": number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True),
    }
