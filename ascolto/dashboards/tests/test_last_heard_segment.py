"""`LastHeard`'s copy of the customer's segment follows every way a customer's segment is
written (insert, change to and from none, one by one and in bulk, a deleted segment), and the
coverage and silent list filtered on a segment, read from that copy, equal a count by hand."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.dashboards import selectors
from ascolto.dashboards.models import LastHeard
from ascolto.dashboards.tests.factories import ResponseFactory, SurveyFactory
from ascolto.interactions.tests.factories import InteractionFactory

MIGRATION = importlib.import_module("ascolto.dashboards.migrations.0005_last_heard_segment")
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def segments_kept() -> dict:
    return dict(LastHeard.objects.values_list("customer_id", "segment_id"))


def segments_of_customers() -> dict:
    return dict(Customer.objects.values_list("pk", "segment_id"))


@pytest.mark.django_db(transaction=True)
def test_last_heard_segment_follows_customers_and_segments(workspace_a, workspace_b):
    """GIVEN customers created with and without a segment, one by one and in bulk
    WHEN they change segment, to none and from none, one by one and in bulk, and a segment is
    deleted (Django sets its customers' segment to none with an UPDATE)
    THEN each customer's `LastHeard.segment_id` equals its segment after every step."""
    edilizia, eventi = (SegmentFactory(workspace=workspace_a) for _i in range(2))
    ann, ben = (CustomerFactory(workspace=workspace_a, segment=edilizia) for _i in range(2))
    cat = CustomerFactory(workspace=workspace_a, segment=None)
    Customer.objects.bulk_create(
        [
            Customer(workspace=workspace_a, name=f"Bulk {i}", segment=segment)
            for i, segment in enumerate((eventi, None, edilizia))
        ]
    )
    other = CustomerFactory(workspace=workspace_b, segment=SegmentFactory(workspace=workspace_b))
    kept = segments_kept()
    assert kept == segments_of_customers()
    assert (kept[ann.pk], kept[cat.pk], kept[other.pk]) == (edilizia.pk, None, other.segment_id)

    ann.segment = eventi
    ann.save()
    Customer.objects.filter(pk=ben.pk).update(segment=None)
    Customer.objects.filter(pk=cat.pk).update(segment=edilizia)
    Customer.objects.filter(name__startswith="Bulk").update(segment=eventi)
    assert segments_kept() == segments_of_customers()
    assert segments_kept()[cat.pk] == edilizia.pk

    # Status and segment changed in one UPDATE: both copies follow.
    Customer.objects.filter(pk=cat.pk).update(segment=eventi, status=Customer.Status.LOST)
    assert LastHeard.objects.filter(pk=cat.pk).values_list("status", "segment_id").get() == (
        Customer.Status.LOST,
        eventi.pk,
    )

    eventi_pk = eventi.pk
    eventi.delete()
    assert segments_kept() == segments_of_customers()
    assert not LastHeard.objects.filter(segment_id=eventi_pk).exists()
    assert segments_kept()[ann.pk] is None


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_copy_and_its_reverse_stops_following(workspace_a):
    """GIVEN the reverse migration (0003's triggers, which copy the status only)
    WHEN a customer changes segment, then the forward step runs again
    THEN the copy is stale without the segment trigger, filled from the customers by the
    forward step, and followed by the trigger afterwards."""
    first, second = (SegmentFactory(workspace=workspace_a) for _i in range(2))
    customer = CustomerFactory(workspace=workspace_a, segment=first)
    with connection.schema_editor() as editor:
        MIGRATION.copy_status_only(None, editor)
    try:
        Customer.objects.filter(pk=customer.pk).update(segment=second)
        fresh = CustomerFactory(workspace=workspace_a, segment=second)
        assert segments_kept()[customer.pk] == first.pk  # no trigger copies the segment
        assert segments_kept()[fresh.pk] is None
        Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.LOST)
        assert LastHeard.objects.get(pk=customer.pk).status == Customer.Status.LOST
    finally:
        with connection.schema_editor() as editor:
            MIGRATION.copy_segment(None, editor)
    assert segments_kept() == segments_of_customers()
    Customer.objects.filter(pk=fresh.pk).update(segment=first)
    assert segments_kept() == segments_of_customers()


