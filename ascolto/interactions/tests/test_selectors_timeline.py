"""The customer timeline: one history, newest first, paged by a cursor that never skips or
repeats an entry, even when several happen at the same instant."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ascolto.customers.tests.factories import CustomerFactory, LostRecordFactory
from ascolto.interactions.selectors import TimelineCursor, timeline_for_customer
from ascolto.interactions.tests.factories import InteractionFactory, StaffSignalFactory

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def customer(workspace_a):
    return CustomerFactory(workspace=workspace_a)


@pytest.mark.django_db
def test_merges_every_kind_newest_first(workspace_a, customer):
    old_call = InteractionFactory(
        customer=customer, occurred_at=datetime(2025, 3, 1, 9, tzinfo=ROME)
    )
    signal = StaffSignalFactory(customer=customer)
    signal.created_at = datetime(2025, 3, 5, 12, tzinfo=ROME)
    signal.save()
    lost = LostRecordFactory(customer=customer, lost_on=date(2025, 3, 10))
    new_call = InteractionFactory(
        customer=customer, occurred_at=datetime(2025, 3, 12, 8, tzinfo=ROME)
    )
    CustomerFactory(workspace=workspace_a)  # another customer's history stays out
    InteractionFactory(customer=CustomerFactory(workspace=workspace_a))

    entries, next_cursor = timeline_for_customer(workspace=workspace_a, customer=customer)

    assert [(e.kind, e.obj.pk) for e in entries] == [
        ("interaction", new_call.pk),
        ("lost", lost.pk),
        ("signal", signal.pk),
        ("interaction", old_call.pk),
    ]
    assert entries[1].at == datetime(2025, 3, 10, tzinfo=ROME)
    assert next_cursor is None


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 4, 7, 11, 100])
def test_paging_returns_every_entry_once_in_order(workspace_a, customer, limit):
    start = datetime(2025, 1, 1, 12, tzinfo=ROME)
    expected = set()
    for n in range(45):
        # Three entries share each instant, so page edges fall inside groups of ties.
        at = start + timedelta(hours=n // 3)
        expected.add(("interaction", InteractionFactory(customer=customer, occurred_at=at).pk))
    for n in range(20):
        signal = StaffSignalFactory(customer=customer)
        signal.created_at = start + timedelta(hours=n)
        signal.save()
        expected.add(("signal", signal.pk))
    for _ in range(7):  # several losts on one day, one exactly at another entry's instant
        expected.add(("lost", LostRecordFactory(customer=customer, lost_on=date(2025, 1, 2)).pk))
    expected.add(
        (
            "interaction",
            InteractionFactory(customer=customer, occurred_at=datetime(2025, 1, 2, tzinfo=ROME)).pk,
        )
    )

    seen, keys, cursor, pages = [], [], None, 0
    while True:
        entries, cursor = timeline_for_customer(
            workspace=workspace_a, customer=customer, before=cursor, limit=limit
        )
        pages += 1
        seen += [(e.kind, e.obj.pk) for e in entries]
        keys += [e.sort_key for e in entries]
        if cursor is None:
            break
        # The cursor survives its trip through a URL.
        cursor = TimelineCursor.from_token(cursor.token)
        assert pages <= len(expected)

    assert len(seen) == len(set(seen)), "an entry came twice"
    assert set(seen) == expected
    assert keys == sorted(keys, reverse=True)
    assert pages == max(1, -(-len(expected) // limit))


@pytest.mark.parametrize(
    "token",
    ["", "abc", "1-interaction", "1-meeting-3", "x-signal-3", "1-signal-0", "9" * 40 + "-lost-1"],
)
def test_malformed_cursor_is_refused(token):
    with pytest.raises(ValueError):
        TimelineCursor.from_token(token)


def test_cursor_round_trip():
    cursor = TimelineCursor(
        at=datetime(2025, 5, 4, 3, 2, 1, 123456, tzinfo=ROME), kind="signal", pk=42
    )
    assert TimelineCursor.from_token(cursor.token) == cursor
