"""The promises app's panels on the customer page (`ascolto/customers/panels.py`): each loads
its own data through the promises selectors, so the customer page stays unaware of promises."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ascolto.customers.models import Customer
from ascolto.customers.panels import CustomerPanel
from ascolto.promises import selectors
from ascolto.promises.formatting import measured_text, miss_text, target_text
from ascolto.promises.models import Crisis
from ascolto.workspaces.models import Role


def crisis_panel_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    """The open crises of a customer with their checklists, and the checks only staff can
    settle: a fixed number of queries whatever the number of crises. Also what the crisis
    views render again after a step is ticked (htmx)."""
    crises = list(
        selectors.crisis_list_open_for_customer(workspace=request.workspace, customer=customer)
    )
    for crisis in crises:
        check = crisis.promise_check
        done = {step.step: step for step in crisis.steps.all()}
        crisis.checklist = [(value, label, done.get(value)) for value, label in Crisis.Step.choices]
        crisis.target = target_text(crisis.promise)
        crisis.what = measured_text(crisis.promise, check.measured)
        crisis.miss = miss_text(crisis.promise, check.measured)
    member = getattr(request, "member", None)
    return {
        "request": request,
        "customer": customer,
        "crises": crises,
        "waiting_checks": selectors.promise_check_list_waiting_for_customer(
            workspace=request.workspace, customer=customer
        ),
        "can_act": member is not None and member.has_role(Role.AGENT),
        # Closing a crisis and withdrawing it as kept are for managers and owners.
        "can_close": member is not None and member.has_role(Role.MANAGER),
    }


def fit_panel_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any]:
    member = getattr(request, "member", None)
    return {
        # Deleting a recorded need is for managers and owners.
        "can_manage": member is not None and member.has_role(Role.MANAGER),
        "expectations": selectors.expectation_list_for_customer(
            workspace=request.workspace, customer=customer
        ),
    }


PANELS = [
    CustomerPanel(
        name="promises-gaps",
        slot="actions",
        order=20,
        template="promises/_gap_link.html",
    ),
    CustomerPanel(
        name="promises-crisis",
        slot="top",
        order=10,
        template="promises/_crisis_panel.html",
        context=crisis_panel_context,
    ),
    CustomerPanel(
        name="promises-fit",
        slot="aside",
        order=60,
        template="promises/_fit_panel.html",
        context=fit_panel_context,
    ),
]
