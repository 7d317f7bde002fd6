"""The feedback app's panels on the customer page (`ascolto/customers/panels.py`)."""

from __future__ import annotations

from ascolto.customers.panels import CustomerPanel

PANELS = [
    CustomerPanel(
        name="feedback-ask",
        slot="aside",
        order=50,
        template="feedback/_customer_feedback.html",
    ),
]
