"""What every request goes through: the schema and docs without a token, every operation with
one; 413 over the size limit, 429 with Retry-After past the rate, and Idempotency-Key."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import get_resolver

from ascolto.api.models import IdempotencyRecord
from ascolto.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_the_schema_documents_every_route_and_each_needs_a_token(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    documented = {path.rstrip("/") for path in schema["paths"]}
    from ascolto.api.api import api

    routes = {
        "/api/v1" + path.rstrip("/")
        for router in api._routers
        for path in router[1].path_operations
    }
    assert routes and routes <= documented
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("security") == [{"TokenAuth": []}], (method, path)
    assert get_resolver()  # the URLconf loads


def test_the_docs_are_served_from_the_package_not_a_cdn(db):
    page = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page


def test_a_body_over_the_limit_is_413(api_a, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = api_a.post("/api/v1/customers", {"name": "x" * 2000})
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]
    assert not Customer.objects.exists()


def test_past_the_rate_a_token_gets_429_with_retry_after(api_a, api_b, settings):
    settings.API_RATE_PER_MINUTE = 3
    answers = [api_a.get("/api/v1/customers").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = api_a.get("/api/v1/customers")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert api_b.get("/api/v1/customers").status_code == 200  # each token its own count


def test_a_retried_create_returns_the_first_answer(api_a):
    first = api_a.post("/api/v1/customers", {"name": "Mario"}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api_a.post("/api/v1/customers", {"name": "Mario"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert json.loads(again.content) == json.loads(first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.count() == 1
    other = api_a.post("/api/v1/customers", {"name": "Luigi"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    bad = api_a.post("/api/v1/customers", {"name": "Luigi"}, HTTP_IDEMPOTENCY_KEY="with space")
    assert bad.status_code == 400
    assert Customer.objects.count() == 1


def test_keys_are_per_token(api_a, api_b):
    api_a.post("/api/v1/customers", {"name": "Mario"}, HTTP_IDEMPOTENCY_KEY="same")
    theirs = api_b.post("/api/v1/customers", {"name": "Mario"}, HTTP_IDEMPOTENCY_KEY="same")
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Customer.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="in-memory SQLite test database cannot wait for locks"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_make_one_customer(alice, settings):
    """GIVEN a token WHEN two threads send the same create with the same key at once THEN one
    customer exists and both get its answer (PostgreSQL waits on the unique key; SQLite
    serialises writers, and runs it on PostgreSQL only)."""
    from ascolto.api.tests.conftest import make_api

    api, _token = make_api(alice)
    answers = []

    def send():
        try:
            answers.append(
                api.post("/api/v1/customers", {"name": "Gara"}, HTTP_IDEMPOTENCY_KEY="race")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Customer.objects.filter(name="Gara").count() == 1
    ids = {a.json().get("id") for a in answers if a.status_code in (200, 201)}
    assert len(ids) == 1


def test_a_token_in_the_query_string_is_refused_and_never_logged(api_a, caplog):
    """Test plan S09: only the Authorization header carries a token; one in the query string
    or a form field is a 401, and the token appears in no log line or error body."""
    secret = api_a.raw
    caplog.set_level("DEBUG")
    for params in ({"token": secret}, {"access_token": secret}, {"api_key": secret}):
        response = Client().get("/api/v1/customers", params)
        assert response.status_code == 401, params
        assert secret not in response.content.decode()
    form = Client().post("/api/v1/customers", {"access_token": secret, "name": "Mario"})
    assert form.status_code == 401
    assert api_a.get("/api/v1/customers").status_code == 200
    bad = Client().get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {secret}x")
    assert bad.status_code == 401 and secret not in bad.content.decode()
    assert secret not in caplog.text
    assert not Customer.objects.exists()