def hand_count(workspace, segment, days: int) -> tuple[int, int, list[int]]:
    """Active customers of the segment, how many we heard from since `days` ago, and the silent
    ones by name and pk, from the customers' interactions and answers."""
    since = NOW - timedelta(days=days)
    active = heard = 0
    silent = []
    for c in Customer.objects.filter(workspace=workspace, segment=segment, status="active"):
        times = [
            *c.interactions.values_list("occurred_at", flat=True),
            *c.survey_responses.values_list("submitted_at", flat=True),
        ]
        active += 1
        if times and max(times) >= since:
            heard += 1
        else:
            silent.append((c.name, c.pk))
    return active, heard, [pk for _name, pk in sorted(silent)]


@pytest.mark.django_db
def test_coverage_and_silent_list_of_a_segment_equal_a_hand_count(
    workspace_a, workspace_b, monkeypatch
):
    """GIVEN a segment's customers heard from recently, long ago and never, some lost, with
    equal names, customers of another segment and without one, and another workspace
    WHEN coverage and the silent list are read for the segment, before and after customers
    move in and out of it
    THEN they equal a count by hand, in order of name and pk."""
    survey = SurveyFactory(workspace=workspace_a)
    edilizia, eventi = (SegmentFactory(workspace=workspace_a) for _i in range(2))
    recent, old, never = NOW - timedelta(days=3), NOW - timedelta(days=200), None
    people = [
        ("Zeta", edilizia, "active", recent),
        ("Alfa", edilizia, "active", old),
        ("Alfa", edilizia, "active", never),
        ("Beta", edilizia, "active", never),
        ("Gamma", edilizia, "lost", old),
        ("Delta", eventi, "active", old),
        ("Epsilon", None, "active", never),
        ("Eta", edilizia, "active", NOW - timedelta(days=89)),
    ]
    made = []
    for i, (name, segment, status, moment) in enumerate(people):
        customer = CustomerFactory(workspace=workspace_a, name=name, segment=segment, status=status)
        if moment is not None and i % 2:
            InteractionFactory(customer=customer, occurred_at=moment)
        elif moment is not None:
            ResponseFactory(survey=survey, customer=customer, submitted_at=moment)
        made.append(customer)
    other = CustomerFactory(workspace=workspace_b, segment=SegmentFactory(workspace=workspace_b))

    def read(segment):
        cover = selectors.coverage(workspace=workspace_a, days=90, segment=segment, now=NOW)
        silent = selectors.silent_customers(
            workspace=workspace_a, days=90, segment=segment, now=NOW
        )
        return cover.active, cover.heard, [c.pk for c in silent]

    assert read(edilizia) == hand_count(workspace_a, edilizia, 90)
    assert read(edilizia)[:2] == (5, 2)
    assert read(eventi) == hand_count(workspace_a, eventi, 90)
    assert read(other.segment) == (0, 0, [])

    Customer.objects.filter(pk=made[5].pk).update(segment=edilizia)
    Customer.objects.filter(pk=made[1].pk).update(segment=None)
    Customer.objects.filter(pk=made[4].pk).update(status="active")
    for segment in (edilizia, eventi):
        assert read(segment) == hand_count(workspace_a, segment, 90)
    # A page, found both ways: from the few silent rows, and walking the customers by name
    # (when there are more than FEW_SILENT of them).
    active, heard, silent = hand_count(workspace_a, edilizia, 90)
    assert len(silent) == 4
    for few in (selectors.FEW_SILENT, 3):
        monkeypatch.setattr(selectors, "FEW_SILENT", few)
        pages = [
            selectors.silent_customers_page(
                workspace=workspace_a,
                days=90,
                segment=edilizia,
                total=active - heard,
                page=number,
                per_page=3,
                now=NOW,
            )
            for number in (1, 2)
        ]
        assert [c.pk for p in pages for c in p.object_list] == silent
