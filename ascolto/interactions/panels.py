"""The interactions app's panels on the customer page (`ascolto/customers/panels.py`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ascolto.customers.models import Customer
from ascolto.customers.panels import CustomerPanel
from ascolto.interactions.forms import StaffSignalForm
from ascolto.interactions.selectors import timeline_for_customer


def signal_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {"signal_form": StaffSignalForm()}


def timeline_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any]:
    entries, next_cursor = timeline_for_customer(workspace=request.workspace, customer=customer)
    return {"entries": entries, "next_cursor": next_cursor}


PANELS = [
    CustomerPanel(
        name="interactions-add",
        slot="actions",
        order=10,
        template="interactions/_customer_add_interaction.html",
    ),
    CustomerPanel(
        name="interactions-signal",
        slot="main",
        order=10,
        template="interactions/_customer_signal.html",
        context=signal_context,
    ),
    CustomerPanel(
        name="interactions-timeline",
        slot="main",
        order=20,
        template="interactions/_customer_timeline.html",
        context=timeline_context,
    ),
]
