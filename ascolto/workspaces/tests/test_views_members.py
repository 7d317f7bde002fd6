"""The team page and the role matrix (test plan S03, S06)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from ascolto.workspaces.models import MemberInvitation, Membership, Role, Workspace
from ascolto.workspaces.tests.factories import MembershipFactory


def _role(client: Client, membership: Membership, role: str):
    return client.post(reverse("workspaces:member-role", args=[membership.pk]), {"role": role})


def _remove(client: Client, membership: Membership):
    return client.post(reverse("workspaces:member-remove", args=[membership.pk]))


def _roles(workspace) -> dict[int, str]:
    return dict(Membership.objects.filter(workspace=workspace).values_list("pk", "role"))


@pytest.mark.django_db
def test_team_page_lists_members_with_name_email_and_role(bob_client, alice, bob, carol):
    response = bob_client.get(reverse("workspaces:member-list"))
    html = response.content.decode()
    assert response.status_code == 200
    for member in (alice, bob, carol):
        assert member.user.email in html
    assert "Bob" in html and "Carol" in html
    # An agent sees the team but no controls.
    assert reverse("workspaces:member-role", args=[alice.pk]) not in html
    assert reverse("workspaces:member-remove", args=[carol.pk]) not in html
    assert reverse("workspaces:member-invite") not in html
    assert reverse("workspaces:workspace-settings") not in html


@pytest.mark.django_db
def test_owner_sees_controls_settings_link_and_invite_form(alice_client, bob, carol):
    html = alice_client.get(reverse("workspaces:member-list")).content.decode()
    assert reverse("workspaces:member-role", args=[bob.pk]) in html
    assert reverse("workspaces:member-remove", args=[carol.pk]) in html
    assert "data-confirm=" in html
    assert reverse("workspaces:member-invite") in html
    assert reverse("workspaces:workspace-settings") in html


@pytest.mark.django_db
def test_manager_gets_no_controls_for_owners_and_cannot_pick_owner(carol_client, alice, bob):
    html = carol_client.get(reverse("workspaces:member-list")).content.decode()
    assert reverse("workspaces:member-role", args=[bob.pk]) in html
    assert reverse("workspaces:member-role", args=[alice.pk]) not in html
    assert reverse("workspaces:member-remove", args=[alice.pk]) not in html
    assert 'value="owner"' not in html
    assert reverse("workspaces:workspace-settings") not in html


@pytest.mark.django_db
def test_pending_invitations_are_listed_for_managers(
    alice, carol_client, workspace_a, django_capture_on_commit_callbacks
):
    from ascolto.workspaces.services import member_invite

    member_invite(workspace=workspace_a, by=alice, email="pending@example.com", role=Role.AGENT)
    html = carol_client.get(reverse("workspaces:member-list")).content.decode()
    assert "pending@example.com" in html


@pytest.mark.django_db
def test_team_page_query_count_does_not_grow_with_members(
    alice_client, workspace_a, django_assert_max_num_queries
):
    for _ in range(10):
        MembershipFactory(workspace=workspace_a)
    with django_assert_max_num_queries(12):
        assert alice_client.get(reverse("workspaces:member-list")).status_code == 200


@pytest.mark.django_db
def test_agent_cannot_invite_change_roles_or_remove(bob_client, alice, carol, workspace_a):
    before = _roles(workspace_a)
    assert bob_client.get(reverse("workspaces:member-invite")).status_code == 403
    assert (
        bob_client.post(
            reverse("workspaces:member-invite"), {"email": "x@example.com", "role": "agent"}
        ).status_code
        == 403
    )
    assert _role(bob_client, carol, Role.AGENT).status_code == 403
    assert _remove(bob_client, carol).status_code == 403
    assert _role(bob_client, alice, Role.AGENT).status_code == 403
    assert _roles(workspace_a) == before
    assert not MemberInvitation.objects.exists()


@pytest.mark.django_db
def test_agent_cannot_promote_themselves(bob_client, bob):
    assert _role(bob_client, bob, Role.OWNER).status_code == 403
    bob.refresh_from_db()
    assert bob.role == Role.AGENT


@pytest.mark.django_db
def test_manager_manages_agents_and_managers(carol_client, bob, workspace_a):
    other_manager = MembershipFactory(workspace=workspace_a, role=Role.MANAGER)
    assert _role(carol_client, bob, Role.MANAGER).status_code == 302
    bob.refresh_from_db()
    assert bob.role == Role.MANAGER
    assert _role(carol_client, other_manager, Role.AGENT).status_code == 302
    other_manager.refresh_from_db()
    assert other_manager.role == Role.AGENT
    assert _remove(carol_client, other_manager).status_code == 302
    assert not Membership.objects.filter(pk=other_manager.pk).exists()


@pytest.mark.django_db
def test_manager_cannot_create_an_owner(carol_client, bob, workspace_a):
    assert _role(carol_client, bob, Role.OWNER).status_code == 403
    bob.refresh_from_db()
    assert bob.role == Role.AGENT
    response = carol_client.post(
        reverse("workspaces:member-invite"), {"email": "boss@example.com", "role": Role.OWNER}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not MemberInvitation.objects.exists()


@pytest.mark.django_db
def test_manager_cannot_demote_or_remove_an_owner(carol_client, alice):
    assert _role(carol_client, alice, Role.AGENT).status_code == 403
    assert _remove(carol_client, alice).status_code == 403
    alice.refresh_from_db()
    assert alice.role == Role.OWNER


@pytest.mark.django_db
def test_last_owner_cannot_be_demoted_or_removed(alice_client, alice, workspace_a):
    response = _role(alice_client, alice, Role.MANAGER)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.OWNER
    _remove(alice_client, alice)
    assert Membership.objects.filter(pk=alice.pk).exists()
    page = alice_client.get(reverse("workspaces:member-list"))
    with translation.override("it"):
        expected = escape(gettext("A workspace must keep at least one owner."))
    assert expected in page.content.decode()


@pytest.mark.django_db
def test_an_owner_can_step_down_when_another_owner_remains(alice_client, alice, carol):
    assert _role(alice_client, carol, Role.OWNER).status_code == 302
    assert _role(alice_client, alice, Role.MANAGER).status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.MANAGER


@pytest.mark.django_db
def test_invalid_role_value_changes_nothing(alice_client, bob):
    response = _role(alice_client, bob, "emperor")
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.role == Role.AGENT


@pytest.mark.django_db
def test_removed_member_loses_access_at_once(alice_client, bob, bob_client, workspace_a):
    """GIVEN bob is looking at workspace A WHEN alice removes him THEN his very next request to a
    page of A no longer shows A."""
    assert bob_client.get(reverse("workspaces:member-list")).status_code == 200
    assert _remove(alice_client, bob).status_code == 302
    response = bob_client.get(reverse("workspaces:member-list"))
    assert response.status_code == 403
    assert workspace_a.name not in response.content.decode()
    assert "workspaces/no_workspace.html" in [t.name for t in response.templates]
    assert bob_client.get(reverse("customers:customer-list")).status_code == 403


@pytest.mark.django_db
def test_only_the_owner_changes_workspace_settings(
    alice_client, carol_client, bob_client, workspace_a
):
    data = {"name": "Nuovo nome", "language": "en", "time_zone": "Europe/Rome", "currency": "eur"}
    url = reverse("workspaces:workspace-settings")
    assert carol_client.get(url).status_code == 403
    assert carol_client.post(url, data).status_code == 403
    assert bob_client.post(url, data).status_code == 403
    workspace_a.refresh_from_db()
    assert workspace_a.name == "Noleggi Rossi"

    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url, data).status_code == 302
    workspace_a.refresh_from_db()
    assert (workspace_a.name, workspace_a.language, workspace_a.currency) == (
        "Nuovo nome",
        "en",
        "EUR",
    )


@pytest.mark.django_db
def test_bad_workspace_settings_show_an_error_and_save_nothing(alice_client, workspace_a):
    url = reverse("workspaces:workspace-settings")
    response = alice_client.post(
        url,
        {"name": "X", "language": "it", "time_zone": "Mars/Olympus", "currency": "E1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Mars/Olympus is not a known time zone." in response.content.decode()
    workspace_a.refresh_from_db()
    assert workspace_a.name == "Noleggi Rossi"
    assert Workspace.objects.get(pk=workspace_a.pk).time_zone == "Europe/Rome"


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["role", "remove"])
def test_outsider_gets_404(mallory_client, alice, bob, action):
    """Mallory (owner of B) aims the team URLs at A's memberships: 404, nothing changes."""
    for target in (alice, bob):
        if action == "role":
            response = _role(mallory_client, target, Role.AGENT)
        else:
            response = _remove(mallory_client, target)
        assert response.status_code == 404
        target.refresh_from_db()
    assert (alice.role, bob.role) == (Role.OWNER, Role.AGENT)
