"""The privacy pages: owners find, download and erase; everyone else gets 403, another
workspace's customer 404; bad input a message."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.privacy.tests.seed import EMAIL, NAME, PHONE


@pytest.fixture
def person(workspace_a):
    return CustomerFactory(workspace=workspace_a, name=NAME, email=EMAIL, phone=PHONE)


@pytest.mark.django_db
def test_owner_finds_by_email_or_phone(alice_client, person, workspace_b):
    CustomerFactory(workspace=workspace_b, name="Omonima in B", email=EMAIL)
    url = reverse("privacy:privacy-home")
    html = alice_client.get(url, {"email": EMAIL.upper()}).content.decode()
    assert reverse("privacy:person-detail", args=[person.pk]) in html
    assert "Omonima in B" not in html
    html = alice_client.get(url, {"phone": "347 5550192"}).content.decode()
    assert reverse("privacy:person-detail", args=[person.pk]) in html


@pytest.mark.django_db
def test_bad_search_gets_a_message_not_a_500(alice_client):
    url = reverse("privacy:privacy-home")
    response = alice_client.get(url, {"email": "", "phone": ""})
    assert response.status_code == 400
    assert "Scrivi l&#x27;indirizzo email o il numero di telefono" in response.content.decode()
    assert alice_client.get(url, {"phone": "12"}).status_code == 400
    assert alice_client.get(url, {"email": "not an address\x00"}).status_code == 400


@pytest.mark.django_db
def test_owner_downloads_the_bundle(alice_client, person):
    response = alice_client.post(reverse("privacy:person-export", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    assert data["tables"]["customers.customer"][0]["email"] == EMAIL


@pytest.mark.django_db
def test_erase_needs_the_confirmation(alice_client, person):
    url = reverse("privacy:person-erase", args=[person.pk])
    response = alice_client.post(url, {})
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.email == EMAIL
    response = alice_client.post(url, {"confirm": "on"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.email, person.phone) == ("", "")
    assert person.name in response.content.decode()


@pytest.mark.django_db
def test_erase_refuses_a_made_up_mention(alice_client, person):
    url = reverse("privacy:person-erase", args=[person.pk])
    response = alice_client.post(url, {"confirm": "on", "redact": "customers.Customer:1:notes"})
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.email == EMAIL


@pytest.mark.django_db
def test_agents_and_managers_get_403(bob_client, carol_client, person):
    for client in (bob_client, carol_client):
        assert client.get(reverse("privacy:privacy-home")).status_code == 403
        assert client.get(reverse("privacy:person-detail", args=[person.pk])).status_code == 403
        assert client.post(reverse("privacy:person-export", args=[person.pk])).status_code == 403
        response = client.post(reverse("privacy:person-erase", args=[person.pk]), {"confirm": "on"})
        assert response.status_code == 403
    person.refresh_from_db()
    assert person.email == EMAIL


@pytest.mark.django_db
def test_outsider_gets_404(mallory_client, person):
    for name in ("privacy:person-detail",):
        assert mallory_client.get(reverse(name, args=[person.pk])).status_code == 404
    assert (
        mallory_client.post(reverse("privacy:person-export", args=[person.pk])).status_code == 404
    )
    response = mallory_client.post(
        reverse("privacy:person-erase", args=[person.pk]), {"confirm": "on"}
    )
    assert response.status_code == 404
    assert Customer.objects.get(pk=person.pk).email == EMAIL


@pytest.mark.django_db
def test_customer_page_shows_the_privacy_button_to_owners_only(alice_client, bob_client, person):
    link = reverse("privacy:person-detail", args=[person.pk])
    url = reverse("customers:customer-detail", args=[person.pk])
    assert link in alice_client.get(url).content.decode()
    assert link not in bob_client.get(url).content.decode()
