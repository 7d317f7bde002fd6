"""The first day of a real business, in a real browser: starting it on the first-run page,
the checklist, a survey sent to many with its held-back list and its progress, an answer on
a phone, and the dashboard. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ascolto.core.testing import run_pending_tasks
from ascolto.customers.models import Customer
from ascolto.customers.services import customer_surveys_consent_set
from ascolto.feedback.models import Invitation, Response
from ascolto.feedback.submissions.filing import submissions_store_all
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.workspaces.models import Membership, Workspace

PASSWORD = "rosmarino-e-salvia-41"


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="it-IT", **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_first_day_of_a_real_business(
    chromium_browser, live_server, smtp_server, settings, artifacts_dir
):
    """
    GIVEN a fresh installation, no account, no workspace
    WHEN the owner starts a shop on the first-run page, imports the customers from a spreadsheet
      through the checklist's link, sends the NPS survey to all of them (seeing who is held back and why), and a
      customer answers from the emailed link on a phone
    THEN the checklist ticks itself step by step, the invitations go out with a progress bar,
      and the dashboard counts the answer.
    """
    settings.SITE_URL = live_server.url
    context, page, errors = _context(chromium_browser, live_server)

    # 1. the first-run page: the owner and the business in one form
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/start/$"))
    page.fill("#id_business-name", "Ferramenta Neri")
    page.select_option("#id_business-sector", "retail")
    page.fill("#id_owner-first_name", "Luca")
    page.fill("#id_owner-email", "luca@ferramenta-neri.it")
    page.fill("#id_owner-password1", PASSWORD)
    page.fill("#id_owner-password2", PASSWORD)
    page.screenshot(path=str(artifacts_dir / "first_day_1_setup.png"), full_page=True)
    page.get_by_role("button", name="Crea la mia attività").click()

    # 2. the checklist, nothing done yet
    expect(page.locator("h1")).to_contain_text("Benvenuto in Ferramenta Neri")
    expect(page.get_by_test_id("checklist-progress")).to_have_text("0 di 4 fatti")
    page.screenshot(path=str(artifacts_dir / "first_day_2_checklist.png"), full_page=True)
    workspace = Workspace.objects.get(name="Ferramenta Neri")
    owner = Membership.objects.get(workspace=workspace)
    assert workspace.onboarding.sector == "retail"

    # 3. the customers from a spreadsheet, through the checklist's link to the import page
    page.get_by_test_id("step-link-customers").click()
    expect(page).to_have_url(re.compile(r"/connections/import/\?kind=customers$"))
    expect(page.locator("#id_kind")).to_have_value("customers")
    sheet = artifacts_dir / "first_day_clienti.csv"
    sheet.write_text(
        "Nome;Email;Telefono\n"
        "Edilizia Bassi;bassi@example.com;\n"
        "Bar Centrale;bar@example.com;\n"
        "Studio Conti;studio@example.com;\n"
        "Idraulica Fumagalli;idraulica@example.com;\n"
        "Rossi Mario;rossi@example.com;\n"
        "Giardini Verdi;;333 765 4321\n"
        "Tetti Moretti;tetti@example.com;\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(sheet))
    page.get_by_role("button", name="Avanti: le colonne").click()
    expect(page.locator("#column-0")).to_have_value("name")
    expect(page.locator("#column-1")).to_have_value("email")
    page.screenshot(path=str(artifacts_dir / "first_day_3_import_columns.png"), full_page=True)
    page.get_by_role("button", name="Importa", exact=True).click()
    # the import runs in the worker; its page shows the progress and refreshes itself
    expect(page).to_have_url(re.compile(r"/connections/import/\d+/$"))
    run_pending_tasks()
    expect(page.locator("#import-totals")).to_contain_text("7 nuovi", timeout=15_000)
    page.goto("/")
    expect(page.locator('[data-step="customers"]')).to_have_attribute("data-done", "yes")
    expect(page.get_by_test_id("checklist-progress")).to_have_text("1 di 4 fatto")
    assert Customer.objects.filter(workspace=workspace).count() == 7

    # one asked for no more surveys, one has an open complaint
    def named(name: str) -> Customer:
        return Customer.objects.get(workspace=workspace, name=name)

    customer_surveys_consent_set(customer=named("Rossi Mario"), by=owner, wanted=False)
    interaction_record(
        customer=named("Tetti Moretti"),
        by=owner,
        touchpoint=Touchpoint.objects.get(workspace=workspace, code="reclamo"),
        occurred_at=timezone.now() - timedelta(hours=3),
        text="La consegna è arrivata con due giorni di ritardo.",
    )

    # 4. the survey to many customers: who is asked, who is held back and why
    page.goto("/feedback/")
    page.get_by_role("link", name="Invia a molti clienti").click()
    page.select_option("#id_survey", label="Come stiamo andando? (NPS)")
    page.get_by_role("button", name="Vedi chi riceverà la domanda").click()
    preview = page.get_by_test_id("bulk-preview")
    expect(preview.locator("h2")).to_have_text("4 clienti riceveranno la domanda")
    expect(preview).to_contain_text("3 clienti restano esclusi")
    held = preview.locator("tr[data-reason]")
    expect(held).to_have_count(3)
    expect(preview.locator('tr[data-reason="opted_out"]')).to_contain_text("Rossi Mario")
    expect(preview.locator('tr[data-reason="opted_out"]')).to_contain_text("non vuole sondaggi")
    expect(preview.locator('tr[data-reason="no_email"]')).to_contain_text("Giardini Verdi")
    expect(preview.locator('tr[data-reason="complaint"]')).to_contain_text("reclamo aperto")
    page.screenshot(path=str(artifacts_dir / "first_day_3_bulk_preview.png"), full_page=True)
    page.get_by_role("button", name="Invia a 4 clienti").click()

    # 5. the progress bar fills while the worker invites and the emails go out
    bar = page.get_by_test_id("bulk-progress")
    expect(bar).to_have_attribute("data-finished", "no")
    run_pending_tasks()
    expect(bar).to_have_attribute("data-finished", "yes", timeout=10_000)
    expect(bar).to_contain_text("4 di 4 clienti gestiti")
    expect(bar.locator("progress")).to_have_attribute("value", "4")
    page.screenshot(path=str(artifacts_dir / "first_day_4_bulk_sent.png"), full_page=True)
    assert Invitation.objects.filter(workspace=workspace, sent_at__isnull=False).count() == 4
    # the survey's four invitations (the open complaint's case also greeted its customer)
    invited = [m for m in smtp_server.messages if "tetti@example.com" not in m["X-Envelope-To"]]
    assert len(invited) == 4

    # 6. a customer answers the emailed link on a phone
    recipients = [m["X-Envelope-To"] for m in smtp_server.messages]
    message = smtp_server.messages[recipients.index("bassi@example.com")]
    link = re.search(r"https?://\S+/s/[A-Za-z0-9_-]+/", smtp_server.text(message)).group(0)
    phone, phone_page, phone_errors = _context(
        chromium_browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone_page.goto(link)
    phone_page.locator("input[type=radio][value='9']").first.check()
    phone_page.get_by_label("Perché?").fill("Gentili e veloci, il furgone era pulitissimo.")
    phone_page.screenshot(path=str(artifacts_dir / "first_day_5_phone_answer.png"), full_page=True)
    phone_page.get_by_role("button").last.click()
    expect(phone_page).to_have_url(re.compile(r"/thanks/$"))
    phone_page.screenshot(path=str(artifacts_dir / "first_day_6_phone_thanks.png"), full_page=True)
    phone.close()
    assert submissions_store_all() == 1
    assert Response.objects.get(workspace=workspace).score == 9

    # 7. the checklist has ticked the survey; the dashboard counts the answer
    page.goto("/")
    expect(page.locator('[data-step="survey"]')).to_have_attribute("data-done", "yes")
    expect(page.get_by_test_id("checklist-progress")).to_have_text("2 di 4 fatti")
    page.goto("/dashboard/")
    expect(page.locator("main")).to_contain_text("NPS")
    expect(page.locator("main")).to_contain_text("100")
    page.screenshot(path=str(artifacts_dir / "first_day_7_dashboard.png"), full_page=True)
    context.close()
    assert not errors, f"browser console errors: {errors}"
    assert not phone_errors, f"browser console errors on the phone: {phone_errors}"
