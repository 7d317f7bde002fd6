"""The main path of a case in a real browser: an agent opens it from the work queue, greets the
customer with the suggested reply, grants a remedy within budget and asks for one above it; a
manager approves it. Screenshots are kept, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ascolto.cases.models import Case, Remedy
from ascolto.cases.services import reply_template_set
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.workspaces.tests.factories import PASSWORD


def _login(page, membership) -> None:
    page.goto("/account/login/")
    page.fill("input[name=username]", membership.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_handles_a_complaint_and_a_manager_approves(
    page, chromium_browser, live_server, bob, carol, artifacts_dir
):
    """
    GIVEN an angry complaint recorded for a customer bob looks after
    WHEN bob opens it from "To do", sends the suggested greeting, grants a 30 € gift and asks
    for a 500 € refund, and carol approves the refund from her "To do"
    THEN the case is taken in charge, the gift granted at once, the refund waiting and then
    granted by carol.
    """
    workspace = bob.workspace
    customer = CustomerFactory(workspace=workspace, name="Bar Centrale", account_owner=bob)
    interaction_record(
        customer=customer,
        by=bob,
        touchpoint=Touchpoint.objects.get(workspace=workspace, code="reclamo"),
        text="Vergognoso! La fattura è sbagliata per la terza volta",
    )
    case = Case.objects.get(customer=customer)
    Case.objects.filter(pk=case.pk).update(emotion="anger")
    # The manager wrote the business's own reply for angry customers.
    reply_template_set(
        workspace=workspace, by=carol, language="it", emotion="anger",
        subject="Ci scusi", body="Gentile {name}, mi scusi: ha ragione. La richiamo entro oggi.",
    )  # fmt: skip

    _login(page, bob)
    page.goto("/cases/")
    row = page.locator(f'[data-case="{case.pk}"]')
    expect(row).to_contain_text("Bar Centrale")
    page.screenshot(path=str(artifacts_dir / "cases-queue.png"), full_page=True)
    row.locator("a.case-link").click()
    expect(page.locator("#reply")).to_have_value(
        "Gentile Bar Centrale, mi scusi: ha ragione. La richiamo entro oggi."
    )
    page.screenshot(path=str(artifacts_dir / "cases-case-new.png"), full_page=True)
    page.click("#acknowledge")
    expect(page.locator("#case-status")).to_have_attribute("data-status", "acknowledged")

    page.select_option("#remedy-form select[name=kind]", "gift")
    page.fill("#remedy-form input[name=amount]", "30")
    page.fill("#remedy-form input[name=why]", "Una bottiglia per scusarci")
    page.click("#remedy-form button[type=submit]")
    expect(page.locator('#remedies li[data-status="granted"]')).to_have_count(1)

    page.select_option("#remedy-form select[name=kind]", "refund")
    page.fill("#remedy-form input[name=amount]", "500")
    page.click("#remedy-form button[type=submit]")
    expect(page.locator('#remedies li[data-status="pending"]')).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "cases-case-remedies.png"), full_page=True)

    manager = chromium_browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    phone = manager.new_page()
    try:
        _login(phone, carol)
        phone.goto("/cases/")
        phone.locator("#approvals a").first.click()
        pending = phone.locator('#remedies li[data-status="pending"]')
        pending.locator("input[name=reason]").fill("Cliente storico")
        pending.locator('button[value="approve"]').click()
        expect(phone.locator('#remedies li[data-status="granted"]')).to_have_count(2)
        phone.screenshot(path=str(artifacts_dir / "cases-case-phone.png"), full_page=True)
        # The case's own content fits the phone (the navigation bar scrolls on its own).
        width = phone.evaluate("document.querySelector('main').scrollWidth")
        assert width <= 390, f"the case page is {width}px wide on a 390px phone"
    finally:
        manager.close()

    refund = Remedy.objects.get(kind="refund")
    assert (refund.status, refund.decided_by, refund.decision_reason) == (
        "granted",
        carol,
        "Cliente storico",
    )


@pytest.mark.browser
def test_a_manager_sets_a_budget_with_the_keyboard_on_a_phone(
    chromium_browser, live_server, carol, artifacts_dir
):
    """GIVEN carol (manager) on a 390 px phone WHEN she tabs to the agents' budget, types 150
    and presses Enter THEN it is saved; the settings page and the ledger fit the phone."""
    from ascolto.cases.models import SpendingBudget

    context = chromium_browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    phone = context.new_page()
    try:
        _login(phone, carol)
        phone.goto("/cases/settings/#budgets")
        agent = SpendingBudget.objects.get(workspace=carol.workspace, role="agent")
        field = phone.locator(f"#id_bud{agent.pk}-per_case")
        field.focus()
        field.press("Control+a")
        phone.keyboard.type("150")
        phone.keyboard.press("Enter")
        phone.wait_for_url("**/cases/settings/#budgets")
        expect(phone.locator(f"#id_bud{agent.pk}-per_case")).to_have_value("150.00")
        phone.screenshot(path=str(artifacts_dir / "cases-settings-phone.png"), full_page=True)
        width = phone.evaluate("document.querySelector('main').scrollWidth")
        assert width <= 390, f"the settings page is {width}px wide on a 390px phone"
        phone.goto("/cases/ledger/")
        phone.screenshot(path=str(artifacts_dir / "cases-ledger-phone.png"), full_page=True)
        width = phone.evaluate("document.querySelector('main').scrollWidth")
        assert width <= 390, f"the ledger is {width}px wide on a 390px phone"
    finally:
        context.close()
    agent.refresh_from_db()
    assert agent.per_case == 150
