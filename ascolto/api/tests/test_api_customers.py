"""Customers, segments and contracts through the API: the same services as the pages, upsert by
external id or email, errors naming the field, and nothing of another workspace."""

from __future__ import annotations

import pytest

from ascolto.api.tests.conftest import make_api
from ascolto.customers.models import Contract, Customer, Segment
from ascolto.customers.tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_create_then_upsert_by_external_id_and_by_email(api_a, alice):
    response = api_a.post(
        "/api/v1/customers",
        {
            "external_id": "GEST-1",
            "name": "Mario Rossi",
            "email": "mario@example.it",
            "segment": "Edilizia",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_id"] == "GEST-1" and body["segment"] == "Edilizia"
    again = api_a.post("/api/v1/customers", {"external_id": "GEST-1", "phone": "0612345"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    by_email = api_a.post("/api/v1/customers", {"name": "M. Rossi", "email": "MARIO@example.it"})
    assert by_email.status_code == 200 and by_email.json()["id"] == body["id"]
    assert Customer.objects.filter(workspace=alice.workspace).count() == 1
    customer = Customer.objects.get()
    assert customer.phone == "0612345" and customer.name == "M. Rossi"
    assert customer.account_owner == alice  # the token's maker acts


def test_lookup_list_filters_and_pagination(api_a, alice):
    api_a.post("/api/v1/customers", {"external_id": "E-9", "name": "Bianchi", "email": "b@x.it"})
    for i in range(3):
        CustomerFactory(workspace=alice.workspace, name=f"Zeta {i}", status="prospect")
    assert api_a.get("/api/v1/customers/lookup", {"external_id": "E-9"}).json()["name"] == "Bianchi"
    assert api_a.get("/api/v1/customers/lookup", {"email": "B@X.IT"}).json()["external_id"] == "E-9"
    assert api_a.get("/api/v1/customers/lookup", {"email": "nobody@x.it"}).status_code == 404
    page = api_a.get("/api/v1/customers", {"status": "prospect", "limit": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    assert api_a.get("/api/v1/customers", {"external_id": "E-9"}).json()["count"] == 1
    bad = api_a.get("/api/v1/customers", {"limit": 0, "status": "gone"})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"limit", "status"} <= fields


def test_bad_input_names_the_field_and_saves_nothing(api_a):
    response = api_a.post("/api/v1/customers", {"name": "Mario", "email": "not-an-email"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"
    assert (
        api_a.post("/api/v1/customers", {"email": "x@y.it"}).json()["errors"][0]["field"] == "name"
    )
    garbage = api_a.client.post(
        "/api/v1/customers",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_a.raw}",
    )
    assert 400 <= garbage.status_code < 500
    assert not Customer.objects.exists()


def test_bulk_answers_per_item(api_a):
    response = api_a.post(
        "/api/v1/customers/bulk",
        {
            "items": [
                {"name": "Uno", "email": "1@x.it"},
                {"name": "Due", "email": "bad"},
                {"external_id": "T", "name": "Tre"},
            ]
        },
    )
    assert response.status_code == 200
    statuses = [item["status"] for item in response.json()]
    assert statuses == [201, 422, 201]
    assert response.json()[1]["errors"][0]["field"] == "email"
    assert Customer.objects.count() == 2


def test_contracts_by_customer_external_id_and_dedupe(api_a, alice):
    api_a.post("/api/v1/customers", {"external_id": "C1", "name": "Rossi"})
    data = {
        "external_id": "K1",
        "customer_external_id": "C1",
        "title": "Noleggio",
        "start_date": "2026-01-01",
        "renewal_date": "2027-01-01",
        "yearly_value": "1200.50",
    }
    first = api_a.post("/api/v1/contracts", data)
    assert first.status_code == 201, first.content
    second = api_a.post("/api/v1/contracts", {**data, "yearly_value": "1300"})
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert Contract.objects.get().yearly_value == 1300
    wrong = api_a.post(
        "/api/v1/contracts", {**data, "external_id": "K2", "renewal_date": "2025-01-01"}
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "renewal_date"


def test_an_agent_token_cannot_do_what_an_agent_cannot(alice):
    agent_api, _token = make_api(alice, "agent")
    customer = CustomerFactory(workspace=alice.workspace)
    response = agent_api.post(
        "/api/v1/contracts",
        {"customer_id": customer.pk, "start_date": "2026-01-01", "renewal_date": "2027-01-01"},
    )
    assert response.status_code == 403
    assert not Contract.objects.exists()
    assert agent_api.post("/api/v1/customers", {"name": "Ok"}).status_code == 201


def test_a_token_of_a_never_sees_or_touches_b(api_a, alice, mallory):
    theirs = CustomerFactory(workspace=mallory.workspace, email="b@b.it")
    contract = ContractFactory(customer=theirs)
    segment = Segment.objects.create(workspace=mallory.workspace, name="Loro")
    assert api_a.get(f"/api/v1/customers/{theirs.pk}").status_code == 404
    assert api_a.patch(f"/api/v1/customers/{theirs.pk}", {"name": "x"}).status_code == 404
    assert api_a.get(f"/api/v1/contracts/{contract.pk}").status_code == 404
    assert api_a.get("/api/v1/customers").json()["count"] == 0
    assert api_a.get("/api/v1/customers/lookup", {"email": "b@b.it"}).status_code == 404
    assert api_a.get("/api/v1/customers", {"segment": segment.pk}).json()["count"] == 0
    made = api_a.post(
        "/api/v1/contracts",
        {"customer_id": theirs.pk, "start_date": "2026-01-01", "renewal_date": "2027-01-01"},
    )
    assert made.status_code == 422 and made.json()["errors"][0]["field"] == "customer_id"
    # Same email in A makes a new customer of A; B's is untouched.
    assert api_a.post("/api/v1/customers", {"name": "Nuovo", "email": "b@b.it"}).status_code == 201
    theirs.refresh_from_db()
    assert theirs.name != "Nuovo"
    assert Customer.objects.filter(workspace=alice.workspace).count() == 1
    for huge in (0, 2**70):
        assert api_a.get(f"/api/v1/customers/{huge}").status_code == 404


def test_null_characters_are_refused_with_the_field(api_a):
    response = api_a.post("/api/v1/customers", {"name": "Ma\x00rio"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert api_a.get("/api/v1/customers", {"q": "a\x00"}).status_code == 422
    assert not Customer.objects.exists()
