"""From the invitation email to the customer's timeline, in a real browser on a phone."""

import re

import pytest
from playwright.sync_api import expect

from ascolto.core.testing import run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.models import Response
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.workspaces.tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_emailed_link_answered_on_a_phone_lands_on_the_timeline(
    page, live_server, smtp_server, settings, alice, artifacts_dir
):
    """
    GIVEN an NPS survey and a customer invited by email through a real SMTP server
    WHEN the customer opens the emailed link on a phone, answers with the keyboard and sends
    THEN the thank-you page shows, and the owner sees the answer on the customer's timeline.
    """
    settings.SITE_URL = live_server.url
    workspace = alice.workspace
    survey = SurveyFactory(workspace=workspace, by=alice, name="NPS primavera")
    customer = CustomerFactory(
        workspace=workspace, name="Cantieri Verdi", email="verdi@example.com", account_owner=alice
    )
    services.survey_invitation_create(survey=survey, customer=customer, by=alice)
    assert run_pending_tasks() == 1
    [message] = smtp_server.messages
    link = re.search(r"https?://\S+/s/[A-Za-z0-9_-]+/", smtp_server.text(message)).group(0)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    expect(page.locator(".survey-top")).to_contain_text(workspace.name)
    expect(page.locator("legend").first).to_contain_text("Quanto è probabile")
    # keyboard only: focus the first score, move with the arrow keys to 8
    page.locator("input[type=radio][value='0']").first.focus()
    for _ in range(8):
        page.keyboard.press("ArrowRight")
    expect(page.locator("input[type=radio][value='8']").first).to_be_checked()
    page.get_by_label("Perché?").fill("Puntuali, ma il preventivo è arrivato tardi")
    page.screenshot(path=str(artifacts_dir / "survey_phone.png"), full_page=True)
    page.get_by_role("button").last.click()
    expect(page.locator("h1")).to_be_visible()
    assert "/thanks/" in page.url
    run_pending_tasks()  # the worker stores the submission (and analyses its comment)
    assert Response.objects.get().score == 8

    page.goto("/account/login/")
    page.fill("input[name=username]", alice.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.goto(f"/customers/{customer.pk}/")
    expect(page.locator(".timeline")).to_contain_text("Puntuali, ma il preventivo è arrivato tardi")
    expect(page.locator(".timeline")).to_contain_text("NPS primavera")
