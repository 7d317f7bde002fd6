"""Erasure (test plan P02): after erasing a person, no table (every column of every table,
found by introspection) and no file under the data folder holds their email, phone or name;
NPS and the dashboards' counts are unchanged; mentions in others' free text are listed, and
redacted when the owner says so."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from ascolto.audit.models import Action, AuditEntry
from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.dashboards.models import DailyScore, LastHeard
from ascolto.dashboards.selectors import nps_for_period
from ascolto.feedback.models import Response
from ascolto.privacy import services
from ascolto.privacy.models import DataRequest
from ascolto.privacy.tests.scan import file_hits, table_hits
from ascolto.privacy.tests.seed import EMAIL, NAME, PHONE, PHONE_DIGITS, seed_person

NEEDLES = [NAME, EMAIL, PHONE, PHONE_DIGITS]


def _figures(workspace):
    now = timezone.now()
    nps = nps_for_period(workspace=workspace, start=now - timezone.timedelta(days=30), end=now)
    daily = DailyScore.objects.filter(workspace=workspace).aggregate(n=Sum("n"), s=Sum("score"))
    return (
        nps,
        daily,
        LastHeard.objects.filter(workspace=workspace).count(),
        Response.objects.filter(workspace=workspace).count(),
        Customer.objects.filter(workspace=workspace).count(),
    )


@pytest.mark.django_db
def test_erased_person_is_in_no_table_and_no_file_and_figures_stay(
    workspace_a, alice, bob, outbox, tmp_path, django_capture_on_commit_callbacks, settings
):
    seeded = seed_person(
        workspace=workspace_a, owner=alice, agent=bob, capture=django_capture_on_commit_callbacks
    )
    before = table_hits(NEEDLES)
    tables = {table for table, _column, _needle in before}
    # The scan sees the person everywhere they were seeded, so it can fail.
    assert {
        "customers_customer",
        "customers_contract",
        "customers_lostrecord",
        "interactions_interaction",
        "interactions_staffsignal",
        "feedback_answer",
        "promises_crisis",
        "promises_expectation",
        "promises_fitoverride",
        "notifications_notification",
        "feedback_invitation",
        "django_tasks_database_dbtaskresult",
        "django_admin_log",
        "cases_case",
        "cases_caseevent",
        "voice_review",
        "api_webhookdelivery",
    } <= tables
    assert file_hits(tmp_path, NEEDLES)
    figures = _figures(workspace_a)
    assert figures[0].n == 1 and figures[0].detractors == 1

    mentions = services.person_mentions(workspace=workspace_a, customer=seeded.customer)
    assert [m.key for m in mentions] == [f"customers.Customer:{seeded.other.pk}:notes"]
    assert EMAIL in mentions[0].excerpt

    result = services.person_erase(
        workspace=workspace_a, by=alice, customer=seeded.customer, redact=[mentions[0].key]
    )

    assert table_hits(NEEDLES) == []
    assert file_hits(tmp_path, NEEDLES) == []
    assert file_hits(settings.DATA_DIR, NEEDLES) == []
    assert result.mentions_redacted == 1 and result.mentions_left == []
    assert result.files_removed >= 1
    assert _figures(workspace_a) == figures
    customer = Customer.objects.get(pk=seeded.customer.pk)
    assert customer.name == result.pseudonym
    assert (customer.email, customer.phone, customer.notes, customer.company) == ("", "", "", "")
    seeded.other.refresh_from_db()
    assert "[…]" in seeded.other.notes and "Cugina di" in seeded.other.notes
    request = DataRequest.objects.get(kind="erasure")
    assert request.done_at is not None and request.handled_by == alice
    entry = AuditEntry.objects.get(action=Action.PERSON_ERASED)
    assert (entry.user, entry.object_id) == (alice.user, str(customer.pk))


@pytest.mark.django_db
def test_mentions_not_chosen_are_left_and_listed(
    workspace_a, alice, bob, outbox, django_capture_on_commit_callbacks
):
    seeded = seed_person(
        workspace=workspace_a, owner=alice, agent=bob, capture=django_capture_on_commit_callbacks
    )
    result = services.person_erase(workspace=workspace_a, by=alice, customer=seeded.customer)
    assert [m.key for m in result.mentions_left] == [f"customers.Customer:{seeded.other.pk}:notes"]
    assert table_hits(NEEDLES) == [
        ("customers_customer", "notes", NAME),
        ("customers_customer", "notes", EMAIL),
    ]


@pytest.mark.django_db
def test_erase_command_finds_by_email_and_erases_without_asking(
    workspace_a, alice, bob, outbox, django_capture_on_commit_callbacks, capsys
):
    seeded = seed_person(
        workspace=workspace_a, owner=alice, agent=bob, capture=django_capture_on_commit_callbacks
    )
    call_command("gdpr", "erase", "--email", EMAIL.upper(), "--no-input", "--redact-mentions")
    assert table_hits(NEEDLES) == []
    assert not Customer.objects.filter(email__iexact=EMAIL).exists()
    assert Customer.objects.filter(pk=seeded.customer.pk).exists()
    assert DataRequest.objects.get(kind="erasure").handled_by is None


@pytest.mark.django_db
def test_a_namesake_in_another_workspace_is_untouched(workspace_a, workspace_b, alice):
    ours = CustomerFactory(workspace=workspace_a, name=NAME, email=EMAIL, phone=PHONE)
    theirs = CustomerFactory(
        workspace=workspace_b, name=NAME, email=EMAIL, phone=PHONE, notes=f"{NAME} {EMAIL}"
    )
    services.person_erase(workspace=workspace_a, by=alice, customer=ours)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.email, theirs.phone) == (NAME, EMAIL, PHONE)
    assert theirs.notes == f"{NAME} {EMAIL}"


@pytest.mark.django_db
def test_only_owners_erase_and_only_their_workspaces_customers(
    workspace_a, workspace_b, alice, carol, mallory
):
    customer = CustomerFactory(workspace=workspace_a, name=NAME, email=EMAIL)
    with pytest.raises(PermissionDenied):
        services.person_erase(workspace=workspace_a, by=carol, customer=customer)
    with pytest.raises(PermissionDenied):
        services.person_erase(workspace=workspace_a, by=mallory, customer=customer)
    with pytest.raises(Exception):  # noqa: B017 (another workspace's customer)
        services.person_erase(workspace=workspace_b, by=mallory, customer=customer)
    customer.refresh_from_db()
    assert (customer.name, customer.email) == (NAME, EMAIL)
