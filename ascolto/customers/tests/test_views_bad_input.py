"""Bad input on the customer forms: a clear message in the interface language (Italian by
default) and nothing saved.

Expected messages are rendered with gettext inside `translation.override("it")`, so each
assertion holds before and after the Italian catalogue has the string.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from ascolto.customers.models import Contract, Customer, Segment
from ascolto.customers.tests.factories import CustomerFactory


def italian(message: str, *, plural: str | None = None, count: int = 0, **params) -> str:
    with translation.override("it"):
        text = (
            translation.ngettext(message, plural, count) if plural else translation.gettext(message)
        )
        return text % params if params else text


def assert_shows(response, message: str) -> None:
    assert response.status_code == 200
    assert escape(message) in response.content.decode(), message


def customer_data(**overrides) -> dict:
    data = {
        "name": "Impresa Verdi",
        "company": "Verdi Srl",
        "kind": "external",
        "status": "active",
        "email": "info@verdi.example.com",
        "phone": "+39 02 1234567",
        "preferred_language": "it",
        "segment_name": "Edilizia",
        "account_owner": "",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_valid_customer_is_created_with_its_segment(alice_client, workspace_a):
    response = alice_client.post(reverse("customers:customer-create"), customer_data())
    customer = Customer.objects.get(workspace=workspace_a, name="Impresa Verdi")
    assert response.status_code == 302
    assert customer.segment.name == "Edilizia"


@pytest.mark.django_db
def test_invalid_email_is_refused(alice_client, workspace_a):
    response = alice_client.post(
        reverse("customers:customer-create"), customer_data(email="non-una-email")
    )
    assert_shows(response, italian("Enter a valid email address."))
    assert not Customer.objects.filter(workspace=workspace_a).exists()
    assert not Segment.objects.filter(workspace=workspace_a).exists()


@pytest.mark.django_db
def test_ten_thousand_character_name_is_refused(alice_client, workspace_a):
    response = alice_client.post(
        reverse("customers:customer-create"), customer_data(name="x" * 10_000)
    )
    assert_shows(
        response,
        italian(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            plural="Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            count=200,
            limit_value=200,
            show_value=10_000,
        ),
    )
    assert not Customer.objects.filter(workspace=workspace_a).exists()


@pytest.mark.django_db
def test_ten_thousand_character_name_on_edit_keeps_the_saved_name(alice_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a, name="Nome giusto")
    response = alice_client.post(
        reverse("customers:customer-update", args=[customer.pk]), customer_data(name="y" * 10_000)
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.name == "Nome giusto"
    assert "y" * 10_000 not in response.content.decode().split("<form")[0]


@pytest.mark.django_db
def test_account_owner_from_another_workspace_is_refused(alice_client, workspace_a, mallory):
    response = alice_client.post(
        reverse("customers:customer-create"), customer_data(account_owner=mallory.pk)
    )
    assert_shows(
        response, italian("Select a valid choice. That choice is not one of the available choices.")
    )
    assert not Customer.objects.filter(workspace=workspace_a).exists()


@pytest.mark.django_db
def test_renewal_before_start_is_refused(alice_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    response = alice_client.post(
        reverse("customers:contract-create", args=[customer.pk]),
        {
            "title": "Noleggio",
            "start_date": "2025-03-01",
            "renewal_date": "2025-02-01",
            "yearly_value": "1000",
        },
    )
    assert_shows(response, italian("The renewal date cannot be before the start date."))
    assert not Contract.objects.filter(customer=customer).exists()


@pytest.mark.django_db
def test_negative_yearly_value_is_refused(alice_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    response = alice_client.post(
        reverse("customers:contract-create", args=[customer.pk]),
        {"start_date": "2025-01-01", "renewal_date": "2026-01-01", "yearly_value": "-5"},
    )
    assert_shows(
        response,
        italian("Ensure this value is greater than or equal to %(limit_value)s.", limit_value="0"),
    )
    assert not Contract.objects.filter(customer=customer).exists()


@pytest.mark.django_db
def test_lost_reason_from_another_workspace_is_refused(alice_client, workspace_a, workspace_b):
    customer = CustomerFactory(workspace=workspace_a)
    response = alice_client.post(
        reverse("customers:lost-record-create", args=[customer.pk]),
        {"lost_on": "2025-01-01", "reason": workspace_b.lost_reasons.first().pk},
    )
    assert_shows(
        response, italian("Select a valid choice. That choice is not one of the available choices.")
    )
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE
    assert not customer.lost_records.exists()


@pytest.mark.django_db
def test_marking_lost_records_the_reason_and_the_status(alice_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    reason = workspace_a.lost_reasons.get(code="prezzo")
    response = alice_client.post(
        reverse("customers:lost-record-create", args=[customer.pk]),
        {"lost_on": "2025-01-01", "reason": reason.pk, "competitor": "Noleggi Neri"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == Customer.Status.LOST
    assert customer.lost_records.get().competitor == "Noleggi Neri"


@pytest.mark.django_db
def test_control_characters_and_bidi_overrides_are_not_stored(alice_client, workspace_a):
    response = alice_client.post(
        reverse("customers:customer-create"),
        customer_data(
            name="Rossi\u202e & Figli\u2069",
            company="\u2066Verdi\x07 Srl",
            notes="Prima riga\u202e\r\nSeconda\x1b riga",
        ),
    )
    assert response.status_code == 302
    customer = Customer.objects.get(workspace=workspace_a)
    assert customer.name == "Rossi & Figli"
    assert customer.company == "Verdi Srl"
    assert customer.notes == "Prima riga\nSeconda riga"
