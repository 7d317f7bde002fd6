"""Promises in business hours read the workspace's own opening hours and closed days."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.services import interaction_record
from ascolto.promises.models import PromiseCheck
from ascolto.promises.services import promise_checks_run
from ascolto.promises.tests.test_services_checks import _touchpoint, make_promise
from ascolto.workspaces.services import workspace_hours_update

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def _visit(customer, by, asked: datetime, started: datetime):
    return interaction_record(
        customer=customer,
        by=by,
        touchpoint=_touchpoint(customer.workspace),
        occurred_at=asked,
        requested_at=asked,
        started_at=started,
    )


def test_saturday_hours_count_for_a_shop_open_on_saturday(workspace_a, alice):
    """GIVEN a promise of 8 working hours and a call on Friday at 16:00, visit Monday at 10:00
    WHEN the business is open Monday to Friday 9-18: 2 + 1 = 3 hours, kept
    AND WHEN it also opens Saturday 9-13 and the check is run again: 7 hours, still kept,
    measured with the new hours."""
    make_promise(workspace_a, alice, limit=8, business_hours=True)
    customer = CustomerFactory(workspace=workspace_a)
    visit = _visit(
        customer,
        alice,
        datetime(2026, 3, 6, 16, tzinfo=ROME),
        datetime(2026, 3, 9, 10, tzinfo=ROME),
    )
    check = PromiseCheck.objects.get(interaction=visit)
    assert (check.outcome, check.measured) == ("kept", 180)

    workspace_hours_update(
        workspace=workspace_a,
        by=alice,
        opening_hours=["9-18"] * 5 + ["9-13", ""],
        closed_days="",
        public_holidays=True,
    )
    promise_checks_run(workspace=workspace_a)
    check.refresh_from_db()
    assert check.measured == 7 * 60


def test_a_closed_day_is_not_counted(workspace_a, alice):
    make_promise(workspace_a, alice, limit=8, business_hours=True)
    workspace_hours_update(
        workspace=workspace_a,
        by=alice,
        opening_hours=["9-18"] * 5 + ["", ""],
        closed_days="10/03 - 10/03 inventario",
        public_holidays=True,
    )
    workspace_a.refresh_from_db()
    customer = CustomerFactory(workspace=workspace_a)
    # Monday 17:00 → Wednesday 11:00, Tuesday 10 March closed every year: 1 + 2 hours
    visit = _visit(
        customer,
        alice,
        datetime(2026, 3, 9, 17, tzinfo=ROME),
        datetime(2026, 3, 11, 11, tzinfo=ROME),
    )
    assert PromiseCheck.objects.get(interaction=visit).measured == 3 * 60


def test_bad_hours_are_refused_and_nothing_changes(workspace_a, alice):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        workspace_hours_update(
            workspace=workspace_a,
            by=alice,
            opening_hours=["9-18"] * 5 + ["18-9", ""],
            closed_days="",
            public_holidays=True,
        )
    workspace_a.refresh_from_db()
    assert workspace_a.opening_hours == ["9-18"] * 5 + ["", ""]
