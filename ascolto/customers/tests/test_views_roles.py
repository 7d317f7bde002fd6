"""Who may delete (test plan S03): agents may not, managers and owners may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Interaction
from ascolto.interactions.tests.factories import InteractionFactory


@pytest.fixture
def customer(workspace_a):
    return CustomerFactory(workspace=workspace_a, name="Cliente da tenere")


@pytest.mark.django_db
def test_agent_cannot_delete_a_customer(bob_client, customer):
    response = bob_client.post(reverse("customers:customer-delete", args=[customer.pk]))
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.django_db
def test_agent_sees_no_delete_button(bob_client, customer):
    page = bob_client.get(reverse("customers:customer-detail", args=[customer.pk]))
    assert page.status_code == 200
    assert reverse("customers:customer-delete", args=[customer.pk]) not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["carol_client", "alice_client"])
def test_manager_and_owner_delete_a_customer(persona, request, customer):
    client = request.getfixturevalue(persona)
    detail = client.get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    assert reverse("customers:customer-delete", args=[customer.pk]) in detail
    response = client.post(reverse("customers:customer-delete", args=[customer.pk]))
    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.django_db
def test_delete_by_get_changes_nothing(alice_client, customer):
    response = alice_client.get(reverse("customers:customer-delete", args=[customer.pk]))
    assert response.status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.django_db
def test_agent_cannot_delete_an_interaction(bob_client, customer):
    interaction = InteractionFactory(customer=customer)
    response = bob_client.post(reverse("interactions:interaction-delete", args=[interaction.pk]))
    assert response.status_code == 403
    assert Interaction.objects.filter(pk=interaction.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["carol_client", "alice_client"])
def test_manager_and_owner_delete_an_interaction(persona, request, customer):
    client = request.getfixturevalue(persona)
    interaction = InteractionFactory(customer=customer)
    response = client.post(reverse("interactions:interaction-delete", args=[interaction.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", args=[customer.pk])
    assert not Interaction.objects.filter(pk=interaction.pk).exists()
