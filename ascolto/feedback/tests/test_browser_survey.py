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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ratings_name_their_ends_and_yes_no_is_two_buttons_on_a_phone(
    page, live_server, alice, artifacts_dir
):
    """
    GIVEN an NPS survey with a 1–5 rating and a yes/no question
    WHEN a customer opens it on a 390 px phone
    THEN every rating names what its ends mean, "Sì" and "No" sit side by side, nothing scrolls
         sideways, and tapping "Sì" and sending stores a yes.
    """
    workspace = alice.workspace
    survey = SurveyFactory(workspace=workspace, by=alice, name="Consegne")
    services.question_add(
        survey=survey, by=alice, kind="scale", text_it="Cortesia", min_value=1, max_value=5
    )
    on_time = services.question_add(
        survey=survey, by=alice, kind="yesno", text_it="Le consegne arrivano all'ora concordata?"
    )
    customer = CustomerFactory(workspace=workspace, name="Cantieri Verdi", account_owner=alice)
    invitation = services.survey_invitation_create(survey=survey, customer=customer, by=alice)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/s/{invitation.token}/")
    ends = page.locator(".scale-ends")
    expect(ends).to_have_count(2)
    expect(ends.nth(0)).to_contain_text("0 = Per niente probabile")
    expect(ends.nth(1)).to_contain_text("1 = Pessimo")
    expect(ends.nth(1)).to_contain_text("5 = Ottimo")
    yes = page.locator(".yesno-options .choice-option").nth(0)
    no = page.locator(".yesno-options .choice-option").nth(1)
    expect(yes).to_contain_text("Sì")
    expect(no).to_contain_text("No")
    yes_box, no_box = yes.bounding_box(), no.bounding_box()
    assert abs(yes_box["y"] - no_box["y"]) < 2 and no_box["x"] > yes_box["x"] + yes_box["width"]
    assert yes_box["height"] >= 44  # a finger's target
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("input[type=radio][value='9']").first.check()
    yes.click()
    page.screenshot(path=str(artifacts_dir / "survey_phone_yes_no.png"), full_page=True)
    page.get_by_role("button").last.click()
    expect(page.locator("h1")).to_be_visible()
    assert "/thanks/" in page.url
    run_pending_tasks()
    assert Response.objects.get().answers.get(question=on_time).number == 1
