"""The "Their words" card on the customer page: figures from the text analysis selector, each a
link to the comments page listing exactly what it counts."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.textanalysis.tests.voice_fixtures import voice_world

pytestmark = pytest.mark.django_db


def _card(response) -> str:
    body = response.content.decode()
    match = re.search(r'<section class="card" id="their-words".*?</section>', body, re.S)
    assert match, "no Their words card"
    return match.group(0)


def _figure(card: str, name: str) -> tuple[str, str | None]:
    """The figure shown for `name` and its link (None when not a link)."""
    dd = re.search(rf'<dd data-voice="{name}">(.*?)</dd>', card, re.S).group(1)
    link = re.search(r'<a href="([^"]+)"', dd)
    text = re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", dd).strip()
    return text, html.unescape(link.group(1)) if link else None


def _listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return len(re.findall(r'class="timeline-item ta-row"', response.content.decode()))


@pytest.fixture
def world(workspace_a, workspace_b):
    return voice_world(workspace_a, workspace_b)


def _page(client, customer, language: str = "it"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("customers:customer-detail", args=[customer.pk]))


@pytest.mark.parametrize("language", ["it", "en"])
def test_card_shows_the_hand_counted_figures(bob_client, world, language):
    """GIVEN the customer's five texts of the last 12 months (and older or other customers'
    ones) WHEN an agent opens the customer page THEN the card shows 5 texts, 3 negative,
    2 angry and timeliness, in the page's language."""
    response = _page(bob_client, world.cust, language)
    assert response.status_code == 200
    card = _card(response)
    assert _figure(card, "texts")[0] == "5"
    assert _figure(card, "negative")[0] == "3"
    assert _figure(card, "angry")[0] == "2"
    with translation.override(language):
        assert gettext("Their words") in card
        assert str(translation.gettext("Timeliness")) in _figure(card, "aspects")[0]


def test_each_link_lists_as_many_texts_as_its_figure(bob_client, world):
    """GIVEN the card WHEN following every link with the same client THEN the comments page
    lists as many texts as the figure says."""
    card = _card(_page(bob_client, world.cust))
    for name in ("texts", "negative", "angry"):
        figure, url = _figure(card, name)
        assert url is not None, name
        assert _listed(bob_client, url) == int(figure), name
    aspect_url = html.unescape(re.search(r'data-voice="aspects"><a href="([^"]+)"', card).group(1))
    assert _listed(bob_client, aspect_url) == 3
    assert f"customer={world.cust.pk}" in aspect_url and "aspect=timeliness" in aspect_url


def test_zero_is_not_a_link(bob_client, workspace_a):
    from ascolto.textanalysis.tests import stored_fixtures as fx

    cust = fx.customer(workspace_a)
    fx.labelled(cust, "Tutto bene", sentiment="positive", emotion="joy")
    card = _card(_page(bob_client, cust))
    assert _figure(card, "texts")[0] == "1"
    assert _figure(card, "negative") == ("0", None)
    assert _figure(card, "angry") == ("0", None)
    assert _figure(card, "aspects") == ("—", None)


@pytest.mark.parametrize("language", ["it", "en"])
def test_empty_state(bob_client, workspace_a, language):
    cust = CustomerFactory(workspace=workspace_a)
    card = _card(_page(bob_client, cust, language))
    with translation.override(language):
        assert gettext("No comments or notes analysed yet.") in card
    assert 'data-voice="texts"' not in card


def test_outsider_gets_404(mallory_client, world):
    response = mallory_client.get(reverse("customers:customer-detail", args=[world.cust.pk]))
    assert response.status_code == 404
    assert b"their-words" not in response.content


def test_the_card_costs_one_query(bob_client, world):
    """The card's figures come from one aggregate query over the customer's analyses."""
    bob_client.get(reverse("customers:customer-detail", args=[world.cust.pk]))
    with CaptureQueriesContext(connection) as queries:
        _page(bob_client, world.cust)
    counting = [
        q["sql"]
        for q in queries
        if "textanalysis_textanalysis" in q["sql"] and "COUNT(DISTINCT" in q["sql"]
    ]
    assert len(counting) == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_their_words_on_a_phone(chromium_browser, live_server, bob, workspace_b, artifacts_dir):
    """GIVEN the customer's words WHEN an agent opens the customer on a phone and taps the
    negative figure THEN the card fits the screen and the comments page lists those 3 texts."""
    from playwright.sync_api import expect

    from ascolto.workspaces.tests.factories import PASSWORD

    world = voice_world(bob.workspace, workspace_b)
    context = chromium_browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.goto("/account/login/")
    page.fill("input[name=username]", bob.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.goto(f"/customers/{world.cust.pk}/")
    card = page.locator("#their-words")
    expect(card.locator('[data-voice="texts"]')).to_contain_text("5")
    card.scroll_into_view_if_needed()
    box = card.bounding_box()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    card.screenshot(path=str(artifacts_dir / "customer_their_words_phone.png"))
    card.locator('[data-voice="negative"] a').click()
    expect(page.locator("#comment-list .ta-row")).to_have_count(3)
    context.close()
    assert overflow <= 1, f"page scrolls sideways by {overflow}px on a phone"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
