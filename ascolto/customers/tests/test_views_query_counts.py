"""No N+1: the customer list and the customer page cost the same number of queries whatever
the number of rows they show."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ascolto.customers.tests.factories import (
    ContractFactory,
    CustomerFactory,
    LostRecordFactory,
    SegmentFactory,
)
from ascolto.interactions.tests.factories import InteractionFactory, StaffSignalFactory
from ascolto.textanalysis.tests.stored_fixtures import labelled
from ascolto.workspaces.tests.factories import MembershipFactory

LIST_MAX_QUERIES = 10
# 17 with analysed texts on the timeline (their badges' aspects and corrections are two
# prefetches), plus the one aggregate of the "Their words" card and the unread notifications
# counted for the navigation, the health card's score history, the customer's cases on the
# timeline, the one query of the promises that could not be measured on the timeline's
# interactions, and the customer's consent history (the "Surveys" card).
DETAIL_MAX_QUERIES = 23


def _count(client, url: str) -> int:
    client.get(url)  # the first request of a session also stores the chosen workspace
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _customers(workspace, n: int) -> None:
    members = [MembershipFactory(workspace=workspace) for _ in range(3)]
    segments = [SegmentFactory(workspace=workspace) for _ in range(3)]
    for i in range(n):
        CustomerFactory(
            workspace=workspace,
            segment=segments[i % 3],
            account_owner=members[i % 3],
            kind="internal" if i % 4 == 0 else "external",
        )


@pytest.mark.django_db
def test_customer_list_queries_do_not_grow_with_rows(
    alice_client, workspace_a, django_assert_max_num_queries
):
    url = reverse("customers:customer-list")
    _customers(workspace_a, 1)
    few = _count(alice_client, url)
    _customers(workspace_a, 29)
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = alice_client.get(url)
    assert response.content.decode().count('data-label="') >= 30 * 5 - 5 * 5  # 25 rows shown
    assert _count(alice_client, url) == few


def _history(customer, members, n: int) -> None:
    touchpoints = list(customer.workspace.touchpoints.all()[:5])
    start = date(2025, 1, 1)
    for i in range(n):
        if i % 3 == 0:
            StaffSignalFactory(customer=customer, member=members[i % len(members)])
        elif i % 10 == 1:
            LostRecordFactory(customer=customer, lost_on=start + timedelta(days=i))
        else:
            InteractionFactory(
                customer=customer,
                member=members[i % len(members)],
                touchpoint=touchpoints[i % len(touchpoints)],
            )


@pytest.mark.django_db
def test_customer_page_queries_do_not_grow_with_history(
    alice_client, alice, workspace_a, django_assert_max_num_queries
):
    members = [alice, *(MembershipFactory(workspace=workspace_a) for _ in range(3))]
    small = CustomerFactory(workspace=workspace_a, account_owner=alice)
    _history(small, members, 3)
    ContractFactory(customer=small)
    labelled(small, "Testo", sentiment="negative", emotion="anger", aspects=("price",))
    large = CustomerFactory(workspace=workspace_a, account_owner=alice)
    _history(large, members, 60)
    for _ in range(5):
        ContractFactory(customer=large)
    for i in range(20):  # analysed texts for the "Their words" card
        labelled(
            large,
            f"Testo {i}",
            sentiment="negative" if i % 2 else "positive",
            emotion="anger" if i % 3 == 0 else "none",
            aspects=("timeliness", "price")[: i % 3],
        )

    few = _count(alice_client, reverse("customers:customer-detail", args=[small.pk]))
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        response = alice_client.get(reverse("customers:customer-detail", args=[large.pk]))
    assert response.content.decode().count('<li class="timeline-item') == 50
    assert _count(alice_client, reverse("customers:customer-detail", args=[large.pk])) == few
