from __future__ import annotations

import pytest

from ascolto.customers.selectors import CustomerFilters, customer_list
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.workspaces.tests.factories import MembershipFactory


@pytest.fixture
def customers(workspace_a, workspace_b, alice):
    carla = MembershipFactory(workspace=workspace_a)
    edilizia = SegmentFactory(workspace=workspace_a, name="Edilizia")
    eventi = SegmentFactory(workspace=workspace_a, name="Eventi")
    made = {
        "ferri": CustomerFactory(
            workspace=workspace_a,
            name="Edilizia Ferri",
            company="Ferri Costruzioni",
            email="ufficio@ferri.example.com",
            phone="+39 051 111222",
            segment=edilizia,
            account_owner=alice,
        ),
        "bianchi": CustomerFactory(
            workspace=workspace_a,
            name="Agricola Bianchi",
            company="",
            segment=eventi,
            status="prospect",
            account_owner=carla,
        ),
        "acquisti": CustomerFactory(
            workspace=workspace_a,
            name="Ufficio acquisti",
            company="",
            kind="internal",
            status="lost",
        ),
        "other": CustomerFactory(workspace=workspace_b, name="Edilizia Altrove"),
    }
    made.update(edilizia=edilizia, eventi=eventi, carla=carla)
    return made


def names(workspace, **filters) -> list[str]:
    return [c.name for c in customer_list(workspace=workspace, filters=CustomerFilters(**filters))]


@pytest.mark.django_db
def test_no_filter_lists_the_workspace_by_name(workspace_a, customers):
    assert names(workspace_a) == ["Agricola Bianchi", "Edilizia Ferri", "Ufficio acquisti"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ferri", ["Edilizia Ferri"]),  # name, any case
        ("COSTRUZIONI", ["Edilizia Ferri"]),  # company
        ("ufficio@ferri", ["Edilizia Ferri"]),  # email
        ("051 111", ["Edilizia Ferri"]),  # phone
        ("  bianchi ", ["Agricola Bianchi"]),
        ("edilizia", ["Edilizia Ferri"]),  # never the other workspace's namesake
        ("nessuno", []),
    ],
)
def test_search(workspace_a, customers, q, expected):
    assert names(workspace_a, q=q) == expected


@pytest.mark.django_db
def test_filters(workspace_a, workspace_b, customers, alice):
    assert names(workspace_a, segment=customers["eventi"].pk) == ["Agricola Bianchi"]
    assert names(workspace_a, status="prospect") == ["Agricola Bianchi"]
    assert names(workspace_a, status="lost") == ["Ufficio acquisti"]
    assert names(workspace_a, owner=alice.pk) == ["Edilizia Ferri"]
    assert names(workspace_a, owner=customers["carla"].pk) == ["Agricola Bianchi"]
    assert names(workspace_a, kind="internal") == ["Ufficio acquisti"]
    assert names(workspace_a, kind="external", status="active") == ["Edilizia Ferri"]
    assert names(workspace_a, q="e", segment=customers["edilizia"].pk) == ["Edilizia Ferri"]
    # Another workspace's ids as filters find nothing of A's.
    assert names(workspace_b, segment=customers["edilizia"].pk) == []
    assert names(workspace_b, owner=alice.pk) == []


@pytest.mark.django_db
def test_list_view_applies_filters_and_keeps_them_in_page_links(
    alice_client, workspace_a, customers, settings
):
    settings.PAGE_SIZE = 1
    for n in range(3):
        CustomerFactory(workspace=workspace_a, name=f"Edilizia {n}", segment=customers["edilizia"])
    html = alice_client.get(
        f"/customers/?segment={customers['edilizia'].pk}&status=active&q=edilizia"
    ).content.decode()
    assert "Edilizia 0" in html and "Agricola Bianchi" not in html
    assert (
        f"?segment={customers['edilizia'].pk}&amp;status=active&amp;q=edilizia&amp;page=2" in html
    )


@pytest.mark.django_db
def test_list_view_ignores_malformed_filters(alice_client, customers):
    response = alice_client.get("/customers/?segment=abc&owner=--&status=zzz&kind=1&page=x")
    assert response.status_code == 200
    assert "Edilizia Ferri" in response.content.decode()


@pytest.mark.django_db
def test_empty_list_says_so(alice_client, workspace_a):
    html = alice_client.get("/customers/").content.decode()
    assert "<table" not in html
    assert 'href="/customers/new/"' in html
