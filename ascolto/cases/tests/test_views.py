"""The pages of cases: the work queue, a case and its actions; outsiders get 404, roles are
enforced, bad input gets a message and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ascolto.cases.models import Case, CaseEvent, Remedy
from ascolto.cases.services import case_remedy_grant
from ascolto.cases.tests.factories import open_case
from ascolto.customers.tests.factories import CustomerFactory


@pytest.fixture
def customer(workspace_a, bob):
    return CustomerFactory(workspace=workspace_a, account_owner=bob, name="Edil Bianchi")


@pytest.fixture
def case(customer, bob):
    return open_case(customer, bob, emotion="anger")


def test_the_queue_shows_my_cases_first_and_the_team_on_request(
    bob_client, case, customer, carol, workspace_b, mallory
):
    theirs = open_case(customer, carol)
    foreign = open_case(CustomerFactory(workspace=workspace_b), mallory)
    page = bob_client.get(reverse("cases:work-queue")).content.decode()
    assert f'data-case="{case.pk}"' in page and f'data-case="{theirs.pk}"' not in page
    page = bob_client.get(reverse("cases:work-queue"), {"scope": "team"}).content.decode()
    assert f'data-case="{theirs.pk}"' in page and f'data-case="{foreign.pk}"' not in page


def test_the_queue_query_count_does_not_grow(
    bob_client, customer, bob, django_assert_max_num_queries
):
    for _ in range(3):
        open_case(customer, bob)
    with django_assert_max_num_queries(20):
        bob_client.get(reverse("cases:work-queue"))
    for _ in range(10):
        open_case(customer, bob)
    with django_assert_max_num_queries(20):
        bob_client.get(reverse("cases:work-queue"))


def test_the_case_page_greets_an_angry_customer_with_an_apology(bob_client, case):
    page = bob_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "Gentile Edil Bianchi, mi scusi" in page


def test_case_page_escapes_the_description(bob_client, customer, bob):
    case = open_case(customer, bob, description="<script>alert(1)</script>")
    page = bob_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cases:case-detail", None),
        ("cases:case-status", {"status": "resolved"}),
        ("cases:case-take", {}),
        ("cases:case-note", {"note": "x"}),
        ("cases:case-acknowledge", {"reply": "x"}),
        ("cases:case-remedy", {"kind": "gift", "amount": "10"}),
    ],
)
def test_outsider_gets_404(mallory_client, case, name, data):
    url = reverse(name, args=[case.pk])
    response = mallory_client.get(url) if data is None else mallory_client.post(url, data)
    assert response.status_code == 404
    assert CaseEvent.objects.filter(case=case).exclude(kind="email").count() == 1
    assert not Remedy.objects.exists()


def test_outsider_cannot_open_a_case_for_another_workspaces_customer(mallory_client, customer):
    response = mallory_client.get(reverse("cases:case-open", args=[customer.pk]))
    assert response.status_code == 404


def test_an_agent_cannot_decide_a_remedy(bob_client, carol_client, case, bob):
    waiting = case_remedy_grant(case=case, by=bob, kind="refund", amount="500")
    url = reverse("cases:remedy-decide", args=[waiting.pk])
    assert bob_client.post(url, {"decision": "approve"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == "pending"
    assert carol_client.post(url, {"decision": "approve"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "granted"


def test_an_agent_cannot_close(bob_client, case):
    url = reverse("cases:case-status", args=[case.pk])
    bob_client.post(url, {"status": "resolved"})
    assert bob_client.post(url, {"status": "closed", "outcome": "satisfied"}).status_code == 403
    case.refresh_from_db()
    assert case.status == "resolved"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "refund", "amount": "-1"}, "maggiore o uguale a 0"),
        ({"kind": "refund", "amount": "abc"}, "Inserisci un numero"),
        ({"kind": "gift", "amount": "500"}, "Al massimo"),
        ({"kind": "yacht", "amount": "1"}, "Scegli un&#x27;opzione valida"),
    ],
)
def test_a_bad_remedy_gets_a_message_and_nothing_is_saved(bob_client, case, data, message):
    response = bob_client.post(reverse("cases:case-remedy", args=[case.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Remedy.objects.exists()


def test_acknowledge_keeps_the_reply(bob_client, case, bob):
    url = reverse("cases:case-acknowledge", args=[case.pk])
    bob_client.post(url, {"reply": "Gentile Edil Bianchi, mi scusi."})
    case.refresh_from_db()
    assert case.status == "acknowledged" and case.acknowledged_at
    assert CaseEvent.objects.filter(case=case, kind="note", note__startswith="Gentile").exists()


def test_open_a_case_from_the_customer_page(bob_client, customer, workspace_a):
    url = reverse("cases:case-open", args=[customer.pk])
    assert bob_client.post(url, {"severity": "high"}).status_code == 400
    assert not Case.objects.exists()
    category = workspace_a.case_categories.get(code="guasto")
    response = bob_client.post(url, {"category": category.pk, "severity": "high",
                                     "channel": "phone", "description": "Caldaia ferma"})  # fmt: skip
    assert response.status_code == 302
    assert Case.objects.get().description == "Caldaia ferma"
    page = bob_client.get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    assert 'id="customer-cases"' in page


def test_lost_report_counts_by_hand(alice_client, workspace_a, alice, bob, mallory, workspace_b):
    """Two customers lost for price (contracts 1200 + 800), one with two cases in the 90 days
    before and one case 200 days before (not counted); one lost elsewhere in B (not shown)."""
    from datetime import timedelta

    from django.utils import timezone

    from ascolto.cases.models import Case
    from ascolto.customers.tests.factories import ContractFactory, LostRecordFactory

    today = timezone.localdate()
    first = CustomerFactory(workspace=workspace_a, name="Primo")
    second = CustomerFactory(workspace=workspace_a, name="Secondo")
    ContractFactory(customer=first, yearly_value=1200)
    ContractFactory(customer=second, yearly_value=800)
    for days in (10, 40, 200):
        case = open_case(first, bob)
        Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=days))
    from ascolto.cases.services.losses import loss_causes_link

    for record in (  # what `lost_record_create` does through its hook
        LostRecordFactory(customer=first, lost_on=today, competitor="Noleggi Verdi"),
        LostRecordFactory(customer=second, lost_on=today - timedelta(days=1)),
        LostRecordFactory(customer=CustomerFactory(workspace=workspace_b, name="Altrove")),
    ):
        loss_causes_link(record=record)
    response = alice_client.get(reverse("cases:lost-report"))
    assert response.status_code == 200
    [row] = response.context["by_reason"]
    assert (row["n"], row["total"], row["cases"], row["broken"]) == (2, 2000, 2, 0)
    assert [c["competitor"] for c in response.context["competitors"]] == ["Noleggi Verdi"]
    assert "Altrove" not in response.content.decode()
