"""The registry of what the customer page shows: every card or button is a panel.

The customers app owns the page and registers its own panels (details, contracts, lost);
a higher app adds its own in its `AppConfig.ready()`, so the page never imports it:

    # ascolto/promises/panels.py
    PANELS = [
        CustomerPanel(
            name="promises-crisis",
            slot="top",
            order=10,
            template="promises/_crisis_panel.html",
            context=crisis_panel_context,  # (*, request, customer) -> dict
        ),
    ]

    # ascolto/promises/apps.py
    def ready(self):
        from ascolto.customers.panels import customer_panels
        from ascolto.promises import panels

        for panel in panels.PANELS:
            customer_panels.register(panel)

Slots, in page order: `actions` (buttons in the page head), `top` (full width, above the
columns: sirens), `main` (the wide column: the timeline), `aside` (the narrow column: cards).
Within a slot panels are ordered by `order`, then name. See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from ascolto.customers import selectors
from ascolto.customers.models import Customer

SLOTS = ("actions", "top", "main", "aside")


@dataclass(frozen=True)
class CustomerPanel:
    """One panel of the customer page.

    - `name`: unique, `<app>-<what>` ("promises-crisis").
    - `slot`: one of `SLOTS`; `order`: its place in the slot (lowest first).
    - `template`: rendered in the page's context (`request`, `customer`, `can_manage`, ...)
      plus what `context` returns.
    - `context(*, request, customer)`: the panel's own data, read through its app's selectors
      (scoped to `request.workspace`); return None to leave the panel out. No `context`: the
      template needs only the page's context.
    """

    name: str
    slot: str
    order: int
    template: str
    context: Callable[..., dict[str, Any] | None] | None = None

    def __post_init__(self) -> None:
        if self.slot not in SLOTS:
            raise ValueError(f"customer panel {self.name!r}: slot must be one of {SLOTS}")


class CustomerPanels:
    """The registered panels, by name. Registering the same panel again changes nothing;
    another panel under a taken name is an error."""

    def __init__(self) -> None:
        self._panels: dict[str, CustomerPanel] = {}

    def register(self, panel: CustomerPanel) -> CustomerPanel:
        existing = self._panels.get(panel.name)
        if existing is not None and existing != panel:
            raise ValueError(f"customer panel {panel.name!r} is registered already")
        self._panels[panel.name] = panel
        return panel

    def unregister(self, name: str) -> None:
        del self._panels[name]

    def in_slot(self, slot: str) -> list[CustomerPanel]:
        if slot not in SLOTS:
            raise ValueError(f"unknown customer page slot {slot!r}")
        return sorted(
            (p for p in self._panels.values() if p.slot == slot), key=lambda p: (p.order, p.name)
        )

    def __iter__(self) -> Iterator[CustomerPanel]:
        return iter(list(self._panels.values()))

    def __len__(self) -> int:
        return len(self._panels)


customer_panels = CustomerPanels()


def contracts_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {
        "contracts": selectors.contract_list_for_customer(
            workspace=request.workspace, customer=customer
        )
    }


def lost_records_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {
        "lost_records": selectors.lost_record_list_for_customer(
            workspace=request.workspace, customer=customer
        )
    }


def consent_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {
        "consent_events": selectors.consent_event_list_for_customer(
            workspace=request.workspace, customer=customer
        )[:20]
    }


# The customers app's own panels; the other apps' are in their `panels.py`.
PANELS = [
    CustomerPanel(
        name="customers-details",
        slot="aside",
        order=10,
        template="customers/_panel_details.html",
    ),
    CustomerPanel(
        name="customers-contracts",
        slot="aside",
        order=30,
        template="customers/_panel_contracts.html",
        context=contracts_context,
    ),
    CustomerPanel(
        name="customers-lost",
        slot="aside",
        order=40,
        template="customers/_panel_lost.html",
        context=lost_records_context,
    ),
    CustomerPanel(
        name="customers-consent",
        slot="aside",
        order=45,
        template="customers/_panel_consent.html",
        context=consent_context,
    ),
]
