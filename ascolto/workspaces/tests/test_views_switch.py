"""Switching between workspaces (test plan S01)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import SESSION_KEY
from ascolto.workspaces.tests.factories import MembershipFactory

SWITCH = "/account/switch/"


@pytest.fixture
def alice_in_b(alice, workspace_b):
    """Alice is also an agent in workspace B."""
    return MembershipFactory(workspace=workspace_b, user=alice.user, role=Role.AGENT)


@pytest.mark.django_db
def test_user_in_two_workspaces_switches_and_sees_the_other_customers(
    alice_client, alice_in_b, workspace_a, workspace_b
):
    """GIVEN alice belongs to A and B WHEN she switches to B with the form THEN the customer
    list shows B's customers and not A's; switching back shows A's again."""
    CustomerFactory(workspace=workspace_a, name="Cliente Alfa")
    CustomerFactory(workspace=workspace_b, name="Cliente Beta")
    customers = reverse("customers:customer-list")

    html = alice_client.get(customers).content.decode()
    assert "Cliente Alfa" in html and "Cliente Beta" not in html
    assert reverse("workspaces:workspace-switch") in html  # the switcher is offered

    response = alice_client.post(SWITCH, {"workspace": workspace_b.pk})
    assert response.status_code == 302
    html = alice_client.get(customers).content.decode()
    assert "Cliente Beta" in html and "Cliente Alfa" not in html

    alice_client.post(SWITCH, {"workspace": workspace_a.pk})
    html = alice_client.get(customers).content.decode()
    assert "Cliente Alfa" in html and "Cliente Beta" not in html


@pytest.mark.django_db
def test_role_follows_the_current_workspace(alice_client, alice_in_b, workspace_b):
    """Alice owns A but is only an agent in B: in B she may not manage the team."""
    settings_url = reverse("workspaces:workspace-settings")
    assert alice_client.get(settings_url).status_code == 200
    alice_client.post(SWITCH, {"workspace": workspace_b.pk})
    assert alice_client.get(settings_url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["foreign", "999999", "abc", ""])
def test_switching_to_a_workspace_one_is_not_in_is_404(bob_client, workspace_b, value):
    target = workspace_b.pk if value == "foreign" else value
    response = bob_client.post(SWITCH, {"workspace": target})
    assert response.status_code == 404
    assert bob_client.session.get(SESSION_KEY) != workspace_b.pk


@pytest.mark.django_db
def test_switch_needs_post(alice_client, alice_in_b, workspace_b):
    response = alice_client.get(SWITCH, {"workspace": workspace_b.pk})
    assert response.status_code == 405
    assert alice_client.session.get(SESSION_KEY) != workspace_b.pk


@pytest.mark.django_db
def test_forged_session_value_for_a_foreign_workspace_is_ignored(
    bob_client, workspace_a, workspace_b
):
    """GIVEN a session that names workspace B (bob is not in B) THEN bob still works in A."""
    CustomerFactory(workspace=workspace_a, name="Cliente Alfa")
    CustomerFactory(workspace=workspace_b, name="Cliente Beta")
    session = bob_client.session
    session[SESSION_KEY] = workspace_b.pk
    session.save()
    html = bob_client.get(reverse("customers:customer-list")).content.decode()
    assert "Cliente Alfa" in html
    assert "Cliente Beta" not in html
    assert bob_client.session[SESSION_KEY] == workspace_a.pk


@pytest.mark.django_db
def test_anonymous_switch_goes_to_login(workspace_b):
    response = Client().post(SWITCH, {"workspace": workspace_b.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspaces:login"))
