"""Every writing service of cases that a member calls, called directly as the wrong member:
refused, nothing changed (ascolto/workspaces/tests/guards.py, docs/tenancy.md). Opening a case
for an event and the clock job are the system's and take no member."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ascolto.cases import services
from ascolto.cases.tests.factories import category, open_case
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.workspaces.models import Role
from ascolto.workspaces.tests.guards import Row, check_row, row_ids


@pytest.fixture
def world(workspace_a, alice, bob, carol):
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    case = open_case(customer, carol)
    resolved = open_case(customer, carol, code="guasto")
    services.case_status_change(case=resolved, by=carol, status="resolved")
    waiting = services.case_remedy_grant(case=case, by=bob, kind="refund", amount="500")
    return SimpleNamespace(
        waiting=waiting,
        workspace=workspace_a,
        customer=customer,
        case=case,
        resolved=resolved,
        interaction=InteractionFactory(customer=customer),
        carol=carol,
    )


ROWS: list[Row] = [
    (
        "case_open",
        Role.AGENT,
        lambda w, by: services.case_open(
            customer=w.customer, by=by, category=category(w.workspace), description="x"
        ),
    ),
    (
        "case_update",
        Role.AGENT,
        lambda w, by: services.case_update(case=w.case, by=by, severity="high"),
    ),
    (
        "case_assign to oneself",
        Role.AGENT,
        lambda w, by: services.case_assign(case=w.case, by=by, owner=by),
    ),
    (
        "case_assign to someone else",
        Role.MANAGER,
        lambda w, by: services.case_assign(
            case=w.case, by=by, owner=w.workspace.memberships.get(role="owner")
        ),
    ),
    (
        "case_status_change",
        Role.AGENT,
        lambda w, by: services.case_status_change(case=w.case, by=by, status="acknowledged"),
    ),
    (
        "case_status_change to closed",
        Role.MANAGER,
        lambda w, by: services.case_status_change(
            case=w.resolved, by=by, status="closed", outcome="satisfied"
        ),
    ),
    ("case_reopen", Role.AGENT, lambda w, by: services.case_reopen(case=w.resolved, by=by)),
    (
        "case_note_add",
        Role.AGENT,
        lambda w, by: services.case_note_add(case=w.case, by=by, note="Richiamato"),
    ),
    (
        "case_link",
        Role.AGENT,
        lambda w, by: services.case_link(case=w.case, by=by, interaction=w.interaction),
    ),
    (
        "sla_policy_set",
        Role.MANAGER,
        lambda w, by: services.sla_policy_set(
            workspace=w.workspace,
            by=by,
            category=None,
            severity="low",
            acknowledge_minutes=1,
            respond_minutes=2,
            resolve_minutes=3,
        ),
    ),  # fmt: skip
    (
        "case_remedy_grant",
        Role.AGENT,
        lambda w, by: services.case_remedy_grant(case=w.case, by=by, kind="gift", amount="20"),
    ),
    (
        "case_remedy_approve",
        Role.MANAGER,
        lambda w, by: services.case_remedy_approve(remedy=w.waiting, by=by),
    ),
    (
        "case_remedy_refuse",
        Role.MANAGER,
        lambda w, by: services.case_remedy_refuse(remedy=w.waiting, by=by, reason="No"),
    ),
    (
        "remedy_option_set",
        Role.MANAGER,
        lambda w, by: services.remedy_option_set(
            workspace=w.workspace, by=by, kind="gift", default_amount="10", max_amount="50"
        ),
    ),
    (
        "spending_budget_set for agents",
        Role.MANAGER,
        lambda w, by: services.spending_budget_set(
            workspace=w.workspace, by=by, role="agent", per_case="150"
        ),
    ),
    (
        "spending_budget_set for owners",
        Role.OWNER,
        lambda w, by: services.spending_budget_set(
            workspace=w.workspace, by=by, role="owner", per_case="150"
        ),
    ),
    (
        "case_settings_update",
        Role.OWNER,
        lambda w, by: services.case_settings_update(
            workspace=w.workspace, by=by, detractor_callback=False
        ),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), ROWS, ids=row_ids(ROWS))
def test_refused_below_the_role_and_outside_the_workspace(request, world, name, role, call):
    check_row(request, world, role, call)
