"""Tenant isolation of the customer and timeline pages (test plan S01).

The walker reads the URL patterns themselves, so a new URL that takes an id is covered the day
it is added. Naming rule it relies on (see the urls modules): `pk` is the entity the URL name
starts with (`contract-update` → a contract), `<entity>_pk` is that entity (`customer_pk`).
"""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, reverse

from ascolto.customers import urls as customer_urls
from ascolto.customers.models import Contract, Customer, LostRecord, Segment
from ascolto.customers.tests.factories import (
    ContractFactory,
    CustomerFactory,
    LostRecordFactory,
    SegmentFactory,
)
from ascolto.interactions import urls as interaction_urls
from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.interactions.tests.factories import InteractionFactory, StaffSignalFactory

URL_MODULES = [customer_urls, interaction_urls]


def _routes_with_ids() -> list[tuple[str, list[str]]]:
    routes = []
    for module in URL_MODULES:
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern), (
                f"{pattern!r}: the walker cannot follow includes"
            )
            kwargs = list(pattern.pattern.converters)
            if kwargs:
                routes.append((f"{module.app_name}:{pattern.name}", kwargs))
    return routes


ROUTES = _routes_with_ids()


def _entity(url_name: str, kwarg: str) -> str:
    if kwarg == "pk":
        return url_name.split(":", 1)[1].rsplit("-", 1)[0]
    if kwarg.endswith("_pk"):
        return kwarg.removesuffix("_pk").replace("_", "-")
    pytest.fail(f"{url_name}: the walker does not know what the URL argument {kwarg!r} is")


@pytest.fixture
def a_objects(workspace_a, alice):
    """One object of every kind in workspace A, by the entity names URLs use."""
    customer = CustomerFactory(
        workspace=workspace_a, name="Cliente di A", account_owner=alice, notes="nota originale"
    )
    return {
        "customer": customer,
        "contract": ContractFactory(customer=customer),
        "interaction": InteractionFactory(customer=customer, member=alice),
        "signal": StaffSignalFactory(customer=customer, member=alice),
        "lost-record": LostRecordFactory(customer=customer),
    }


def _url(url_name: str, kwargs: list[str], objects: dict) -> str:
    values = {}
    for kwarg in kwargs:
        entity = _entity(url_name, kwarg)
        if entity not in objects:
            pytest.fail(f"{url_name}: the walker has no {entity!r} object for {kwarg!r}")
        values[kwarg] = objects[entity].pk
    return reverse(url_name, kwargs=values)


def _snapshot(workspace) -> dict:
    """Every row workspace A has in these apps, field by field."""
    models = [Customer, Contract, LostRecord, Segment, Interaction, StaffSignal]
    return {
        model.__name__: [model_to_dict(obj) for obj in model.objects.filter(workspace=workspace)]
        for model in models
    }


def _payload(workspace) -> dict:
    """Data every form would accept from a member of A: the attack should fail for tenancy
    alone, not because the data is bad."""
    return {
        "name": "Rinominato",
        "company": "Altra",
        "kind": "external",
        "status": "active",
        "email": "nuovo@example.com",
        "preferred_language": "it",
        "segment_name": "Intrusi",
        "notes": "cambiato",
        "title": "Contratto",
        "start_date": "2024-01-01",
        "renewal_date": "2025-01-01",
        "yearly_value": "100",
        "lost_on": "2024-06-01",
        "reason": workspace.lost_reasons.first().pk,
        "competitor": "Concorrenza Srl",
        "touchpoint": workspace.touchpoints.first().pk,
        "channel": "phone",
        "occurred_at": "2024-06-01T10:00",
        "text": "scritto da fuori",
        "polarity": "negative",
    }


def test_walker_sees_every_route_with_an_id():
    names = {name for name, _ in ROUTES}
    assert {
        "customers:customer-detail",
        "customers:customer-update",
        "customers:customer-delete",
        "customers:contract-create",
        "customers:contract-update",
        "customers:lost-record-create",
        "interactions:timeline",
        "interactions:interaction-create",
        "interactions:interaction-update",
        "interactions:interaction-delete",
        "interactions:signal-create",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("url_name", "kwargs"), ROUTES, ids=[name for name, _ in ROUTES])
def test_outsider_gets_404_and_changes_nothing(
    url_name, kwargs, method, mallory_client, alice_client, workspace_a, a_objects
):
    url = _url(url_name, kwargs, a_objects)
    # The URL is real: a member of A reaches the object (a POST-only page answers 405).
    assert alice_client.get(url).status_code in (200, 405)
    before = _snapshot(workspace_a)

    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        if method == "get":
            response = mallory_client.get(url, **headers)
        else:
            response = mallory_client.post(url, _payload(workspace_a), **headers)
        assert response.status_code == 404, (url, method, headers)

    assert _snapshot(workspace_a) == before


@pytest.mark.django_db
def test_lists_and_search_never_cross_workspaces(
    alice_client, mallory_client, alice, mallory, workspace_a, workspace_b
):
    segment_a = SegmentFactory(workspace=workspace_a, name="Edilizia")
    CustomerFactory(
        workspace=workspace_a, name="Marcatore Alfa", segment=segment_a, account_owner=alice
    )
    CustomerFactory(workspace=workspace_b, name="Marcatore Beta", account_owner=mallory)

    queries = ["", "?q=Marcatore", "?q=example.com", "?status=active&kind=external"]
    for query in queries:
        page_a = alice_client.get(f"/customers/{query}").content.decode()
        page_b = mallory_client.get(f"/customers/{query}").content.decode()
        assert "Marcatore Alfa" in page_a and "Marcatore Beta" not in page_a, query
        assert "Marcatore Beta" in page_b and "Marcatore Alfa" not in page_b, query

    # A's ids used as filters in B find nothing of A's and list none of A's segments or members.
    page_b = mallory_client.get(
        f"/customers/?segment={segment_a.pk}&owner={alice.pk}"
    ).content.decode()
    assert "Marcatore Alfa" not in page_b
    assert "Edilizia" not in page_b
    assert alice.display_name not in page_b
