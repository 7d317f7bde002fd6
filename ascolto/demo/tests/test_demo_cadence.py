"""The demo business keeps asking for feedback on schedule once loaded."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count

from ascolto.feedback.models import CadenceRule, Invitation
from ascolto.feedback.services.cadence import cadence_run
from ascolto.workspaces.models import Workspace

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 16)
NOW = datetime.combine(TODAY, time(10), tzinfo=ZoneInfo("Europe/Rome"))


def test_demo_rules_invite_the_due_customers_once_and_respect_fatigue():
    """GIVEN a small demo ending today WHEN the cadence job runs today, and again
    THEN its rules invite some customers, none asked in the last 30 days, and nobody twice."""
    call_command(
        "demo",
        "--customers",
        "150",
        "--years",
        "2",
        "--today",
        TODAY.isoformat(),
        "--workspace-name",
        "Demo",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    workspace = Workspace.objects.get(name="Demo")
    rules = CadenceRule.objects.filter(workspace=workspace, active=True)
    assert rules.filter(every_days__isnull=False).exists()
    assert rules.filter(after_touchpoint__isnull=False).exists()
    assert rules.filter(days_before_renewal__isnull=False).exists()
    before = set(Invitation.objects.filter(workspace=workspace).values_list("pk", flat=True))

    created = cadence_run(now=NOW)

    new = Invitation.objects.filter(workspace=workspace).exclude(pk__in=before)
    assert created == new.count() > 0
    recently_asked = set(
        Invitation.objects.filter(
            workspace=workspace, pk__in=before, created_at__gt=NOW - timedelta(days=30)
        ).values_list("customer_id", flat=True)
    )
    assert not recently_asked & set(new.values_list("customer_id", flat=True))
    assert not new.values("customer_id").annotate(n=Count("pk")).filter(n__gt=1).exists()

    assert cadence_run(now=NOW + timedelta(hours=1)) == 0


def test_demo_analyses_its_texts():
    """GIVEN a small demo THEN every non-empty text it wrote has a stored analysis."""
    from ascolto.textanalysis.models import TextAnalysis
    from ascolto.textanalysis.services import text_analyses_missing_count

    call_command(
        "demo",
        "--customers",
        "40",
        "--years",
        "1",
        "--today",
        TODAY.isoformat(),
        "--workspace-name",
        "Demo",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    workspace = Workspace.objects.get(name="Demo")
    assert TextAnalysis.objects.filter(workspace=workspace).count() > 100
    assert text_analyses_missing_count(workspace_id=workspace.pk) == 0
