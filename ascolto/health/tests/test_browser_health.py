"""The at-risk list and the customer page's health card, in a real browser."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ascolto.customers.tests.factories import ContractFactory, CustomerFactory
from ascolto.health.services import health_scores_compute
from ascolto.health.tests import fixtures as f
from ascolto.workspaces.tests.factories import PASSWORD


def log_in(page, member) -> None:
    page.goto("/account/login/")
    page.fill("input[name=username]", member.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_opens_the_at_risk_list_and_the_customer_card(page, alice, artifacts_dir):
    """
    GIVEN a customer who answered 9 then 2, complained twice, had a promise broken and renews
          in 20 days, with a score stored for the last three weeks; and a happy customer
    WHEN the owner opens "At risk" from the navigation, sorts by yearly value and opens the
         customer
    THEN the list shows the customer with the reasons and what to do, not the happy one, and
         the customer page's health card shows the score, the chart and the reasons.
    """
    now = timezone.now()
    workspace = alice.workspace
    risky = CustomerFactory(
        workspace=workspace,
        name="Edilizia Ferri",
        account_owner=alice,
        created_at=now - timedelta(days=400),
    )
    f.nps(risky, 9, now - timedelta(days=70))
    f.interaction(risky, now - timedelta(days=60))
    ContractFactory(
        customer=risky, renewal_date=(now + timedelta(days=20)).date(), yearly_value=18000
    )
    happy = CustomerFactory(
        workspace=workspace, name="Agricola Bianchi", created_at=now - timedelta(days=400)
    )
    f.nps(happy, 10, now - timedelta(days=10))
    f.interaction(happy, now - timedelta(days=9))
    for days in (21, 14, 7):
        health_scores_compute(workspace=workspace, now=now - timedelta(days=days), alert=False)
    f.nps(risky, 2, now - timedelta(days=2))
    f.interaction(risky, now - timedelta(days=3), code="reclamo", text="Piattaforma guasta")
    f.interaction(risky, now - timedelta(days=1), code="ritardo", text="Consegna in ritardo")
    f.check(f.promise(workspace), risky, now - timedelta(days=5))
    health_scores_compute(workspace=workspace, now=now, alert=False)

    log_in(page, alice)
    page.get_by_role("link", name="At risk").click()
    expect(page.locator("h1")).to_have_text("Customers at risk")
    row = page.locator("tr.at-risk-row", has_text="Edilizia Ferri")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Last recommendation score: 2 out of 10.")
    expect(row).to_contain_text("Call them: ask what went wrong.")
    expect(row).to_contain_text("−")
    expect(page.locator("tr.at-risk-row", has_text="Agricola Bianchi")).to_have_count(0)
    page.select_option("#filter-sort", "value")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"sort=value"))
    page.screenshot(path=str(artifacts_dir / "health_at_risk.png"), full_page=True)

    row = page.locator("tr.at-risk-row", has_text="Edilizia Ferri")
    row.get_by_role("link", name="Edilizia Ferri").click()
    card = page.locator("#health-panel")
    expect(card).to_be_visible()
    expect(card.locator(".health-number")).to_have_text(re.compile(r"^\d+$"))
    expect(card.locator("svg.chart-health-history")).to_be_visible()
    expect(card).to_contain_text("What made it go down")
    expect(card).to_contain_text("New complaint")
    page.locator(".lang-btn[value=it]").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    card = page.locator("#health-panel")
    expect(card).to_contain_text("Che cosa l’ha fatto scendere")
    expect(card).to_contain_text("Ultimo voto di raccomandazione: 2 su 10.")
    card.screenshot(path=str(artifacts_dir / "health_card.png"))

    # The customer list sorts by health from the keyboard: the header is a link.
    page.goto("/customers/")
    header = page.locator("th a.sort-link", has_text="Salute")
    header.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=health"))
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Salute")
    expect(page.locator("tbody tr").first).to_contain_text("Edilizia Ferri")
    page.screenshot(path=str(artifacts_dir / "customer_list_sorted_by_health.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_at_risk_list_fits_a_phone(chromium_browser, live_server, alice):
    now = timezone.now()
    c = CustomerFactory(
        workspace=alice.workspace,
        name="Cantieri Riuniti dell'Adda Srl",
        created_at=now - timedelta(days=400),
    )
    f.nps(c, 1, now - timedelta(days=2))
    f.interaction(c, now - timedelta(days=2), code="reclamo")
    f.interaction(c, now - timedelta(days=3), code="errore")
    health_scores_compute(workspace=alice.workspace, now=now, alert=False)
    context = chromium_browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    log_in(page, alice)
    page.goto("/at-risk/")
    expect(page.locator("tr.at-risk-row")).to_have_count(1)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert overflow <= 1, f"page scrolls sideways by {overflow}px on a phone"
