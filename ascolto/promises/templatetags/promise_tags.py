"""Promise panels on other apps' pages (the customer page): each loads its own data through
the promises selectors, so the host view stays unaware of promises."""

from __future__ import annotations

from django import template

from ascolto.promises import selectors
from ascolto.promises.formatting import measured_text, miss_text, target_text
from ascolto.promises.models import Crisis
from ascolto.workspaces.models import Role

register = template.Library()


def crisis_panel_context(request, customer) -> dict:
    """The open crises of a customer with their checklists, and the checks only staff can
    settle: a fixed number of queries whatever the number of crises."""
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


@register.inclusion_tag("promises/_crisis_panel.html", takes_context=True)
def crisis_panel(context, customer):
    return crisis_panel_context(context["request"], customer)


@register.inclusion_tag("promises/_fit_panel.html", takes_context=True)
def fit_panel(context, customer):
    request = context["request"]
    member = getattr(request, "member", None)
    return {
        "request": request,
        "customer": customer,
        "can_manage": member is not None and member.has_role(Role.MANAGER),
        "expectations": selectors.expectation_list_for_customer(
            workspace=request.workspace, customer=customer
        ),
    }
