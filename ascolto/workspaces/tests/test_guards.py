"""require_member: the check every writing service makes about who acts."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied

from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role


@pytest.mark.parametrize(
    ("persona", "role", "allowed"),
    [
        ("bob", Role.AGENT, True),
        ("bob", Role.MANAGER, False),
        ("bob", Role.OWNER, False),
        ("carol", Role.AGENT, True),
        ("carol", Role.MANAGER, True),
        ("carol", Role.OWNER, False),
        ("alice", Role.AGENT, True),
        ("alice", Role.MANAGER, True),
        ("alice", Role.OWNER, True),
        # the owner of another workspace is nobody here, whatever the role asked
        ("mallory", Role.AGENT, False),
        ("mallory", Role.OWNER, False),
    ],
)
def test_role_and_workspace(request, workspace_a, persona, role, allowed):
    member = request.getfixturevalue(persona)
    for workspace in (workspace_a, workspace_a.pk):  # a workspace or its id
        if allowed:
            assert require_member(member, workspace, role) is member
        else:
            with pytest.raises(PermissionDenied):
                require_member(member, workspace, role)


def test_no_member_is_refused(workspace_a, alice, caplog):
    with caplog.at_level(logging.WARNING, logger="ascolto.security"):
        for nobody in (None, alice.user, "alice", Membership(workspace=workspace_a, role="owner")):
            with pytest.raises(PermissionDenied):
                require_member(nobody, workspace_a, Role.AGENT)
    assert len(caplog.records) == 4


def test_refusal_is_logged_without_personal_data(workspace_a, mallory, caplog):
    with (
        caplog.at_level(logging.WARNING, logger="ascolto.security"),
        pytest.raises(PermissionDenied),
    ):
        require_member(mallory, workspace_a, Role.MANAGER)
    (record,) = caplog.records
    message = record.getMessage()
    assert f"member={mallory.pk}" in message and f"workspace={workspace_a.pk}" in message
    assert "needed=manager" in message
    assert mallory.user.email not in message


def test_an_unsaved_workspace_is_refused(alice):
    from ascolto.workspaces.models import Workspace

    with pytest.raises(PermissionDenied):
        require_member(alice, Workspace(name="Nuova"), Role.AGENT)
