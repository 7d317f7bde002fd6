"""The fit check in a real browser: a manager records a prospect's need, sees that it does not
fit, takes them on anyway with a reason, and finds them in the report."""

import re

import pytest
from playwright.sync_api import expect

from ascolto.customers.models import Customer
from ascolto.promises.models import FitOverride
from ascolto.promises.tests.test_fit import promise, prospect
from ascolto.workspaces.tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_record_need_see_misfit_convert_with_reason_and_report(page, carol, artifacts_dir):
    """
    GIVEN a catalogue promising a repair within 24 h and a prospect
    WHEN a manager records "someone on site within 4 h", opens "Convert to customer", first
         sends no reason, then a reason
    THEN the panel says it does not fit, the empty reason is refused, the customer becomes
         active with one override, and the report lists them with the reason.
    """
    workspace = carol.workspace
    promise(workspace, dimension="timeliness", target_type="duration", limit=24, unit="hours")
    customer = prospect(workspace, name="Cantieri Neri")

    page.goto("/account/login/")
    page.fill("input[name=username]", carol.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    page.locator(".lang-btn[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"/customers/{customer.pk}/")
    panel = page.locator("#needs")
    expect(panel).to_have_attribute("data-verdict", "nothing")
    panel.locator("input[name=text]").fill("Someone on site within 4 hours")
    panel.locator("select[name=dimension]").select_option("timeliness")
    panel.locator("select[name=target_type]").select_option("duration")
    panel.locator("input[name=limit]").fill("4")
    panel.locator("select[name=unit]").select_option("hours")
    panel.get_by_role("button", name="Record the need").click()

    panel = page.locator("#needs")
    expect(panel).to_have_attribute("data-verdict", "misfit")
    expect(panel.locator("[data-status=misfit]")).to_contain_text("24 h")
    expect(panel.locator("[data-status=misfit]")).to_contain_text("4 h")
    page.screenshot(path=str(artifacts_dir / "fit_panel_misfit.png"), full_page=True)

    panel.get_by_role("link", name="Convert to customer").click()
    expect(page.locator("#fit-check")).to_have_attribute("data-verdict", "misfit")
    page.locator("#convert-form textarea[name=reason]").evaluate("el => el.required = false")
    page.locator("#convert-form button[type=submit]").click()
    expect(page.locator("#convert-form .errorlist")).to_be_visible()
    customer.refresh_from_db()
    assert customer.status == Customer.Status.PROSPECT

    page.fill("#convert-form textarea[name=reason]", "Strategic account: we add an on-call tech")
    page.locator("#convert-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE
    assert FitOverride.objects.filter(customer=customer).count() == 1

    page.goto("/promises/fit/taken-despite-misfit/")
    row = page.locator(f"#override-table tr[data-customer='{customer.pk}']")
    expect(row).to_contain_text("Cantieri Neri")
    expect(row).to_contain_text("Strategic account")
    expect(page.locator("#summary-taken")).to_have_attribute("data-total", "1")
    page.screenshot(path=str(artifacts_dir / "fit_report.png"), full_page=True)
