"""Every writing service of interactions, called directly as the wrong member: refused, nothing
changed (see ascolto/workspaces/tests/guards.py and docs/tenancy.md for the roles)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions import services
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.lib.updates import UnknownFields
from ascolto.workspaces.models import Role
from ascolto.workspaces.tests.guards import Row, check_row, database_snapshot, row_ids

WHEN = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(workspace_a, bob):
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    return SimpleNamespace(
        customer=customer,
        interaction=InteractionFactory(customer=customer, member=bob, occurred_at=WHEN),
        touchpoint=workspace_a.touchpoints.get(code="reclamo"),
    )


ROWS: list[Row] = [
    (
        "interaction_record",
        Role.AGENT,
        lambda w, by: services.interaction_record(
            customer=w.customer, by=by, touchpoint=w.touchpoint, occurred_at=WHEN, text="Rotto"
        ),
    ),
    (
        "interaction_update",
        Role.AGENT,
        lambda w, by: services.interaction_update(
            interaction=w.interaction, by=by, text="Testo corretto"
        ),
    ),
    (
        "interaction_delete",
        Role.MANAGER,
        lambda w, by: services.interaction_delete(interaction=w.interaction, by=by),
    ),
    (
        "staff_signal_record",
        Role.AGENT,
        lambda w, by: services.staff_signal_record(
            customer=w.customer, by=by, text="Sembrava infastidito", polarity="negative"
        ),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), ROWS, ids=row_ids(ROWS))
def test_refused_below_the_role_and_from_another_workspace(request, world, name, role, call):
    check_row(request, world, role, call)


def test_interaction_update_refuses_an_unknown_field(world, bob):
    before = database_snapshot()
    with pytest.raises(UnknownFields, match="customer"):
        services.interaction_update(
            interaction=world.interaction, by=bob, text="Nuovo", customer=None
        )
    assert database_snapshot() == before


def test_interaction_update_saves_only_what_changed(world, bob):
    original_text = world.interaction.text
    services.interaction_update(interaction=world.interaction, by=bob, channel="email")
    world.interaction.refresh_from_db()
    assert (world.interaction.channel, world.interaction.text) == ("email", original_text)
