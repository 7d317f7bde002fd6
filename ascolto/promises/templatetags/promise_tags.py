"""Promise panels on other apps' pages (the customer page): each loads its own data through
the promises selectors, so the host view stays unaware of promises."""

from __future__ import annotations

from django import template

from ascolto.promises import selectors

register = template.Library()


@register.inclusion_tag("promises/_crisis_panel.html", takes_context=True)
def crisis_panel(context, customer):
    request = context["request"]
    return {
        "request": request,
        "customer": customer,
        "crises": selectors.crisis_list_open_for_customer(
            workspace=request.workspace, customer=customer
        ),
    }


@register.inclusion_tag("promises/_fit_panel.html", takes_context=True)
def fit_panel(context, customer):
    request = context["request"]
    return {
        "request": request,
        "customer": customer,
        "expectations": selectors.expectation_list_for_customer(
            workspace=request.workspace, customer=customer
        ),
    }
