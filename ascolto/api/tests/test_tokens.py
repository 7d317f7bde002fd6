"""API tokens: shown once, stored hashed, refused when revoked or expired, acting with the
weaker of their role and their maker's."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ascolto.api.models import ApiToken
from ascolto.api.services.tokens import (
    api_token_create,
    api_token_find,
    api_token_member,
    api_token_revoke,
)
from ascolto.api.tests.conftest import ApiClient, make_api

pytestmark = pytest.mark.django_db


def test_the_token_is_stored_only_as_its_hash(alice):
    made = api_token_create(workspace=alice.workspace, by=alice, name="Gestionale")
    row = ApiToken.objects.get(pk=made.token.pk)
    assert made.raw.startswith(f"asc_{row.prefix}_")
    assert row.token_hash == hashlib.sha256(made.raw.encode()).hexdigest()
    assert made.raw not in str(ApiToken.objects.filter(pk=row.pk).values().first())
    assert api_token_find(made.raw) == row
    assert api_token_find(made.raw + "x") is None
    assert api_token_find(f"asc_{row.prefix}_wrong") is None


def test_only_owners_make_and_revoke_tokens(alice, carol, bob):
    with pytest.raises(PermissionDenied):
        api_token_create(workspace=alice.workspace, by=carol, name="x")
    made = api_token_create(workspace=alice.workspace, by=alice, name="x")
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=made.token, by=bob)


def test_revoked_and_expired_tokens_get_401(alice):
    client, token = make_api(alice)
    assert client.get("/api/v1/customers").status_code == 200
    api_token_revoke(token=token, by=alice)
    response = client.get("/api/v1/customers")
    assert response.status_code == 401
    assert response.json()["detail"]
    client, token = make_api(alice, expires_at=timezone.now() + timedelta(hours=1))
    assert client.get("/api/v1/customers").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/customers").status_code == 401
    assert ApiClient("nonsense").get("/api/v1/customers").status_code == 401
    assert ApiClient("").get("/api/v1/customers").status_code == 401


def test_a_token_never_acts_above_its_maker_now(alice, bob):
    made = api_token_create(workspace=alice.workspace, by=alice, name="x", role="owner")
    assert api_token_member(made.token).role == "owner"
    alice.role = "agent"
    alice.save()
    token = ApiToken.objects.select_related("created_by").get(pk=made.token.pk)
    assert api_token_member(token).role == "agent"


def test_the_last_use_is_noted(alice):
    client, token = make_api(alice)
    assert token.last_used_at is None
    client.get("/api/v1/customers")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_read_only_token_cannot_write(alice):
    client, _token = make_api(alice, read_only=True)
    assert client.get("/api/v1/customers").status_code == 200
    response = client.post("/api/v1/customers", {"name": "Mario"})
    assert response.status_code == 403


def test_the_owner_page_shows_a_new_token_once_and_revokes(alice_client, alice):
    response = alice_client.post(
        "/connections/tokens/", {"name": "E-commerce", "role": "agent", "expires_on": ""}
    )
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("asc_") and raw in response.content.decode()
    token = ApiToken.objects.get(workspace=alice.workspace, name="E-commerce")
    assert token.role == "agent"
    page = alice_client.get("/connections/tokens/").content.decode()
    assert raw not in page and "E-commerce" in page
    response = alice_client.post(f"/connections/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_page_refuses_bad_input_in_italian(alice_client, alice):
    response = alice_client.post(
        "/connections/tokens/", {"name": "", "role": "boss", "expires_on": "31/02/2030"}
    )
    assert response.status_code == 400
    assert "Questo campo è obbligatorio." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_managers_and_outsiders_cannot_open_the_page(carol_client, mallory_client, alice):
    made = api_token_create(workspace=alice.workspace, by=alice, name="x")
    assert carol_client.get("/connections/tokens/").status_code == 403
    assert mallory_client.post(f"/connections/tokens/{made.token.pk}/revoke/").status_code == 404
    made.token.refresh_from_db()
    assert made.token.revoked_at is None
