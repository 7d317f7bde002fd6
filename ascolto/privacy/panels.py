"""The privacy app's button on the customer page (`ascolto/customers/panels.py`), for owners."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ascolto.customers.models import Customer
from ascolto.customers.panels import CustomerPanel
from ascolto.workspaces.models import Role


def privacy_link_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    member = getattr(request, "member", None)
    if member is None or not member.has_role(Role.OWNER):
        return None
    return {}


PANELS = [
    CustomerPanel(
        name="privacy-person",
        slot="actions",
        order=90,
        template="privacy/_customer_privacy_link.html",
        context=privacy_link_context,
    )
]
