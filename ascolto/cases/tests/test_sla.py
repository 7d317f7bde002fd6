"""The clocks of a case: deadlines from the policy in business hours, and the near-breach and
breach alerts, each sent once (to a real SMTP server)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ascolto.cases import services
from ascolto.cases.models import CaseEvent, SlaAlert, SlaPolicy
from ascolto.cases.services.sla import sla_policy_for
from ascolto.cases.tests.factories import category, open_case
from ascolto.core.testing import run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.notifications.models import Notification
from ascolto.workspaces.services import workspace_update

ROME = ZoneInfo("Europe/Rome")


def rome(*args):
    return datetime(*args, tzinfo=ROME)


@pytest.fixture
def customer(workspace_a, bob):
    return CustomerFactory(workspace=workspace_a, account_owner=bob)


def test_deadlines_follow_the_severity_policy(customer, bob):
    # Medium: acknowledge in 2 h, respond in 1 business day, resolve in 3 (defaults).
    case = open_case(customer, bob, severity="medium")
    assert case.acknowledge_due_at is not None
    case.opened_at = rome(2026, 12, 4, 17, 0)  # Friday before the Immacolata
    services.sla.case_clocks_set(case=case)
    assert case.acknowledge_due_at == rome(2026, 12, 7, 10, 0)
    assert case.respond_due_at == rome(2026, 12, 7, 17, 0)  # 1 h on Friday, 8 on Monday
    # 27 h: 1 on Friday, 9 on Monday, none on Tuesday the 8th (a holiday), 9 on Wednesday, 8
    # on Thursday.
    assert case.resolve_due_at == rome(2026, 12, 10, 17, 0)


def test_deadlines_in_another_zone(customer, bob, alice):
    workspace_update(workspace=customer.workspace, by=alice, time_zone="America/New_York")
    ny = ZoneInfo("America/New_York")
    case = open_case(customer, bob, severity="critical")
    case.opened_at = datetime(2026, 3, 4, 17, 45, tzinfo=ny)
    services.sla.case_clocks_set(case=case)
    assert case.acknowledge_due_at == datetime(2026, 3, 5, 9, 15, tzinfo=ny)


def test_the_most_specific_policy_wins(customer, carol, workspace_a):
    delay = category(workspace_a)
    services.sla_policy_set(
        workspace=workspace_a, by=carol, category=delay, severity="",
        acknowledge_minutes=10, respond_minutes=20, resolve_minutes=30,
    )  # fmt: skip
    services.sla_policy_set(
        workspace=workspace_a, by=carol, category=delay, severity="high",
        acknowledge_minutes=5, respond_minutes=6, resolve_minutes=7,
    )  # fmt: skip
    pick = sla_policy_for(workspace_id=workspace_a.pk, category_id=delay.pk, severity="high")
    assert pick.acknowledge_minutes == 5
    pick = sla_policy_for(workspace_id=workspace_a.pk, category_id=delay.pk, severity="low")
    assert pick.acknowledge_minutes == 10
    other = category(workspace_a, "guasto")
    pick = sla_policy_for(workspace_id=workspace_a.pk, category_id=other.pk, severity="low")
    assert (pick.category, pick.severity) == (None, "low")


def test_a_policy_must_be_in_order(carol, workspace_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.sla_policy_set(
            workspace=workspace_a, by=carol, category=None, severity="low",
            acknowledge_minutes=60, respond_minutes=30, resolve_minutes=90,
        )  # fmt: skip
    assert SlaPolicy.objects.get(workspace=workspace_a, severity="low").respond_minutes == 1080


def test_near_breach_then_breach_alert_once_each_by_email(
    customer, bob, carol, alice, smtp_server, django_capture_on_commit_callbacks
):
    """GIVEN a critical case opened on Friday at 17:00 (acknowledge within 30 business minutes)
    WHEN the clock job runs at 17:25, again at 17:26, then on Monday at 9:01 and again
    THEN the person in charge is warned once at 17:25, and on Monday the breach reaches them
    and the managers and owners once; every alert is emailed."""
    case = open_case(customer, bob, severity="critical")
    case.opened_at = rome(2026, 3, 6, 17, 0)
    services.sla.case_clocks_set(case=case)
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.case_clocks_check(now=rome(2026, 3, 6, 16, 0)) == 0
        assert services.case_clocks_check(now=rome(2026, 3, 6, 17, 25)) == 1
        assert services.case_clocks_check(now=rome(2026, 3, 6, 17, 26)) == 0
    assert [n.recipient for n in Notification.objects.filter(kind="case")] == [bob]
    first = Notification.objects.get(kind="case").pk
    with django_capture_on_commit_callbacks(execute=True):
        assert services.case_clocks_check(now=rome(2026, 3, 9, 9, 1)) == 1
        assert services.case_clocks_check(now=rome(2026, 3, 9, 9, 2)) == 0
    alerts = SlaAlert.objects.filter(case=case, clock="acknowledge")
    assert sorted(alerts.values_list("level", flat=True)) == ["breach", "near"]
    breach = Notification.objects.filter(kind="case", pk__gt=first)
    assert sorted(n.recipient.pk for n in breach) == sorted([bob.pk, carol.pk, alice.pk])
    assert CaseEvent.objects.filter(case=case, kind="sla").count() == 1
    run_pending_tasks()
    assert len(smtp_server.messages) == 4
    assert sorted(m["X-Envelope-To"] for m in smtp_server.messages) == sorted(
        [bob.user.email, bob.user.email, carol.user.email, alice.user.email]
    )


def test_a_stopped_clock_never_alerts(customer, bob):
    case = open_case(customer, bob, severity="critical")
    services.case_status_change(case=case, by=bob, status="acknowledged")
    case.refresh_from_db()
    late = case.acknowledge_due_at.replace(year=case.acknowledge_due_at.year + 1)
    services.case_clocks_check(now=late)
    assert not SlaAlert.objects.filter(case=case, clock="acknowledge").exists()
    assert SlaAlert.objects.filter(case=case, clock="respond", level="breach").exists()


def test_easter_monday_is_a_holiday_for_the_clocks_and_their_alerts(customer, bob):
    """GIVEN a medium case opened on Friday 3 April 2026 at 17:30 (acknowledge within 2 business
    hours): 30 minutes on Friday, then the weekend and Easter Monday (6 April) are closed
    THEN it is due on Tuesday at 10:30; the job sends nothing on Easter Monday, warns on Tuesday
    at 10:01 and reports the miss at 10:31, once each."""
    case = open_case(customer, bob, severity="medium")
    case.opened_at = rome(2026, 4, 3, 17, 30)
    services.sla.case_clocks_set(case=case)
    case.save()
    assert case.acknowledge_due_at == rome(2026, 4, 7, 10, 30)
    assert case.respond_due_at == rome(2026, 4, 7, 17, 30)  # 9 h: 0.5 on Friday, 8.5 on Tuesday
    assert services.case_clocks_check(now=rome(2026, 4, 6, 12, 0)) == 0  # Easter Monday
    assert services.case_clocks_check(now=rome(2026, 4, 7, 10, 1)) == 1
    assert services.case_clocks_check(now=rome(2026, 4, 7, 10, 31)) == 1
    assert services.case_clocks_check(now=rome(2026, 4, 7, 10, 45)) == 0
    levels = SlaAlert.objects.filter(case=case, clock="acknowledge").values_list("level", flat=True)
    assert sorted(levels) == ["breach", "near"]


def test_a_clock_runs_across_the_night(customer, bob):
    """A critical case opened on Tuesday at 17:45: 15 minutes that evening, 15 the next morning."""
    case = open_case(customer, bob, severity="critical")
    case.opened_at = rome(2026, 4, 7, 17, 45)
    services.sla.case_clocks_set(case=case)
    assert case.acknowledge_due_at == rome(2026, 4, 8, 9, 15)
    assert case.respond_due_at == rome(2026, 4, 8, 10, 45)  # 2 h: 0.25 + 1.75
