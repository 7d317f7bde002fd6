"""`ascolto cases sla --json` against a hand count."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ascolto.cases import services
from ascolto.cases.models import Case, SlaAlert
from ascolto.cases.tests.factories import open_case
from ascolto.customers.tests.factories import CustomerFactory


def _sla(*args) -> list[dict]:
    out = StringIO()
    call_command("cases", "sla", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_sla_report_by_hand(workspace_a, bob, workspace_b):
    """GIVEN three delay cases today (one acknowledged in time, one acknowledged late with a
    missed deadline, one untouched) and one breakdown resolved in time THEN the report counts
    exactly those."""
    customer = CustomerFactory(workspace=workspace_a)
    in_time, late, untouched = (open_case(customer, bob) for _ in range(3))
    services.case_status_change(case=in_time, by=bob, status="acknowledged")
    Case.objects.filter(pk=late.pk).update(
        acknowledged_at=late.acknowledge_due_at + timedelta(minutes=5)
    )
    SlaAlert.objects.create(
        workspace=workspace_a, case=late, clock="acknowledge", level="breach",
        due_at=late.acknowledge_due_at,
    )  # fmt: skip
    broken = open_case(customer, bob, code="guasto")
    services.case_status_change(case=broken, by=bob, status="resolved")
    open_case(CustomerFactory(workspace=workspace_b), workspace_b.memberships.get())
    today = timezone.localdate().isoformat()
    rows = _sla("--from", today, "--to", today, "--workspace", str(workspace_a.pk))
    assert rows == [
        {"category": "guasto", "cases": 1, "acknowledged_in_time": 1, "responded_in_time": 1,
         "resolved_in_time": 1, "breaches": 0},
        {"category": "ritardo", "cases": 3, "acknowledged_in_time": 1, "responded_in_time": 0,
         "resolved_in_time": 0, "breaches": 1},
    ]  # fmt: skip
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _sla("--from", yesterday, "--to", yesterday, "--workspace", str(workspace_a.pk)) == []
    assert untouched.acknowledged_at is None


def test_sla_report_refuses_bad_dates(workspace_a):
    with pytest.raises(CommandError):
        _sla("--from", "2025-13-01", "--to", "2025-12-31")
    with pytest.raises(CommandError):
        _sla("--from", "2025-12-31", "--to", "2025-01-01")
