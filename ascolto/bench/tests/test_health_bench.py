"""`ascolto bench health --customers N`: a generated workspace, timed, both forms of the
signals agreeing on how many customers they read."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from ascolto.customers.models import Customer
from ascolto.health.models import HealthScore
from ascolto.interactions.models import Interaction

pytestmark = pytest.mark.django_db


def test_bench_health_generates_a_workspace_and_times_the_batch():
    out = StringIO()
    call_command(
        "bench",
        "health",
        "--customers",
        "40",
        "--repeat",
        "1",
        "--json",
        "--subqueries",
        stdout=out,
        stderr=StringIO(),
    )
    result = json.loads(out.getvalue())
    workspace = result["workspace"]
    assert Customer.objects.filter(workspace_id=workspace).count() == 40
    assert Interaction.objects.filter(workspace_id=workspace).count() >= 80
    # Customers lost before today are not scored; everyone else is, by both forms.
    assert 0 < result["customers_scored"] <= 40
    assert result["signal_rows"] == result["customers_scored"]
    assert HealthScore.objects.filter(workspace_id=workspace).count() == result["customers_scored"]
    assert result["signals_subqueries_s"] is not None and result["median_s"] > 0
    # Adding to the same workspace.
    call_command(
        "bench",
        "health",
        "--workspace",
        str(workspace),
        "--customers",
        "10",
        "--repeat",
        "1",
        "--json",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert Customer.objects.filter(workspace_id=workspace).count() == 50
