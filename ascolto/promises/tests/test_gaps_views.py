"""The gap pages: who may read them, what they show, and their cost in queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ascolto.promises.tests import gap_fixtures as fx

pytestmark = pytest.mark.django_db

URL = reverse("promises:gap-overview")
PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}


@pytest.fixture
def world(workspace_a, alice):
    return fx.build(workspace_a, alice)


def _card_order(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="card gap-card" id="gap-(\d+)"', html)]


def test_owner_sees_every_promise_largest_gap_first(world, alice_client):
    """GIVEN the gap fixture WHEN alice opens the gap page for January–March
    THEN one card per promise, largest gap first, with the figures worked out by hand,
    the chart with its table, and the customers who feel differently."""
    response = alice_client.get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert _card_order(html) == [world.p2.pk, world.p1.pk, world.p3.pk]
    assert f'id="gap-{world.p1.pk}" data-promise="{world.p1.pk}" data-delivered="60.0"' in html
    assert 'data-perceived="50.0"' in html
    assert 'class="chart chart-gaps"' in html and 'id="gap-table"' in html
    assert html.count('class="chart chart-sparkline"') == 3
    assert html.count('class="chart chart-gap-distribution"') == 2  # not for the flag
    assert "few-data" in html  # every figure here rests on fewer than 30 checks
    rows = re.findall(r'<tr data-customer="(\d+)" data-promise="(\d+)"', html)
    assert rows[0] == (str(world.c2.pk), str(world.p2.pk))
    assert len(rows) == 4


def test_an_agent_may_read_it(world, bob_client):
    assert bob_client.get(URL).status_code == 200


def test_segment_filter(world, alice_client):
    """GIVEN the fixture WHEN filtered on the segment "Eventi" THEN P1 is delivered 50 %."""
    response = alice_client.get(URL, {**PERIOD, "segment": world.eventi.pk})
    assert response.status_code == 200
    assert f'data-promise="{world.p1.pk}" data-delivered="50.0"' in response.content.decode()


def test_customer_page(world, alice_client):
    """GIVEN the fixture WHEN alice opens c1's gap page THEN only c1's figures, no segment filter."""
    url = reverse("promises:gap-customer", args=[world.c1.pk])
    response = alice_client.get(url, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="segment"' not in html
    delivered = re.search(rf'data-promise="{world.p1.pk}" data-delivered="([0-9.]+)"', html)
    assert float(delivered.group(1)) == pytest.approx(200 / 3)
    assert world.c1.name in html and world.c2.name not in html


def test_outsider_gets_404_on_a_customer_of_another_workspace(world, mallory_client):
    url = reverse("promises:gap-customer", args=[world.c1.pk])
    assert mallory_client.get(url).status_code == 404


def test_a_workspace_page_never_mentions_another(world, workspace_b, mallory, alice_client):
    """GIVEN workspace B with its own promises, customers and checks
    WHEN alice opens A's gap page THEN no name of B appears and A's figures are unchanged."""
    before = alice_client.get(URL, PERIOD).content.decode()
    other = fx.build(workspace_b, mallory)
    other.p1.name_it = "Promessa di B"
    other.p1.save()
    other.c1.name = "Cliente di B"
    other.c1.save()
    after = alice_client.get(URL, PERIOD).content.decode()
    assert "Promessa di B" not in after and "Cliente di B" not in after
    assert re.findall(r'data-delivered="[^"]*"', after) == re.findall(
        r'data-delivered="[^"]*"', before
    )
    # B's segment cannot be chosen on A's page.
    response = alice_client.get(URL, {**PERIOD, "segment": other.eventi.pk})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-03-01", "end": "2026-01-01"},
        {"start": "not a date"},
        {"start": "1990-01-01", "end": "1990-02-01"},
        {"segment": "abc"},
    ],
)
def test_bad_filters_are_400_with_the_default_figures(world, alice_client, params):
    response = alice_client.get(URL, params)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()


def test_empty_catalogue(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert 'id="gap-empty"' in response.content.decode()


def test_query_count_does_not_grow_with_promises(world, workspace_a, alice_client):
    """GIVEN the fixture WHEN five more promises with checks and questions are added
    THEN the page takes the same number of queries."""

    def count() -> int:
        alice_client.get(URL, PERIOD)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get(URL, PERIOD).status_code == 200
        return len(queries)

    first = count()
    for i in range(5):
        promise = fx.promise(
            workspace_a,
            f"Entro {i + 1} ore",
            dimension="timeliness",
            target_type="duration",
            start_moment="requested_at",
            end_moment="started_at",
            limit=60 * (i + 1),
            unit="hours",
            question=world.q5,
        )
        fx.check(promise, world.c1, fx.at(2), "kept", 30)
        fx.check(promise, world.c2, fx.at(3), "broken", 900)
    assert count() == first


def test_customer_page_shows_only_the_promises_that_apply(world, workspace_a, alice_client):
    """GIVEN a promise for the segment "Industria" measured by the same question c2 answered
    WHEN alice opens the gap page of c2 (segment "Eventi") THEN that promise is not shown (it
    was, with a perceived value from c2's answer), while the promises of every segment are."""
    industria = fx.SegmentFactory(workspace=workspace_a, name="Industria")
    other = fx.promise(
        workspace_a,
        "Solo per l'industria",
        dimension="timeliness",
        target_type="flag",
        segment=industria,
        question=world.p1.question,
    )
    own = fx.promise(
        workspace_a,
        "Solo per gli eventi",
        dimension="tangibles",
        target_type="flag",
        segment=world.eventi,
    )
    html = alice_client.get(
        reverse("promises:gap-customer", args=[world.c2.pk]), PERIOD
    ).content.decode()
    shown = _card_order(html)
    assert other.pk not in shown
    assert {world.p1.pk, world.p2.pk, own.pk} <= set(shown)
