"""The first minutes of a staff member, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import StaffSignal
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.workspaces.tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_log_in_open_customer_log_signal_and_switch_language(page, bob, artifacts_dir):
    """
    GIVEN an agent of a business with a customer that has some history
    WHEN they log in, open the customer, note a staff signal with one text and one button,
         and switch the interface to English
    THEN the signal is on top of the timeline, saved once, and the page is in English.
    """
    customer = CustomerFactory(workspace=bob.workspace, name="Edilizia Ferri", account_owner=bob)
    InteractionFactory(customer=customer, text="Consegna piattaforma aerea in cantiere")

    page.goto("/")
    page.fill("input[name=username]", bob.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/customers/$"))

    page.get_by_role("link", name="Edilizia Ferri").first.click()
    expect(page.locator("h1")).to_contain_text("Edilizia Ferri")
    expect(page.locator(".timeline")).to_contain_text("Consegna piattaforma aerea")

    page.fill("form.signal-form input[name=text]", "Sembrava infastidito al telefono")
    page.locator("form.signal-form button[name=polarity][value=negative]").click()
    first_item = page.locator(".timeline .timeline-item").first
    expect(first_item).to_contain_text("Sembrava infastidito al telefono")
    assert StaffSignal.objects.filter(customer=customer, polarity="negative").count() == 1

    page.locator(".lang-btn[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Customers")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Sembrava infastidito al telefono")
    page.screenshot(path=str(artifacts_dir / "customer_detail.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_customer_page_fits_a_phone(chromium_browser, live_server, bob):
    customer = CustomerFactory(workspace=bob.workspace, name="Agricola Bianchi")
    context = chromium_browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.goto("/account/login/")
    page.fill("input[name=username]", bob.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.goto(f"/customers/{customer.pk}/")
    expect(page.locator("h1")).to_contain_text("Agricola Bianchi")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert overflow <= 1, f"page scrolls sideways by {overflow}px on a phone"
