"""Every writing service of customers, called directly as the wrong member: refused, nothing
changed (see ascolto/workspaces/tests/guards.py and docs/tenancy.md for the roles)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from ascolto.customers import services
from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import ContractFactory, CustomerFactory
from ascolto.lib.updates import UnknownFields
from ascolto.workspaces.models import Role
from ascolto.workspaces.tests.guards import Row, check_row, database_snapshot, row_ids


@pytest.fixture
def world(workspace_a, alice, bob, carol):
    customer = CustomerFactory(workspace=workspace_a, name="Bar Centrale", account_owner=bob)
    return SimpleNamespace(
        workspace=workspace_a,
        alice=alice,
        customer=customer,
        contract=ContractFactory(customer=customer, yearly_value=Decimal("1200")),
        reason=workspace_a.lost_reasons.get(code="prezzo"),
    )


ROWS: list[Row] = [
    (
        "segment_get_or_create",
        Role.AGENT,
        lambda w, by: services.segment_get_or_create(workspace=w.workspace, by=by, name="Nuovo"),
    ),
    (
        "customer_create",
        Role.AGENT,
        lambda w, by: services.customer_create(
            workspace=w.workspace, by=by, name="Nuovo cliente", segment_name="Edilizia"
        ),
    ),
    (
        "customer_create with another account owner",
        Role.MANAGER,
        lambda w, by: services.customer_create(
            workspace=w.workspace, by=by, name="Nuovo cliente", account_owner=w.alice
        ),
    ),
    (
        "customer_update",
        Role.AGENT,
        lambda w, by: services.customer_update(
            customer=w.customer, by=by, phone="+39 02 1234567", segment_name="Edilizia"
        ),
    ),
    (
        "customer_update of the account owner",
        Role.MANAGER,
        lambda w, by: services.customer_update(customer=w.customer, by=by, account_owner=w.alice),
    ),
    (
        "customer_delete",
        Role.MANAGER,
        lambda w, by: services.customer_delete(customer=w.customer, by=by),
    ),
    (
        "contract_create",
        Role.MANAGER,
        lambda w, by: services.contract_create(
            customer=w.customer,
            by=by,
            start_date=date(2025, 1, 1),
            renewal_date=date(2026, 1, 1),
            yearly_value=Decimal("900"),
        ),
    ),
    (
        "contract_update",
        Role.MANAGER,
        lambda w, by: services.contract_update(
            contract=w.contract, by=by, yearly_value=Decimal("99999")
        ),
    ),
    (
        "lost_record_create",
        Role.AGENT,
        lambda w, by: services.lost_record_create(
            customer=w.customer, by=by, lost_on=date(2025, 6, 1), reason=w.reason
        ),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), ROWS, ids=row_ids(ROWS))
def test_refused_below_the_role_and_from_another_workspace(request, world, name, role, call):
    check_row(request, world, role, call)


def test_agent_keeps_the_account_owner_when_editing(world, bob):
    """An agent edits the customer they look after; the owner stays (the form has no field)."""
    services.customer_update(customer=world.customer, by=bob, account_owner=bob, notes="Chiama")
    world.customer.refresh_from_db()
    assert (world.customer.account_owner_id, world.customer.notes) == (bob.pk, "Chiama")


def test_a_customer_an_agent_creates_is_theirs(world, bob):
    customer = services.customer_create(workspace=world.workspace, by=bob, name="Nuovo")
    assert customer.account_owner_id == bob.pk


UNKNOWN: list[Row] = [
    (
        "customer_create",
        Role.AGENT,
        lambda w, by: services.customer_create(workspace=w.workspace, by=by, name="X", vip=True),
    ),
    (
        "customer_update",
        Role.AGENT,
        lambda w, by: services.customer_update(customer=w.customer, by=by, name="X", vip=True),
    ),
    (
        "contract_create",
        Role.MANAGER,
        lambda w, by: services.contract_create(
            customer=w.customer,
            by=by,
            start_date=date(2025, 1, 1),
            renewal_date=date(2026, 1, 1),
            discount=10,
        ),
    ),
    (
        "contract_update",
        Role.MANAGER,
        lambda w, by: services.contract_update(contract=w.contract, by=by, yearly_valeu=1),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), UNKNOWN, ids=row_ids(UNKNOWN))
def test_unknown_fields_are_refused_not_dropped(request, world, name, role, call):
    member = request.getfixturevalue({"agent": "bob", "manager": "carol"}[role])
    before = database_snapshot()
    with pytest.raises(UnknownFields):
        call(world, member)
    assert database_snapshot() == before
    assert Customer.objects.get(pk=world.customer.pk).name == "Bar Centrale"
