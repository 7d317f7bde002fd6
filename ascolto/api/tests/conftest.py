from __future__ import annotations

import json

import pytest
from django.test import Client

from ascolto.api.services.tokens import api_token_create


class ApiClient:
    """A Django test client that sends a bearer token and JSON."""

    def __init__(self, raw: str):
        self.raw = raw
        self.client = Client()

    def _headers(self, headers):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.raw}", **(headers or {})}

    def get(self, path, params=None, **headers):
        return self.client.get(path, params or {}, **self._headers(headers))

    def post(self, path, data=None, **headers):
        return self.client.post(
            path, json.dumps(data), content_type="application/json", **self._headers(headers)
        )

    def patch(self, path, data=None, **headers):
        return self.client.patch(
            path, json.dumps(data), content_type="application/json", **self._headers(headers)
        )


def make_api(member, role=None, **kwargs):
    made = api_token_create(
        workspace=member.workspace,
        by=member.workspace.memberships.get(role="owner"),
        name=kwargs.pop("name", "Gestionale"),
        role=role or "manager",
        **kwargs,
    )
    return ApiClient(made.raw), made.token


@pytest.fixture
def api_a(alice):
    return make_api(alice, "manager")[0]


@pytest.fixture
def api_b(mallory):
    return make_api(mallory, "manager")[0]
