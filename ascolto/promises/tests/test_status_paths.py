"""A customer's status changes through the same services whatever the page: the Edit form
runs the fit check for a prospect made active (a misfit needs a manager's reason, and lands in
the "taken despite a misfit" report) and asks why a customer left before marking them lost."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ascolto.customers import services as customer_services
from ascolto.customers.models import Customer, LostRecord
from ascolto.promises.models import FitOverride
from ascolto.promises.tests.test_fit import need, promise, prospect

pytestmark = pytest.mark.django_db


@pytest.fixture
def misfit_prospect(workspace_a):
    """A prospect needing a repair within 4 h, where the catalogue promises 24 h."""
    promise(workspace_a, dimension="timeliness", target_type="duration", limit=24, unit="hours")
    customer = prospect(workspace_a, name="Edilizia Ferri")
    need(customer, text="entro 4 ore", code="intervento", dimension="timeliness",
         target_type="duration", limit=4, unit="hours")  # fmt: skip
    return customer


@pytest.fixture
def fitting_prospect(workspace_a):
    promise(workspace_a, dimension="courtesy", target_type="flag")
    customer = prospect(workspace_a, name="Agricola Bianchi")
    need(customer, text="gentilezza", dimension="courtesy", target_type="flag")
    return customer


def _edit_data(customer: Customer, **overrides) -> dict:
    data = {
        "name": customer.name,
        "company": customer.company,
        "kind": customer.kind,
        "status": customer.status,
        "email": customer.email,
        "phone": customer.phone,
        "preferred_language": customer.preferred_language,
        "segment_name": "",
        "account_owner": customer.account_owner_id or "",
        "notes": customer.notes,
    }
    data.update(overrides)
    return data


def test_edit_form_to_active_on_a_misfit_goes_to_the_fit_check(alice_client, misfit_prospect):
    url = reverse("customers:customer-update", args=[misfit_prospect.pk])
    response = alice_client.post(
        url, _edit_data(misfit_prospect, status="active", notes="Cliente importante")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("promises:customer-convert", args=[misfit_prospect.pk])
    misfit_prospect.refresh_from_db()
    assert misfit_prospect.status == Customer.Status.PROSPECT
    assert misfit_prospect.notes == "Cliente importante"  # the other fields are kept
    assert not FitOverride.objects.filter(customer=misfit_prospect).exists()


def test_service_refuses_a_misfit_without_reason_whatever_the_caller(alice, misfit_prospect):
    with pytest.raises(customer_services.StatusChangeRefused):
        customer_services.customer_update(customer=misfit_prospect, by=alice, status="active")
    misfit_prospect.refresh_from_db()
    assert misfit_prospect.status == Customer.Status.PROSPECT
    with pytest.raises(customer_services.StatusChangeRefused):
        customer_services.customer_activate(customer=misfit_prospect, by=alice)


def test_activation_with_reason_is_on_the_misfit_report(alice, alice_client, misfit_prospect):
    customer_services.customer_activate(customer=misfit_prospect, by=alice, reason="Strategico")
    assert FitOverride.objects.get(customer=misfit_prospect).reason == "Strategico"
    report = alice_client.get(reverse("promises:fit-report"))
    assert misfit_prospect.name in report.content.decode()


def test_edit_form_to_active_on_a_fitting_prospect_converts(alice_client, fitting_prospect):
    url = reverse("customers:customer-update", args=[fitting_prospect.pk])
    response = alice_client.post(url, _edit_data(fitting_prospect, status="active"))
    assert response.status_code == 302
    fitting_prospect.refresh_from_db()
    assert fitting_prospect.status == Customer.Status.ACTIVE


def test_edit_form_to_lost_asks_why(alice_client, workspace_a, fitting_prospect):
    Customer.objects.filter(pk=fitting_prospect.pk).update(status=Customer.Status.ACTIVE)
    fitting_prospect.refresh_from_db()
    url = reverse("customers:customer-update", args=[fitting_prospect.pk])
    response = alice_client.post(url, _edit_data(fitting_prospect, status="lost"))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "customers:lost-record-create", args=[fitting_prospect.pk]
    )
    fitting_prospect.refresh_from_db()
    assert fitting_prospect.status == Customer.Status.ACTIVE
    assert not LostRecord.objects.filter(customer=fitting_prospect).exists()


def test_create_form_does_not_offer_lost(alice_client):
    page = alice_client.get(reverse("customers:customer-create")).content.decode()
    assert 'value="lost"' not in page
