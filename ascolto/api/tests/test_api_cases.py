"""Cases, remedies and health scores through the API: the pages' services decide, remedies obey
the same budgets, nothing of another workspace."""

from __future__ import annotations

import pytest

from ascolto.api.tests.conftest import make_api
from ascolto.cases.models import Case, Remedy
from ascolto.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_open_move_and_refuse_with_the_field(api_a, alice):
    customer = CustomerFactory(workspace=alice.workspace)
    response = api_a.post(
        "/api/v1/cases",
        {"customer_id": customer.pk, "category": "ritardo", "description": "In ritardo"},
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    assert api_a.get("/api/v1/cases", {"open": True}).json()["count"] == 1
    moved = api_a.post(f"/api/v1/cases/{case_id}/status", {"status": "acknowledged"})
    assert moved.status_code == 200 and moved.json()["status"] == "acknowledged"
    unknown = api_a.post("/api/v1/cases", {"customer_id": customer.pk, "category": "nessuna"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "category"
    remedy = api_a.post(f"/api/v1/cases/{case_id}/remedies", {"kind": "teleport", "amount": "5"})
    assert remedy.status_code == 422 and remedy.json()["errors"][0]["field"] == "kind"
    assert not Remedy.objects.exists()


def test_cases_of_b_are_404_for_a_token_of_a(api_a, mallory):
    api_b, _t = make_api(mallory)
    customer = CustomerFactory(workspace=mallory.workspace)
    made = api_b.post("/api/v1/cases", {"customer_id": customer.pk, "category": "ritardo"})
    case_id = made.json()["id"]
    assert api_a.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert (
        api_a.post(f"/api/v1/cases/{case_id}/status", {"status": "acknowledged"}).status_code == 404
    )
    assert api_a.get("/api/v1/cases").json()["count"] == 0
    assert api_a.get("/api/v1/health-scores").json()["count"] == 0
    assert api_a.get(f"/api/v1/customers/{customer.pk}/health").status_code == 404
    assert Case.objects.get(pk=case_id).status == "new"
