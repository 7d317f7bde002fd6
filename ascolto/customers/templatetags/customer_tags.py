"""Template helpers for customer pages: money, and the panels of the customer page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ascolto.customers import panels

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


@register.simple_tag(takes_context=True)
def customer_panels(context: template.Context, slot: str) -> str:
    """Render the panels registered for `slot` of the customer page (`customers/panels.py`),
    each in the page's context plus its own."""
    request, customer = context["request"], context["customer"]
    rendered = []
    for panel in panels.customer_panels.in_slot(slot):
        extra: dict | None = {}
        if panel.context is not None:
            extra = panel.context(request=request, customer=customer)
            if extra is None:
                continue
        panel_template = context.template.engine.get_template(panel.template)
        with context.push(**extra):
            rendered.append(panel_template.render(context))
    return mark_safe("".join(rendered))  # noqa: S308 (rendered templates, escaped there)
