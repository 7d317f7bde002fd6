"""The writing services of workspaces that a member calls, called directly as the wrong
member: refused, nothing changed (see guards.py next to this file and docs/tenancy.md)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ascolto.lib.updates import UnknownFields
from ascolto.workspaces import services
from ascolto.workspaces.models import Role, Workspace
from ascolto.workspaces.tests.factories import MembershipFactory
from ascolto.workspaces.tests.guards import Row, check_row, database_snapshot, row_ids


@pytest.fixture
def world(workspace_a, alice, bob, carol):
    return SimpleNamespace(
        workspace=workspace_a,
        other_agent=MembershipFactory(workspace=workspace_a, role=Role.AGENT),
    )


ROWS: list[Row] = [
    (
        "workspace_update",
        Role.OWNER,
        lambda w, by: services.workspace_update(workspace=w.workspace, by=by, name="Rossi Srl"),
    ),
    (
        "member_invite of an agent",
        Role.MANAGER,
        lambda w, by: services.member_invite(
            workspace=w.workspace, by=by, email="nuova@example.com", role=Role.AGENT
        ),
    ),
    (
        "member_invite of an owner",
        Role.OWNER,
        lambda w, by: services.member_invite(
            workspace=w.workspace, by=by, email="socia@example.com", role=Role.OWNER
        ),
    ),
    (
        "member_role_change",
        Role.MANAGER,
        lambda w, by: services.member_role_change(
            membership=w.other_agent, by=by, role=Role.MANAGER
        ),
    ),
    (
        "member_remove",
        Role.MANAGER,
        lambda w, by: services.member_remove(membership=w.other_agent, by=by),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), ROWS, ids=row_ids(ROWS))
def test_refused_below_the_role_and_from_another_workspace(request, world, name, role, call):
    check_row(request, world, role, call)


def test_workspace_update_refuses_an_unknown_field(workspace_a, alice):
    before = database_snapshot()
    with pytest.raises(UnknownFields, match="created_at"):
        services.workspace_update(workspace=workspace_a, by=alice, name="X", created_at=None)
    assert database_snapshot() == before
    assert Workspace.objects.get(pk=workspace_a.pk).name == "Noleggi Rossi"
