"""Lost customers: the record of a loss is linked to the customer's cases and broken promises
of the 90 days before it (and "why customers were lost" reads those links); the account owner
is reminded once to win the customer back after the workspace's number of days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from ascolto.cases import services
from ascolto.cases.models import Case, CaseEvent, LossCause, WinBackReminder
from ascolto.cases.services.losses import win_back_reminders_run
from ascolto.cases.tests.factories import open_case
from ascolto.core.testing import run_pending_tasks
from ascolto.customers.models import Customer, LostReason, LostRecord
from ascolto.customers.services import lost_record_create
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.notifications.models import Notification

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def customer(workspace_a, bob):
    return CustomerFactory(workspace=workspace_a, account_owner=bob, email="")


def _lose(customer, by, lost_on):
    reason = LostReason.objects.get(workspace=customer.workspace, code="prezzo")
    return lost_record_create(customer=customer, by=by, lost_on=lost_on, reason=reason)


def _aged(case, days):
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=days))


def test_a_loss_is_linked_to_the_cases_of_the_90_days_before(customer, bob, alice_client):
    recent, older, ancient = (open_case(customer, bob) for _ in range(3))
    _aged(older, 80)
    _aged(ancient, 120)
    other = open_case(CustomerFactory(workspace=customer.workspace, email=""), bob)
    record = _lose(customer, bob, timezone.localdate())
    linked = set(LossCause.objects.filter(record=record).values_list("case_id", flat=True))
    assert linked == {recent.pk, older.pk}
    assert other.pk not in linked
    assert CaseEvent.objects.filter(case=recent, kind="lost").get().by == bob
    page = alice_client.get(reverse("cases:lost-report"))
    [row] = page.context["by_reason"]
    assert (row["n"], row["cases"]) == (1, 2)
    html = page.content.decode()
    assert reverse("cases:case-detail", args=[recent.pk]) in html
    assert reverse("cases:case-detail", args=[ancient.pk]) not in html


@pytest.mark.django_db(transaction=True)
def test_records_kept_before_are_linked_by_the_migration(workspace_a, bob):
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob, email="")
    case = open_case(customer, bob)
    record = _lose(customer, bob, timezone.localdate())
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0006_open_crises_become_cases")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(LossCause.objects.values_list("record_id", "case_id")) == [(record.pk, case.pk)]


def test_win_back_reminder_once_after_the_days_set(
    customer, bob, alice, workspace_a, smtp_server, django_capture_on_commit_callbacks
):
    services.case_settings_update(workspace=workspace_a, by=alice, win_back_days=30)
    record = _lose(customer, bob, date(2026, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert win_back_reminders_run(now=datetime(2026, 3, 31, 8, tzinfo=ROME)) == 0
        assert win_back_reminders_run(now=datetime(2026, 4, 1, 8, tzinfo=ROME)) == 1
        assert win_back_reminders_run(now=datetime(2026, 4, 1, 8, 1, tzinfo=ROME)) == 0
        assert win_back_reminders_run(now=datetime(2026, 4, 15, 8, tzinfo=ROME)) == 0
    assert WinBackReminder.objects.get().record == record
    [note] = Notification.objects.filter(customer=customer)
    assert note.recipient == bob
    run_pending_tasks()
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [bob.user.email]


def test_no_reminder_when_off_late_or_back_as_a_customer(customer, bob, alice, workspace_a):
    services.case_settings_update(workspace=workspace_a, by=alice, win_back_days=0)
    _lose(customer, bob, date(2026, 3, 2))
    assert win_back_reminders_run(now=datetime(2026, 4, 1, 8, tzinfo=ROME)) == 0
    services.case_settings_update(workspace=workspace_a, by=alice, win_back_days=30)
    # More than 30 days overdue: not sent late.
    assert win_back_reminders_run(now=datetime(2026, 6, 1, 8, tzinfo=ROME)) == 0
    back = CustomerFactory(workspace=workspace_a, account_owner=bob, email="")
    _lose(back, bob, date(2026, 5, 2))
    Customer.objects.filter(pk=back.pk).update(status=Customer.Status.ACTIVE)  # won back
    assert win_back_reminders_run(now=datetime(2026, 6, 1, 8, tzinfo=ROME)) == 0
    assert not WinBackReminder.objects.exists()
    assert LostRecord.objects.count() == 2
