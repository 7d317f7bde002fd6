"""An owner answers "delete my data" in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ascolto.audit.models import Action, AuditEntry
from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.privacy.tests.seed import EMAIL, NAME, PHONE
from ascolto.workspaces.tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_finds_and_erases_a_person(page, alice, workspace_a, artifacts_dir):
    """
    GIVEN a customer, and another customer whose notes name them
    WHEN the owner finds them by phone on the Privacy page, ticks the other note and erases
    THEN the customer carries a made-up name, the other note is redacted, and it is logged.
    """
    person = CustomerFactory(workspace=workspace_a, name=NAME, email=EMAIL, phone=PHONE)
    other = CustomerFactory(workspace=workspace_a, notes=f"Amica di {NAME}")
    page.goto("/account/login/")
    page.fill("input[name=username]", alice.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))

    page.locator(".mainnav a[href='/privacy/']").click()
    page.fill("input[name=phone]", "347 555 0192")
    page.locator("form.filters[method=get] button[type=submit]").click()
    page.locator("#found a", has_text=NAME).click()
    expect(page.locator("#erase")).to_contain_text(f"Amica di {NAME}")
    page.locator(f"input[name=redact][value='customers.Customer:{other.pk}:notes']").check()
    page.locator("#erase-button").click()
    # Not confirmed: the browser keeps the form (the box is required) and nothing is erased.
    expect(page.locator("#erased")).to_have_count(0)
    assert Customer.objects.get(pk=person.pk).email == EMAIL
    page.locator(f"input[name=redact][value='customers.Customer:{other.pk}:notes']").check()
    page.locator("input[name=confirm]").check()
    page.locator("#erase-button").click()
    expect(page.locator("#erased")).to_be_visible()
    page.screenshot(path=artifacts_dir / "privacy-erased.png", full_page=True)

    person.refresh_from_db()
    other.refresh_from_db()
    assert person.email == "" and person.name.startswith(("Cliente cancellato", "Erased customer"))
    assert other.notes == "Amica di […]"
    assert AuditEntry.objects.filter(action=Action.PERSON_ERASED, user=alice.user).count() == 1
