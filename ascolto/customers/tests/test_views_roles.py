"""Who may do what (test plan S03; the table in docs/tenancy.md): agents record and handle,
managers and owners delete, set contracts and reassign customers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ascolto.customers.models import Contract, Customer
from ascolto.customers.tests.factories import ContractFactory, CustomerFactory
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


CONTRACT = {
    "title": "Noleggio annuale",
    "start_date": "2025-01-01",
    "renewal_date": "2026-01-01",
    "yearly_value": "99999",
}


@pytest.mark.django_db
def test_agent_gets_403_on_contracts_and_changes_nothing(bob_client, customer):
    contract = ContractFactory(customer=customer, yearly_value=Decimal("1200"))
    create = reverse("customers:contract-create", args=[customer.pk])
    update = reverse("customers:contract-update", args=[contract.pk])
    for url in (create, update):
        assert bob_client.get(url).status_code == 403
        assert bob_client.post(url, CONTRACT).status_code == 403
    contract.refresh_from_db()
    assert contract.yearly_value == Decimal("1200")
    assert Contract.objects.filter(customer=customer).count() == 1
    page = bob_client.get(reverse("customers:customer-detail", args=[customer.pk])).content
    assert create not in page.decode() and update not in page.decode()
    assert "1.200" in page.decode()  # agents still see the contract and its value


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["carol_client", "alice_client"])
def test_manager_and_owner_set_contract_values(persona, request, customer):
    client = request.getfixturevalue(persona)
    contract = ContractFactory(customer=customer, yearly_value=Decimal("1200"))
    page = client.get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    assert reverse("customers:contract-create", args=[customer.pk]) in page
    update = reverse("customers:contract-update", args=[contract.pk])
    assert update in page
    assert client.post(update, {**CONTRACT, "yearly_value": "1500"}).status_code == 302
    contract.refresh_from_db()
    assert contract.yearly_value == Decimal("1500")


@pytest.mark.django_db
def test_agent_cannot_give_a_customer_another_account_owner(bob_client, bob, alice, customer):
    """The form an agent gets has no account-owner field: a forged value changes nothing."""
    Customer.objects.filter(pk=customer.pk).update(account_owner=bob)
    url = reverse("customers:customer-update", args=[customer.pk])
    form = bob_client.get(url)
    assert "account_owner" not in form.context["form"].fields
    assert 'name="account_owner"' not in form.content.decode()
    data = {
        "name": customer.name,
        "kind": customer.kind,
        "status": customer.status,
        "email": customer.email,
        "preferred_language": customer.preferred_language,
        "account_owner": alice.pk,
        "notes": "Richiamare lunedì",
    }
    assert bob_client.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert (customer.account_owner_id, customer.notes) == (bob.pk, "Richiamare lunedì")
    # a new customer an agent records is theirs
    response = bob_client.post(
        reverse("customers:customer-create"), {**data, "name": "Nuovo", "email": "n@example.com"}
    )
    assert response.status_code == 302
    assert Customer.objects.get(name="Nuovo").account_owner_id == bob.pk


@pytest.mark.django_db
def test_manager_reassigns_a_customer(carol_client, bob, alice, customer):
    Customer.objects.filter(pk=customer.pk).update(account_owner=bob)
    url = reverse("customers:customer-update", args=[customer.pk])
    assert 'name="account_owner"' in carol_client.get(url).content.decode()
    data = {
        "name": customer.name,
        "kind": customer.kind,
        "status": customer.status,
        "email": customer.email,
        "preferred_language": customer.preferred_language,
        "account_owner": alice.pk,
    }
    assert carol_client.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert customer.account_owner_id == alice.pk
