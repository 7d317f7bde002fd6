"""Remedies, budgets and approvals: within budget at once, above it waiting for someone whose
budget covers it; forged amounts and other workspaces' cases refused; concurrent grants and
approvals never overspend (threads on PostgreSQL); the ledger against a hand count."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from ascolto.cases import selectors, services
from ascolto.cases.models import Remedy
from ascolto.cases.services import CaseRefused
from ascolto.cases.services.remedies import allowance
from ascolto.cases.tests.factories import open_case
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.notifications.models import Notification


@pytest.fixture
def customer(workspace_a, bob):
    return CustomerFactory(workspace=workspace_a, account_owner=bob)


@pytest.fixture
def case(customer, bob):
    return open_case(customer, bob)


def test_an_agent_grants_199_at_once_and_201_waits(case, bob, carol, alice):
    granted = services.case_remedy_grant(case=case, by=bob, kind="refund", amount="199", why="x")
    assert granted.status == "granted" and granted.decided_by == bob
    assert granted.amount == Decimal("199.00")
    other = open_case(case.customer, bob, code="guasto")
    waiting = services.case_remedy_grant(case=other, by=bob, kind="refund", amount="201")
    assert waiting.status == "pending" and waiting.decided_by is None
    asked = Notification.objects.filter(kind="case", title_it__contains="201")
    assert {n.recipient for n in asked} == {carol, alice}


def test_the_per_case_budget_counts_what_was_granted_before(case, bob):
    services.case_remedy_grant(case=case, by=bob, kind="discount", amount="150")
    second = services.case_remedy_grant(case=case, by=bob, kind="gift", amount="51")
    assert second.status == "pending"
    third = services.case_remedy_grant(case=case, by=bob, kind="gift", amount="50")
    assert third.status == "granted"


def test_the_monthly_budget(customer, bob, workspace_a, alice):
    services.spending_budget_set(workspace=workspace_a, by=alice, role="agent",
                                 per_case="200", per_month="300")  # fmt: skip
    first = services.case_remedy_grant(
        case=open_case(customer, bob), by=bob, kind="refund", amount=200
    )
    second = services.case_remedy_grant(
        case=open_case(customer, bob), by=bob, kind="refund", amount=101
    )
    assert (first.status, second.status) == ("granted", "pending")
    # Last month's grants do not count this month.
    Remedy.objects.filter(pk=first.pk).update(decided_at=first.decided_at - timedelta(days=40))
    third = services.case_remedy_grant(
        case=open_case(customer, bob), by=bob, kind="refund", amount=200
    )
    assert third.status == "granted"


def test_a_manager_with_2000_cannot_approve_2500_the_owner_can(case, bob, carol, alice):
    waiting = services.case_remedy_grant(case=case, by=bob, kind="refund", amount="2500")
    with pytest.raises(CaseRefused) as refused:
        services.case_remedy_approve(remedy=waiting, by=carol)
    assert "supera il tuo budget" in refused.value.reason
    waiting.refresh_from_db()
    assert waiting.status == "pending"
    services.case_remedy_approve(remedy=waiting, by=alice, reason="Cliente storico")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by, waiting.decision_reason) == (
        "granted",
        alice,
        "Cliente storico",
    )
    with pytest.raises(CaseRefused):  # decided already
        services.case_remedy_approve(remedy=waiting, by=alice)


def test_an_agent_cannot_approve_and_a_refusal_needs_a_reason(case, bob, carol):
    waiting = services.case_remedy_grant(case=case, by=bob, kind="refund", amount="500")
    with pytest.raises(PermissionDenied):
        services.case_remedy_approve(remedy=waiting, by=bob)
    with pytest.raises(CaseRefused):
        services.case_remedy_refuse(remedy=waiting, by=carol, reason="  ")
    services.case_remedy_refuse(remedy=waiting, by=carol, reason="Fuori politica")
    waiting.refresh_from_db()
    assert waiting.status == "refused"


@pytest.mark.parametrize(
    ("kind", "amount"),
    [
        ("refund", "-5"),
        ("refund", "abc"),
        ("refund", "NaN"),
        ("refund", "Infinity"),
        ("refund", 1e30),
        ("refund", "3000.01"),  # above the most allowed for a refund
        ("gift", "101"),
        ("apology", "1"),
        ("yacht", "10"),
    ],
)
def test_forged_amounts_and_kinds_are_refused(case, bob, kind, amount):
    with pytest.raises(CaseRefused):
        services.case_remedy_grant(case=case, by=bob, kind=kind, amount=amount)
    assert not Remedy.objects.exists()


def test_a_remedy_not_allowed_for_the_category(case, bob, carol, workspace_a):
    services.remedy_option_set(workspace=workspace_a, by=carol, kind="gift", active=False)
    with pytest.raises(CaseRefused):
        services.case_remedy_grant(case=case, by=bob, kind="gift", amount="10")


def test_another_workspaces_case_is_refused(case, mallory):
    with pytest.raises(PermissionDenied):
        services.case_remedy_grant(case=case, by=mallory, kind="refund", amount="10")
    assert not Remedy.objects.exists()


def test_a_member_budget_overrides_the_role_and_nobody_raises_their_own(
    workspace_a, bob, carol, alice, case
):
    services.spending_budget_set(workspace=workspace_a, by=carol, member=bob, per_case="50")
    assert allowance(member=bob, case=case).per_case == Decimal("50.00")
    with pytest.raises(PermissionDenied):
        services.spending_budget_set(workspace=workspace_a, by=carol, member=carol, per_case="9999")
    with pytest.raises(PermissionDenied):
        services.spending_budget_set(
            workspace=workspace_a, by=carol, role="manager", per_case="9999"
        )
    with pytest.raises(PermissionDenied):
        services.spending_budget_set(workspace=workspace_a, by=bob, member=bob, per_case="9999")
    services.spending_budget_set(workspace=workspace_a, by=alice, role="manager", per_case="3000")


def test_ten_grants_in_a_row_never_pass_the_monthly_budget(customer, bob, workspace_a, alice):
    services.spending_budget_set(workspace=workspace_a, by=alice, role="agent",
                                 per_case="200", per_month="500")  # fmt: skip
    results = [
        services.case_remedy_grant(
            case=open_case(customer, bob), by=bob, kind="refund", amount="120"
        )
        for _ in range(10)
    ]
    assert [r.status for r in results].count("granted") == 4  # 480 <= 500 < 600
    assert allowance(member=bob, case=results[0].case).spent_this_month == Decimal("480.00")


def test_ledger_totals_by_hand(customer, bob, carol, alice, workspace_a):
    services.case_remedy_grant(
        case=open_case(customer, bob), by=bob, kind="refund", amount="100.10"
    )
    services.case_remedy_grant(case=open_case(customer, bob, code="guasto"), by=bob,
                               kind="discount", amount="49.95")  # fmt: skip
    services.case_remedy_grant(case=open_case(customer, carol), by=carol, kind="redo", amount="300")
    waiting = services.case_remedy_grant(
        case=open_case(customer, bob), by=bob, kind="refund", amount="250"
    )
    services.case_remedy_approve(remedy=waiting, by=carol)
    pending = services.case_remedy_grant(
        case=open_case(customer, bob), by=bob, kind="refund", amount="999"
    )
    assert pending.status == "pending"
    ledger = selectors.remedy_ledger(workspace=workspace_a)
    # Granted: 100.10 + 49.95 (bob) + 300 + 250 (carol); the pending 999 counts nowhere.
    assert ledger.total == Decimal("700.05")
    assert ledger.by_member == {bob.pk: Decimal("150.05"), carol.pk: Decimal("550.00")}
    assert ledger.by_category == {"ritardo": Decimal("650.10"), "guasto": Decimal("49.95")}
    assert sum(ledger.by_month.values()) == Decimal("700.05")
    assert ledger.pending == Decimal("999.00")


# --- at the same moment, on PostgreSQL with real connections ---------------------------------


def _in_threads(calls):
    """Run every call in its own thread and connection, all released at once; return what
    each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as error:  # noqa: BLE001 (reported to the test)
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("in-memory SQLite test database cannot wait for locks")


