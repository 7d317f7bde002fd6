"""The cases app's panels on the customer page (`ascolto/customers/panels.py`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ascolto.cases import selectors
from ascolto.customers.models import Customer
from ascolto.customers.panels import CustomerPanel


def open_cases_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The customer's open cases, soonest deadline first; none: no panel."""
    cases = list(selectors.case_list_open(workspace=request.workspace, customer=customer)[:20])  # type: ignore[attr-defined]
    if not cases:
        return None
    return {"open_cases": cases}


PANELS = [
    CustomerPanel(
        name="cases-open",
        slot="top",
        order=5,
        template="cases/_customer_cases.html",
        context=open_cases_context,
    ),
    CustomerPanel(
        name="cases-add",
        slot="actions",
        order=30,
        template="cases/_customer_add_case.html",
    ),
]
