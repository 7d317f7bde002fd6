"""The pages that set what cases run on (categories, response times, remedies, budgets, the
general settings), the reply templates and the remedies ledger: managers and owners only, every
check on the server, another workspace's rows out of reach, bad input a form error."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from ascolto.cases import services
from ascolto.cases.models import (
    CaseCategory,
    CaseSettings,
    Remedy,
    RemedyOption,
    ReplyTemplate,
    SlaPolicy,
    SpendingBudget,
)
from ascolto.cases.tests.factories import category, open_case
from ascolto.customers.tests.factories import CustomerFactory

PAGES = ["cases:settings", "cases:reply-templates", "cases:ledger"]


@pytest.fixture
def customer(workspace_a, bob):
    return CustomerFactory(workspace=workspace_a, account_owner=bob, email="")


@pytest.mark.parametrize("name", PAGES)
def test_managers_and_owners_only(name, bob_client, carol_client, alice_client, client):
    url = reverse(name)
    assert bob_client.get(url).status_code == 403  # an agent
    assert carol_client.get(url).status_code == 200
    assert alice_client.get(url).status_code == 200
    assert client.get(url).status_code == 302  # to the sign-in page


@pytest.mark.parametrize(
    ("section", "data"),
    [
        ("categories", {"name_it": "Consegna", "name_en": "Delivery", "active": "on"}),
        ("sla", {"severity": "low", "acknowledge_hours": "1", "respond_hours": "2",
                 "resolve_hours": "3"}),
        ("remedies", {"kind": "gift", "default_amount": "5", "max_amount": "10", "active": "on"}),
        ("budgets", {"role": "agent", "per_case": "150", "per_month": "900"}),
        ("general", {"win_back_days": "30"}),
    ],
)  # fmt: skip
def test_an_agent_cannot_post_any_section(section, data, bob_client, workspace_a):
    before = _state(workspace_a)
    response = bob_client.post(reverse("cases:settings-save", args=[section]), data)
    assert response.status_code == 403
    assert _state(workspace_a) == before


def _state(workspace):
    return (
        list(CaseCategory.objects.filter(workspace=workspace).values_list("name_it", "active")),
        list(
            SlaPolicy.objects.filter(workspace=workspace).values_list("severity", "resolve_minutes")
        ),
        list(RemedyOption.objects.filter(workspace=workspace).values_list("kind", "max_amount")),
        list(SpendingBudget.objects.filter(workspace=workspace).values_list("role", "per_case")),
        list(CaseSettings.objects.filter(workspace=workspace).values_list("win_back_days")),
    )


def test_a_manager_edits_every_section(carol_client, workspace_a):
    save = lambda section, data: carol_client.post(  # noqa: E731
        reverse("cases:settings-save", args=[section]), data
    )
    assert (
        save(
            "categories", {"name_it": "Consegna", "name_en": "Delivery", "active": "on"}
        ).status_code
        == 302
    )
    new = CaseCategory.objects.get(workspace=workspace_a, name_it="Consegna")
    assert new.code == "consegna" and new.active
    delay = category(workspace_a)
    row = f"cat{delay.pk}"
    assert (
        save(
            "categories",
            {
                "prefix": row,
                f"{row}-category": delay.pk,
                f"{row}-name_it": "Ritardi",
                f"{row}-name_en": "Delays",
            },
        ).status_code
        == 302
    )
    delay.refresh_from_db()
    assert (delay.name_it, delay.active) == ("Ritardi", False)  # unticked: switched off
    assert (
        save(
            "sla",
            {
                "category": new.pk,
                "severity": "high",
                "acknowledge_hours": "0,5",
                "respond_hours": "2",
                "resolve_hours": "9",
            },
        ).status_code
        == 302
    )
    policy = SlaPolicy.objects.get(workspace=workspace_a, category=new, severity="high")
    assert (policy.acknowledge_minutes, policy.respond_minutes, policy.resolve_minutes) == (
        30,
        120,
        540,
    )
    assert (
        save(
            "remedies",
            {
                "kind": "gift",
                "category": new.pk,
                "default_amount": "20",
                "max_amount": "40",
                "active": "on",
            },
        ).status_code
        == 302
    )
    assert (
        RemedyOption.objects.get(workspace=workspace_a, kind="gift", category=new).max_amount == 40
    )
    assert save("budgets", {"role": "agent", "per_case": "150", "per_month": ""}).status_code == 302
    agent = SpendingBudget.objects.get(workspace=workspace_a, role="agent")
    assert (agent.per_case, agent.per_month) == (Decimal("150.00"), None)
    page = carol_client.get(reverse("cases:settings")).content.decode()
    assert "Consegna" in page and 'id="general"' in page
    # The general settings are the owners'.
    assert save("general", {"win_back_days": "30"}).status_code == 403
    assert CaseSettings.objects.get(workspace=workspace_a).win_back_days == 60  # fmt: skip


def test_the_owner_edits_the_general_settings(alice_client, workspace_a):
    url = reverse("cases:settings-save", args=["general"])
    response = alice_client.post(url, {"detractor_callback": "on", "win_back_days": "45"})
    assert response.status_code == 302
    row = CaseSettings.objects.get(workspace=workspace_a)
    assert (row.detractor_callback, row.acknowledge_email, row.win_back_days) == (True, False, 45)
    bad = alice_client.post(url, {"win_back_days": "-3"})
    assert bad.status_code == 400
    assert CaseSettings.objects.get(workspace=workspace_a).win_back_days == 45


@pytest.mark.parametrize(
    ("section", "data", "message"),
    [
        ("sla", {"severity": "low", "acknowledge_hours": "5", "respond_hours": "2",
                 "resolve_hours": "3"}, "Acknowledge first"),
        ("sla", {"severity": "low", "acknowledge_hours": "abc", "respond_hours": "2",
                 "resolve_hours": "3"}, ""),
        ("remedies", {"kind": "gift", "default_amount": "50", "max_amount": "10"}, "usual value"),
        ("remedies", {"kind": "apology", "default_amount": "0", "max_amount": "10"}, "apology"),
        ("budgets", {"role": "agent", "per_case": "-1"}, ""),
        ("budgets", {"per_case": "10"}, "Choose a role"),
        ("categories", {"name_it": ""}, ""),
        ("nonsense", {}, None),
    ],
)  # fmt: skip
def test_bad_input_is_a_form_error_not_a_500(carol_client, workspace_a, section, data, message):
    with pytest.MonkeyPatch.context():
        before = _state(workspace_a)
    response = carol_client.post(reverse("cases:settings-save", args=[section]), data)
    assert response.status_code == (404 if message is None else 400)
    if message is not None:
        assert "errorlist" in response.content.decode()
    assert _state(workspace_a) == before


def test_a_manager_cannot_raise_their_own_or_the_owners_budget(carol_client, carol, workspace_a):
    url = reverse("cases:settings-save", args=["budgets"])
    for data in ({"role": "manager", "per_case": "99999"}, {"role": "owner", "per_case": "1"},
                 {"member": carol.pk, "per_case": "99999"}):  # fmt: skip
        assert carol_client.post(url, data).status_code == 403
    assert SpendingBudget.objects.get(workspace=workspace_a, role="manager").per_case == 2000
    assert not SpendingBudget.objects.filter(member=carol).exists()


def test_another_workspaces_rows_are_out_of_reach(carol_client, workspace_a, workspace_b):
    foreign = CaseCategory.objects.filter(workspace=workspace_b).first()
    url = lambda s: reverse("cases:settings-save", args=[s])  # noqa: E731
    assert carol_client.post(url("categories"), {"category": foreign.pk,
                             "name_it": "Presa"}).status_code == 400  # fmt: skip
    foreign.refresh_from_db()
    assert foreign.name_it != "Presa"
    assert carol_client.post(url("sla"), {"category": foreign.pk, "severity": "low",
        "acknowledge_hours": "1", "respond_hours": "1", "resolve_hours": "1"}).status_code == 400  # fmt: skip
    other = workspace_b.memberships.first()
    assert (
        carol_client.post(url("budgets"), {"member": other.pk, "per_case": "5"}).status_code == 400
    )
    assert not SpendingBudget.objects.filter(member=other).exists()
    page = carol_client.get(reverse("cases:settings")).content.decode()
    assert (
        foreign.name_it not in page
        or CaseCategory.objects.filter(workspace=workspace_a, name_it=foreign.name_it).exists()
    )


# --- reply templates ---------------------------------------------------------------------------


def test_templates_are_written_used_on_the_case_and_removed(
    carol_client, bob_client, workspace_a, customer, bob
):
    url = reverse("cases:reply-template-save")
    delay = category(workspace_a)
    response = carol_client.post(url, {"category": delay.pk, "emotion": "anger", "language": "it",
        "subject": "Ci scusi, {name}", "body": "Gentile {name}, ci scusi per il ritardo (caso {case}).",
        "active": "on"})  # fmt: skip
    assert response.status_code == 302
    case = open_case(customer, bob, emotion="anger")
    page = bob_client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert f"Gentile {customer.name}, ci scusi per il ritardo (caso {case.pk})." in page
    other = open_case(customer, bob, code="guasto", emotion="anger")
    page = bob_client.get(reverse("cases:case-detail", args=[other.pk])).content.decode()
    assert "mi scusi: ha ragione" in page  # the built-in reply for another category
    template = ReplyTemplate.objects.get()
    assert (
        bob_client.post(reverse("cases:reply-template-remove", args=[template.pk])).status_code
        == 403
    )
    assert (
        carol_client.post(reverse("cases:reply-template-remove", args=[template.pk])).status_code
        == 302
    )
    assert not ReplyTemplate.objects.exists()


@pytest.mark.parametrize("body", ["Gentile {nome}", "Gentile {name.__class__}", "{0}", ""])
def test_a_template_with_unknown_placeholders_is_refused(carol_client, body):
    response = carol_client.post(reverse("cases:reply-template-save"),
        {"language": "it", "subject": "Oggetto", "body": body, "active": "on"})  # fmt: skip
    assert response.status_code == 400
    assert not ReplyTemplate.objects.exists()


def test_another_workspaces_template_is_out_of_reach(mallory_client, workspace_a, carol):
    template = services.reply_template_set(
        workspace=workspace_a, by=carol, language="en", subject="Sorry", body="Dear {name}"
    )
    remove = reverse("cases:reply-template-remove", args=[template.pk])
    assert mallory_client.post(remove).status_code == 404
    assert (
        mallory_client.get(reverse("cases:reply-templates") + f"?edit={template.pk}").status_code
        == 404
    )
    assert ReplyTemplate.objects.filter(pk=template.pk).exists()


# --- the ledger --------------------------------------------------------------------------------

ROME = ZoneInfo("Europe/Rome")


def test_ledger_totals_against_a_hand_computation(
    carol_client, workspace_a, workspace_b, customer, alice, bob, carol, mallory
):
    """GIVEN in November: bob grants 150 + 40 (agent, 1,000 a month), asks 500 which carol
    approves (manager) and 300 which alice refuses; in December alice grants 1,200 (owner, no
    limit); in workspace B 999 (not shown)
    THEN November: 690 granted (bob 190, carol 500), December 1,200 (alice); total 1,890."""
    case = open_case(customer, bob)
    with time_machine.travel(datetime(2026, 11, 10, 10, tzinfo=ROME), tick=False):
        services.case_remedy_grant(case=case, by=bob, kind="discount", amount="150")
        services.case_remedy_grant(case=case, by=bob, kind="gift", amount="40")
        big = services.case_remedy_grant(case=case, by=bob, kind="refund", amount="500")
        no = services.case_remedy_grant(case=case, by=bob, kind="refund", amount="300")
        services.case_remedy_approve(remedy=big, by=carol)
        services.case_remedy_refuse(remedy=no, by=alice, reason="Già scontato")
    with time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=ROME), tick=False):
        services.case_remedy_grant(case=case, by=alice, kind="refund", amount="1200")
    foreign = open_case(CustomerFactory(workspace=workspace_b), mallory)
    services.case_remedy_grant(case=foreign, by=mallory, kind="refund", amount="999")

    page = carol_client.get(reverse("cases:ledger"))
    assert page.status_code == 200
    ctx = page.context
    assert ctx["total"] == Decimal("1890.00") and ctx["pending"] == 0
    assert [(r["month"].month, r["total"]) for r in ctx["by_month"]] == [
        (12, Decimal("1200.00")), (11, Decimal("690.00"))
    ]  # fmt: skip
    people = {(r.month.month, r.member.pk): (r.total, r.budget) for r in ctx["by_member"]}
    assert people == {
        (11, bob.pk): (Decimal("190.00"), Decimal("1000.00")),
        (11, carol.pk): (Decimal("500.00"), Decimal("10000.00")),
        (12, alice.pk): (Decimal("1200.00"), None),
    }
    assert ctx["count"] == 5 and "999" not in page.content.decode()

    november = carol_client.get(
        reverse("cases:ledger"), {"start": "2026-11-01", "end": "2026-11-30"}
    )
    assert november.context["total"] == Decimal("690.00") and november.context["count"] == 4
    of_bob = carol_client.get(reverse("cases:ledger"), {"member": bob.pk, "status": "granted"})
    assert of_bob.context["total"] == Decimal("690.00")  # his own and the one approved for him
    refused = carol_client.get(reverse("cases:ledger"), {"status": "refused"})
    assert [r.decision_reason for r in refused.context["remedies"]] == ["Già scontato"]

    export = carol_client.get(reverse("cases:ledger"), {"format": "csv", "status": "granted"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    raw = export.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 5  # header + four granted
    values = sorted(r[5] for r in rows[1:])
    assert values == ["1200,00", "150,00", "40,00", "500,00"]  # decimal commas


@pytest.mark.parametrize(
    "query", [{"start": "2026-13-01"}, {"start": "2026-11-30", "end": "2026-11-01"},
              {"member": "999999"}, {"status": "stolen"}, {"category": "abc"}],
)  # fmt: skip
def test_ledger_bad_filters_are_a_400(carol_client, query):
    assert carol_client.get(reverse("cases:ledger"), query).status_code == 400


def test_ledger_never_filters_by_another_workspaces_member(carol_client, mallory):
    assert carol_client.get(reverse("cases:ledger"), {"member": mallory.pk}).status_code == 400
    assert (
        carol_client.get(reverse("cases:ledger"), {"member": mallory.pk, "format": "csv"})
        .get("Content-Type", "")
        .startswith("text/html")
    )


def test_remedies_still_pending_are_counted_apart(carol_client, customer, bob):
    case = open_case(customer, bob)
    services.case_remedy_grant(case=case, by=bob, kind="refund", amount="250")
    ctx = carol_client.get(reverse("cases:ledger")).context
    assert (ctx["total"], ctx["pending"]) == (0, Decimal("250.00"))
    assert Remedy.objects.get().status == "pending"