@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_cannot_overspend(workspace_a, bob, alice):
    _postgres_only()
    services.spending_budget_set(workspace=workspace_a, by=alice, role="agent",
                                 per_case="200", per_month="300")  # fmt: skip
    customer = CustomerFactory(workspace=workspace_a)
    cases = [open_case(customer, bob) for _ in range(10)]
    results = _in_threads(
        [
            lambda c=c: services.case_remedy_grant(case=c, by=bob, kind="refund", amount="150")
            for c in cases
        ]
    )
    assert all(isinstance(r, Remedy) for r in results), results
    granted = Remedy.objects.filter(status="granted")
    assert granted.count() == 2  # 300 / 150
    assert Remedy.objects.filter(status="pending").count() == 8


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_grant_once(workspace_a, bob, carol, alice):
    _postgres_only()
    customer = CustomerFactory(workspace=workspace_a)
    waiting = services.case_remedy_grant(
        case=open_case(customer, bob), by=bob, kind="refund", amount="500"
    )
    results = _in_threads(
        [
            lambda: services.case_remedy_approve(
                remedy=Remedy.objects.get(pk=waiting.pk), by=carol
            ),
            lambda: services.case_remedy_approve(
                remedy=Remedy.objects.get(pk=waiting.pk), by=alice
            ),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["CaseRefused", "Remedy"]
    waiting.refresh_from_db()
    assert waiting.status == "granted"
    assert Remedy.objects.count() == 1
