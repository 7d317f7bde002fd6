"""The customer list's sortable columns (health score, last NPS, last heard, open cases, and
the list's own: name, status, owner, added): sorted in the database, the sort kept in the URL,
headers that are links with `aria-sort`; bad sort values fall back to the name."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.health.services import health_scores_compute
from ascolto.health.tests import fixtures as f

URL = reverse("customers:customer-list")


def _names(response) -> list[str]:
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r'customer-detail[^"]*"?[^>]*>([^<]+)</a>', body) or re.findall(
        r"/customers/\d+/\">([^<]+)</a>", body
    )


def _world(workspace, alice):
    now = timezone.now()
    made = {}
    for name, nps, complaints in (("Bravo", 10, 0), ("Alfa", 2, 2), ("Charlie", None, 0)):
        c = CustomerFactory(workspace=workspace, name=name, created_at=now - timedelta(400))
        if nps is not None:
            f.nps(c, nps, now - timedelta(days=3))
            f.interaction(c, now - timedelta(days=2))
        for i in range(complaints):
            f.interaction(c, now - timedelta(days=1, hours=i), code="reclamo")
        made[name] = c
    health_scores_compute(workspace=workspace, now=now, alert=False)
    return made


def test_sorting_by_each_column_happens_in_the_database_and_stays_in_the_url(
    alice_client, alice, workspace_a
):
    _world(workspace_a, alice)
    assert _names(alice_client.get(URL)) == ["Alfa", "Bravo", "Charlie"]
    assert _names(alice_client.get(URL, {"sort": "-name"})) == ["Charlie", "Bravo", "Alfa"]
    # Lowest health first; a customer without a score (not enough data) last either way.
    assert _names(alice_client.get(URL, {"sort": "health"})) == ["Alfa", "Bravo", "Charlie"]
    assert _names(alice_client.get(URL, {"sort": "-health"})) == ["Bravo", "Alfa", "Charlie"]
    assert _names(alice_client.get(URL, {"sort": "-nps"})) == ["Bravo", "Alfa", "Charlie"]
    assert _names(alice_client.get(URL, {"sort": "-cases"}))[0] == "Alfa"
    assert _names(alice_client.get(URL, {"sort": "-heard"}))[-1] == "Charlie"
    for key in ("status", "owner", "added", "-added"):
        assert alice_client.get(URL, {"sort": key}).status_code == 200
    # Bad values are the default order, never an error.
    for bad in ("drop table", "-", "--health", "x" * 500):
        response = alice_client.get(URL, {"sort": bad})
        assert response.status_code == 200
        assert _names(response) == ["Alfa", "Bravo", "Charlie"]
    html = alice_client.get(URL, {"sort": "health", "q": "a"}).content.decode()
    # The sorted header says so and links to the other direction, keeping the filters.
    assert 'aria-sort="ascending"' in html
    assert "sort=-health" in html and "q=a" in html
    assert 'name="sort" value="health"' in html  # the filter form keeps the sort


def test_the_sort_is_kept_across_pages(alice_client, alice, workspace_a, settings):
    settings.PAGE_SIZE = 2
    _world(workspace_a, alice)
    html = alice_client.get(URL, {"sort": "-health"}).content.decode()
    assert "sort=-health&amp;page=2" in html
    page2 = alice_client.get(URL, {"sort": "-health", "page": 2})
    assert _names(page2) == ["Charlie"]


def test_other_workspaces_scores_do_not_show(alice_client, alice, workspace_a, workspace_b):
    _world(workspace_a, alice)
    other = CustomerFactory(workspace=workspace_b, name="Zulu")
    f.nps(other, 10, timezone.now() - timedelta(days=1))
    health_scores_compute(workspace=workspace_b, alert=False)
    names = _names(alice_client.get(URL, {"sort": "-health"}))
    assert "Zulu" not in names and len(names) == 3
