""" "What is said about us" in a real browser: the owner sees the angry review first with its
clock, opens it, takes the drafted reply, marks it replied; and on a phone the page fits."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.voice.models import MatchState, Review, ReviewAspect
from ascolto.voice.tests.factories import ReviewFactory
from ascolto.workspaces.tests.factories import PASSWORD


def login(page, member):
    page.goto("/account/login/")
    page.fill("input[name=username]", member.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_replies_to_the_angry_review_first(page, workspace_a, alice, artifacts_dir):
    """
    GIVEN a year of reviews on two platforms, an angry 1★ review past its deadline, another
    negative one with time left, and a review a customer wrote that waits for confirmation
    WHEN the owner opens "Reviews" from the menu, opens the late one, keeps the drafted
    apology and marks it replied; then confirms the customer of another review
    THEN the late review is first with "late by", the draft is the apology in Italian, after
    the reply it leaves the waiting list, and the confirmed review is on the customer's page.
    """
    now = timezone.now()
    for months in range(12):
        for platform, rating in (("google", 5), ("google", 4), ("tripadvisor", 4)):
            ok = ReviewFactory(
                workspace=workspace_a,
                platform=platform,
                rating=Decimal(rating),
                sentiment="positive",
                emotion="joy",
                published_at=now - timedelta(days=30 * months + 3),
                replied_at=now - timedelta(days=30 * months + 2),
            )
            ReviewAspect.objects.create(review=ok, name="courtesy")
    late = ReviewFactory(
        workspace=workspace_a,
        author="Marco Gallo",
        rating=Decimal(1),
        rating_original="1",
        text="Vergognoso! Due ore di ritardo e nessuno ha avvisato.",
        is_negative=True,
        sentiment="negative",
        emotion="anger",
        language="it",
        published_at=now - timedelta(days=4),
        reply_due_at=now - timedelta(days=1),
    )
    ReviewAspect.objects.create(review=late, name="timeliness")
    waiting = ReviewFactory(
        workspace=workspace_a,
        rating=Decimal(2),
        is_negative=True,
        sentiment="negative",
        emotion="sadness",
        published_at=now - timedelta(hours=3),
        reply_due_at=now + timedelta(days=2),
    )
    customer = CustomerFactory(workspace=workspace_a, name="Giulia Russo")
    theirs = ReviewFactory(
        workspace=workspace_a,
        author="Giulia Russo",
        rating=Decimal(5),
        suggested_customer=customer,
        match_state=MatchState.SUGGESTED,
        match_reason="name",
        published_at=now - timedelta(days=1),
    )

    page.set_extra_http_headers({"Accept-Language": "it-IT,it;q=0.9"})  # a browser in Italian
    login(page, alice)
    page.locator("nav.mainnav a[href='/voice/']").click()
    expect(page.locator("h1")).to_have_text("Cosa si dice di noi")
    rows = page.locator("#waiting-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-review", str(late.pk))
    expect(rows.first.locator(".clock")).to_contain_text("in ritardo di")
    expect(rows.nth(1).locator(".clock")).to_contain_text("ore lavorative rimaste")
    expect(page.locator("#trend svg .point")).not_to_have_count(0)
    expect(page.locator("#praised [data-aspect=courtesy]")).to_have_count(1)
    expect(page.locator("#criticised [data-aspect=timeliness]")).to_have_count(1)
    page.screenshot(path=str(artifacts_dir / "voice-overview.png"), full_page=True)

    rows.first.locator("a", has_text="Rispondi").click()
    expect(page).to_have_url(re.compile(rf"/voice/reviews/{late.pk}/$"))
    draft = page.locator("#reply-form textarea")
    expect(draft).to_have_value(re.compile(r"^Gentile Marco,\n\nci dispiace"))
    page.screenshot(path=str(artifacts_dir / "voice-reply.png"), full_page=True)
    page.locator("#reply-form button[type=submit]").click()
    expect(page.locator("#reply-done")).to_contain_text("Risposta il")
    late.refresh_from_db()
    assert late.replied_by == alice and late.reply_text.startswith("Gentile Marco,")

    page.goto("/voice/")
    expect(page.locator("#waiting-table tbody tr")).to_have_count(1)
    expect(page.locator("#waiting-table tbody tr").first).to_have_attribute(
        "data-review", str(waiting.pk)
    )

    page.goto(f"/voice/reviews/{theirs.pk}/")
    expect(page.locator("#suggestion")).to_contain_text("Giulia Russo")
    page.locator("#match-confirm").click()
    expect(page.locator("#match")).to_contain_text("è nella sua cronologia")
    page.locator("#match a", has_text="Apri il cliente").click()
    expect(page.locator(f"#review-{theirs.pk}")).to_be_visible()
    assert Review.objects.get(pk=theirs.pk).customer == customer

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/voice/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(artifacts_dir / "voice-overview-phone.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_rewrites_the_apology_and_the_next_reply_uses_it(
    page, workspace_a, carol, artifacts_dir
):
    """
    GIVEN an angry 1★ review in Italian waiting for a reply, and the shipped templates
    WHEN a manager opens the review, follows "Modelli di risposta", rewrites the Italian
    apology with the author's name and the business's name (trying first an unknown
    placeholder), goes back to the review and marks it replied with the new draft
    THEN the unknown placeholder is refused with its name, the saved template is the draft of
    the review (the author's name filled in, escaped), and the reply is recorded with it.
    """
    now = timezone.now()
    angry = ReviewFactory(
        workspace=workspace_a,
        author="Marco <b>Gallo</b>",
        rating=Decimal(1),
        rating_original="1",
        text="Due ore di ritardo e nessuno ha avvisato.",
        is_negative=True,
        sentiment="negative",
        emotion="anger",
        language="it",
        published_at=now - timedelta(hours=5),
        reply_due_at=now + timedelta(hours=19),
    )
    page.set_extra_http_headers({"Accept-Language": "it-IT,it;q=0.9"})
    login(page, carol)
    page.goto(f"/voice/reviews/{angry.pk}/")
    expect(page.locator("#reply-form textarea")).to_have_value(
        re.compile(r"^Gentile Marco,\n\nci dispiace")
    )
    page.locator("#templates-link").click()
    expect(page.locator("h1")).to_have_text("Modelli di risposta")
    card = page.locator(".reply-template[data-kind=anger][data-language=it]")
    expect(card.locator("h2")).to_have_text("Rabbia · italiano")
    card.locator("textarea").fill("Gentile {nome}, ci scusi.")
    card.locator("button", has_text="Salva").click()
    card = page.locator(".reply-template[data-kind=anger][data-language=it]")
    expect(card.locator(".errorlist")).to_contain_text("Segnaposto sconosciuto {nome}")
    # the refused form answers 400 by design: the browser logs it, it is not a fault
    page.console_errors[:] = [e for e in page.console_errors if "400 (Bad Request)" not in e]
    card.locator("textarea").fill(
        "Gentile {author},\n\nci scusi per il ritardo: La richiamiamo oggi.\n\n{business}"
    )
    page.screenshot(path=str(artifacts_dir / "voice-reply-template-edit.png"), full_page=True)
    card.locator("button", has_text="Salva").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("Modello salvato")
    page.screenshot(path=str(artifacts_dir / "voice-reply-templates.png"), full_page=True)

    page.goto(f"/voice/reviews/{angry.pk}/")
    draft = page.locator("#reply-form textarea")
    expect(draft).to_have_value(
        "Gentile Marco <b>Gallo</b>,\n\nci scusi per il ritardo: La richiamiamo oggi."
        "\n\nNoleggi Rossi"
    )
    expect(page.locator("#reply-form b")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "voice-reply-with-template.png"), full_page=True)
    page.locator("#reply-form button[type=submit]").click()
    expect(page.locator("#reply-done")).to_contain_text("Risposta il")
    angry.refresh_from_db()
    assert angry.replied_by == carol
    assert angry.reply_text.startswith("Gentile Marco <b>Gallo</b>,\n\nci scusi per il ritardo")
