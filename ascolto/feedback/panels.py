"""The feedback app's panels on the customer page (`ascolto/customers/panels.py`)."""

from __future__ import annotations

from typing import Any

from ascolto.customers.panels import CustomerPanel
from ascolto.lib.phones import whatsapp_number


def _ask_context(*, request: Any, customer: Any) -> dict[str, Any]:
    """Whether the customer can be invited on WhatsApp (a mobile number)."""
    return {"can_whatsapp": bool(whatsapp_number(customer.phone))}


PANELS = [
    CustomerPanel(
        name="feedback-ask",
        slot="aside",
        order=50,
        template="feedback/_customer_feedback.html",
        context=_ask_context,
    ),
]
