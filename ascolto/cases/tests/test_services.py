"""Cases: opening, the moves of their status with their history, reopening, owners, links, and
what the customer's timeline shows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ascolto.cases import selectors, services
from ascolto.cases.models import Case, CaseCategory, CaseEvent
from ascolto.cases.services import CaseRefused
from ascolto.cases.tests.factories import category, open_case
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.selectors import timeline_for_customer
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.lib.updates import UnknownFields


@pytest.fixture
def customer(workspace_a, bob):
    return CustomerFactory(workspace=workspace_a, account_owner=bob)


def test_new_workspace_has_the_italian_categories(workspace_a):
    codes = list(CaseCategory.objects.filter(workspace=workspace_a).values_list("code", flat=True))
    for code in ("ritardo", "guasto", "errore-fattura", "scortesia", "qualita",
                 "promessa-non-mantenuta", "altro"):  # fmt: skip
        assert code in codes
    assert workspace_a.case_settings.detractor_callback is True


def test_open_puts_the_opener_in_charge_and_keeps_an_event(customer, bob):
    case = open_case(customer, bob, severity="high", emotion="anger")
    assert case.status == Case.Status.NEW and case.owner == bob
    event = CaseEvent.objects.get(case=case, kind="opened")
    assert (event.kind, event.by, event.to_status) == ("opened", bob, "new")
    assert event.customer_id == customer.pk


def test_open_refuses_unknown_fields_and_another_owner_from_an_agent(customer, bob, carol):
    with pytest.raises(UnknownFields):
        open_case(customer, bob, status="closed")
    with pytest.raises(CaseRefused):
        open_case(customer, bob, owner=carol)
    assert not Case.objects.exists()
    assert open_case(customer, carol, owner=bob).owner == bob


def test_the_whole_path_stamps_each_stage_once(customer, bob, carol):
    case = open_case(customer, bob)
    for status in ("acknowledged", "in_progress", "resolved"):
        services.case_status_change(case=case, by=bob, status=status)
    case.refresh_from_db()
    assert case.acknowledged_at <= case.responded_at <= case.resolved_at
    services.case_status_change(case=case, by=carol, status="closed", outcome="satisfied")
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "satisfied" and case.closed_at
    moves = list(
        CaseEvent.objects.filter(case=case, kind="status")
        .order_by("at", "pk")
        .values_list("from_status", "to_status", "by")
    )
    assert moves == [
        ("new", "acknowledged", bob.pk),
        ("acknowledged", "in_progress", bob.pk),
        ("in_progress", "resolved", bob.pk),
        ("resolved", "closed", carol.pk),
    ]


def test_a_move_that_does_not_exist_is_refused(customer, bob):
    case = open_case(customer, bob)
    services.case_status_change(case=case, by=bob, status="in_progress")
    with pytest.raises(CaseRefused) as refused:
        services.case_status_change(case=case, by=bob, status="acknowledged")
    assert "non può diventare" in refused.value.reason
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_skipping_a_stage_stamps_the_ones_before(customer, bob):
    case = open_case(customer, bob)
    services.case_status_change(case=case, by=bob, status="resolved")
    case.refresh_from_db()
    assert case.acknowledged_at == case.responded_at == case.resolved_at


def test_reopen_clears_the_resolution_and_counts(customer, bob, carol):
    case = open_case(customer, bob)
    services.case_status_change(case=case, by=bob, status="resolved")
    services.case_status_change(case=case, by=carol, status="closed", outcome="unsatisfied")
    services.case_reopen(case=case, by=bob, note="Ha richiamato: il guasto è tornato")
    case.refresh_from_db()
    assert case.status == "in_progress" and case.reopened_count == 1
    assert case.resolved_at is None and case.closed_at is None and case.outcome == ""
    assert case.acknowledged_at is not None  # the first greeting stays in the record
    event = CaseEvent.objects.filter(case=case).latest("at", "pk")
    assert (event.kind, event.from_status, event.note) == (
        "reopened",
        "closed",
        "Ha richiamato: il guasto è tornato",
    )
    with pytest.raises(CaseRefused):
        services.case_reopen(case=case, by=bob)


def test_update_keeps_old_and_new_values(customer, bob, workspace_a):
    case = open_case(customer, bob, severity="low")
    services.case_update(case=case, by=bob, severity="critical", emotion="fear")
    event = CaseEvent.objects.get(case=case, kind="changed")
    assert event.data["changes"] == {"severity": ["low", "critical"], "emotion": ["", "fear"]}
    assert services.case_update(case=case, by=bob, severity="critical") is case
    assert CaseEvent.objects.filter(case=case, kind="changed").count() == 1


def test_assign_self_or_by_a_manager(customer, bob, carol):
    case = open_case(customer, carol)
    services.case_assign(case=case, by=bob, owner=bob)
    case.refresh_from_db()
    assert case.owner == bob
    with pytest.raises(Exception):  # noqa: B017 PermissionDenied: giving it away is a manager's
        services.case_assign(case=case, by=bob, owner=carol)
    services.case_assign(case=case, by=carol, owner=carol)
    case.refresh_from_db()
    assert case.owner == carol
    assert CaseEvent.objects.filter(case=case, kind="assigned").count() == 2


def test_link_only_the_same_customers_records(customer, bob, workspace_a):
    case = open_case(customer, bob)
    mine = InteractionFactory(customer=customer)
    other = InteractionFactory(customer=CustomerFactory(workspace=workspace_a))
    services.case_link(case=case, by=bob, interaction=mine)
    with pytest.raises(CaseRefused):
        services.case_link(case=case, by=bob, interaction=other)
    assert list(case.interactions.all()) == [mine]


def test_the_system_opens_one_case_per_source(customer, bob):
    first = services.case_open_for_system(
        customer=customer, category_code="richiamare", source_key="response:1"
    )
    again = services.case_open_for_system(
        customer=customer, category_code="richiamare", source_key="response:1"
    )
    assert first is not None and again is None
    assert first.owner == bob  # the account owner
    assert CaseEvent.objects.get(case=first, kind="opened").by is None


def test_system_open_creates_a_missing_default_category(customer):
    CaseCategory.objects.filter(workspace=customer.workspace, code="richiamare").delete()
    case = services.case_open_for_system(
        customer=customer, category_code="richiamare", source_key="x:1"
    )
    assert case.category.name_it == "Cliente da richiamare"


def test_events_show_on_the_customers_timeline(customer, bob, workspace_a):
    case = open_case(customer, bob)
    services.case_status_change(case=case, by=bob, status="acknowledged")
    entries, _cursor = timeline_for_customer(workspace=workspace_a, customer=customer)
    kinds = [entry.kind for entry in entries]
    assert kinds.count("case") == 3  # opened, the greeting emailed, taken in charge


def test_open_cases_selectors(customer, bob, workspace_a, workspace_b):
    case = open_case(customer, bob)
    other = open_case(customer, bob, code="guasto")
    services.case_status_change(case=other, by=bob, status="resolved")
    assert list(selectors.case_list_open(workspace=workspace_a)) == [case]
    assert selectors.case_open_counts_by_customer(workspace=workspace_a) == {customer.pk: 1}
    assert list(selectors.customer_ids_with_open_case(workspace=workspace_a)) == [
        {"customer_id": customer.pk}
    ]
    assert not selectors.case_list_open(workspace=workspace_b).exists()
    assert (
        selectors.case_open_for_category(customer=customer, category=category(workspace_a)) == case
    )
    assert timezone.now() >= case.opened_at
