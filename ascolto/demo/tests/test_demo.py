"""`ascolto demo`: the demo business, its size, its determinism and its validity."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ascolto.customers.models import Contract, Customer, LostReason, LostRecord
from ascolto.demo import DEFAULT_PASSWORD
from ascolto.demo.dates import easter_sunday, is_business_day
from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 16)
ROME = ZoneInfo("Europe/Rome")


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, "--today", TODAY.isoformat(), stdout=out, stderr=StringIO())
    return out.getvalue()


def digest(workspace: Workspace) -> str:
    """A fingerprint of the workspace's content that ignores primary keys."""
    h = hashlib.sha256()
    customers = Customer.objects.filter(workspace=workspace).order_by("pk")
    for row in customers.values_list(
        "name",
        "company",
        "email",
        "phone",
        "kind",
        "status",
        "preferred_language",
        "segment__name",
        "account_owner__user__username",
        "notes",
        "created_at",
    ):
        h.update(repr(row).encode())
    for row in (
        Interaction.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list(
            "customer__email",
            "touchpoint__code",
            "channel",
            "occurred_at",
            "member__user__username",
            "text",
            "requested_at",
            "scheduled_for",
            "started_at",
            "completed_at",
        )
    ):
        h.update(repr(row).encode())
    for row in (
        StaffSignal.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("customer__email", "text", "polarity", "created_at")
    ):
        h.update(repr(row).encode())
    for row in (
        Contract.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("customer__email", "title", "start_date", "renewal_date", "yearly_value")
    ):
        h.update(repr(row).encode())
    for row in (
        LostRecord.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("customer__email", "lost_on", "reason__code", "competitor", "details")
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_demo_creates_the_requested_business():
    """GIVEN an empty database WHEN `demo --customers 30 --years 1` runs THEN the business has
    30 customers, four members with the four roles, and a year of history ending today."""
    output = run_demo("--customers", "30", "--years", "1")
    # The summary is in words, not raw model names ("answer: 1341", "cadencerule: 4").
    import re

    raw = re.findall(r"^\s+([a-z_]+): \d+$", output, flags=re.MULTILINE)
    assert not raw, raw

    workspace = Workspace.objects.get()
    assert workspace.name == "Noleggi Brambilla S.r.l."
    assert (workspace.language, workspace.time_zone, workspace.currency) == (
        "it",
        "Europe/Rome",
        "EUR",
    )
    roles = sorted(Membership.objects.filter(workspace=workspace).values_list("role", flat=True))
    assert roles == ["agent", "agent", "manager", "owner"]
    assert Customer.objects.filter(workspace=workspace).count() == 30

    interactions = Interaction.objects.filter(workspace=workspace)
    assert interactions.count() > 30
    start = datetime.combine(TODAY - timedelta(days=365), time(0), tzinfo=ROME)
    end = datetime.combine(TODAY, time(0), tzinfo=ROME)
    first = interactions.order_by("occurred_at").first().occurred_at
    last = interactions.order_by("-occurred_at").first().occurred_at
    assert start <= first < last < end
    assert not interactions.filter(completed_at__gte=end).exists()

    # Logins and password are printed, and they work.
    assert "titolare@demo.ascolto.local" in output
    assert DEFAULT_PASSWORD in output
    owner = get_user_model().objects.get(username="titolare@demo.ascolto.local")
    assert owner.check_password(DEFAULT_PASSWORD)
    assert "Interactions: " in output or "Interazioni: " in output


def test_demo_has_the_variety_the_product_needs():
    run_demo("--customers", "60", "--years", "1")
    workspace = Workspace.objects.get()
    customers = Customer.objects.filter(workspace=workspace)

    assert customers.filter(kind=Customer.Kind.INTERNAL).exists()
    assert customers.filter(kind=Customer.Kind.EXTERNAL).count() > 50
    assert customers.filter(status=Customer.Status.LOST).exists()
    assert customers.filter(segment__isnull=False).values("segment").distinct().count() >= 4
    # Every member owns some accounts.
    assert customers.values("account_owner").distinct().count() == 4
    # Lost customers have a record with a reason from the workspace's own list.
    lost = customers.filter(status=Customer.Status.LOST)
    assert LostRecord.objects.filter(customer__in=lost).count() == lost.count()
    reasons = set(LostReason.objects.filter(workspace=workspace).values_list("pk", flat=True))
    assert set(LostRecord.objects.values_list("reason", flat=True)) <= reasons
    # Contracts renew in the coming year for active customers.
    renewals = Contract.objects.filter(customer__status=Customer.Status.ACTIVE)
    assert renewals.exists()
    assert all(TODAY < c.renewal_date <= TODAY + timedelta(days=366) for c in renewals)
    # Negative and positive staff signals, negative events on the timeline.
    signals = StaffSignal.objects.filter(workspace=workspace)
    assert signals.filter(polarity="negative").exists()
    assert Interaction.objects.filter(touchpoint__is_negative=True).exists()
    # The story of a lost customer: negative signals before the day they left (those who left
    # for price or a competitor's offer may have left out of the blue).
    record = (
        LostRecord.objects.exclude(reason__code__in=["prezzo", "concorrente"])
        .order_by("lost_on")
        .last()
    )
    before = StaffSignal.objects.filter(
        customer=record.customer, polarity="negative", created_at__date__lte=record.lost_on
    )
    assert before.exists()


def test_all_rows_belong_to_the_demo_workspace_and_are_valid(workspace_b):
    """An existing business is left alone; every demo row points inside the demo workspace."""
    run_demo("--customers", "25", "--years", "1", "--workspace-name", "Demo")
    workspace = Workspace.objects.get(name="Demo")
    assert not Customer.objects.filter(workspace=workspace_b).exists()

    for model in (Contract, LostRecord, Interaction, StaffSignal):
        rows = model.objects.all()
        assert rows.filter(workspace=workspace).count() == rows.count()
        assert not rows.exclude(customer__workspace=workspace).exists()
    assert not Interaction.objects.exclude(touchpoint__workspace=workspace).exists()
    assert (
        not Interaction.objects.filter(member__isnull=False)
        .exclude(member__workspace=workspace)
        .exists()
    )
    assert (
        not Customer.objects.filter(workspace=workspace)
        .exclude(account_owner__workspace=workspace)
        .exists()
    )

    sample = Interaction.objects.filter(workspace=workspace).order_by("?")[:80]
    for interaction in sample:
        interaction.full_clean()
        if interaction.requested_at and interaction.started_at:
            assert interaction.requested_at <= interaction.started_at
        if interaction.started_at and interaction.completed_at:
            assert interaction.started_at <= interaction.completed_at
    for customer in Customer.objects.filter(workspace=workspace)[:25]:
        customer.full_clean()
    # Requests arrive on working days in working hours (Rome time).
    for interaction in Interaction.objects.filter(touchpoint__code="richiesta")[:200]:
        local = interaction.occurred_at.astimezone(ROME)
        assert is_business_day(local.date())
        assert 8 <= local.hour < 18


def test_same_seed_and_day_give_the_same_data():
    """Two runs with the same seed and day, in the same database (so with other primary keys,
    and the demo users already existing the second time), produce the same content."""
    run_demo("--customers", "20", "--years", "1")
    run_demo("--customers", "20", "--years", "1")
    first, second = Workspace.objects.order_by("pk")
    assert first.name == second.name
    assert Interaction.objects.filter(workspace=first).count() > 0
    assert digest(first) == digest(second)


def test_another_seed_gives_other_data():
    run_demo("--customers", "20", "--years", "1", "--workspace-name", "First")
    run_demo("--customers", "20", "--years", "1", "--workspace-name", "Other", "--seed", "7")
    first = Workspace.objects.get(name="First")
    other = Workspace.objects.get(name="Other")
    assert digest(first) != digest(other)
    assert set(Customer.objects.filter(workspace=first).values_list("email", flat=True)) != set(
        Customer.objects.filter(workspace=other).values_list("email", flat=True)
    )


def test_if_empty_does_nothing_the_second_time():
    run_demo("--customers", "5", "--years", "1", "--if-empty")
    counts = (Workspace.objects.count(), Customer.objects.count(), Interaction.objects.count())

    output = run_demo("--customers", "5", "--years", "1", "--if-empty")

    assert (
        Workspace.objects.count(),
        Customer.objects.count(),
        Interaction.objects.count(),
    ) == counts
    assert counts[0] == 1
    assert "titolare@demo.ascolto.local" in output


def test_custom_password_is_set_and_printed():
    output = run_demo("--customers", "2", "--years", "1", "--password", "altra-password-demo")
    assert "altra-password-demo" in output
    user = get_user_model().objects.get(username="agente2@demo.ascolto.local")
    assert user.check_password("altra-password-demo")


def test_italian_holidays():
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert not is_business_day(date(2025, 4, 21))  # Easter Monday
    assert not is_business_day(date(2025, 8, 15))  # Ferragosto
    assert not is_business_day(date(2025, 6, 14))  # Saturday
    assert is_business_day(date(2025, 6, 16))


def test_worker_processes_generate_the_same_data(monkeypatch):
    """The large-scale path (timelines generated in forked workers, written by this process)
    gives exactly what the in-process path gives."""
    from ascolto.demo import interactions

    run_demo("--customers", "12", "--years", "1")
    monkeypatch.setattr(interactions, "PARALLEL_FROM", 1)
    monkeypatch.setattr(interactions, "CHUNK", 5)
    monkeypatch.setattr(interactions.os, "cpu_count", lambda: 2)
    run_demo("--customers", "12", "--years", "1", "--batch-size", "7")
    first, second = Workspace.objects.order_by("pk")
    assert Interaction.objects.filter(workspace=second).count() > 7
    assert digest(first) == digest(second)
