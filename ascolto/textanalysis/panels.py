"""The text analysis app's panels on the customer page (`ascolto/customers/panels.py`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ascolto.customers.models import Customer
from ascolto.customers.panels import CustomerPanel
from ascolto.textanalysis.selectors import customer_voice_summary


def voice_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {"voice": customer_voice_summary(workspace=request.workspace, customer=customer)}


PANELS = [
    CustomerPanel(
        name="textanalysis-voice",
        slot="aside",
        order=20,
        template="textanalysis/_customer_voice.html",
        context=voice_context,
    ),
]
