"""The gap page in a real browser, under the strict content security policy."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from ascolto.promises.tests import gap_fixtures as fx


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_gap_page_change_period_and_screenshot(page, live_server, alice, artifacts_dir):
    """
    GIVEN an owner whose business has three promises with checks and ratings in early 2026
    WHEN they open the gap page for January–March, then narrow the period to January
    THEN the cards, the chart and the sparklines are drawn without any console error (CSP
         violations included), the figures follow the period, and screenshots are kept.
    """
    live_server.thread.httpd.get_app().application.load_middleware()
    world = fx.build(alice.workspace, alice)

    client = Client()
    client.force_login(alice.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto("/promises/gaps/?start=2026-01-01&end=2026-03-31")
    card = page.locator(f"#gap-{world.p1.pk}")
    expect(card).to_have_attribute("data-delivered", "60.0")
    expect(page.locator("svg.chart-gaps")).to_have_count(1)
    expect(page.locator("svg.chart-sparkline")).to_have_count(3)
    expect(page.locator("#differ-table tbody tr")).to_have_count(4)
    page.screenshot(path=str(artifacts_dir / "promise_gaps_quarter.png"), full_page=True)

    page.fill("input[name=start]", "2026-01-01")
    page.fill("input[name=end]", "2026-01-31")
    page.get_by_role("button", name=re.compile("Applica|Apply")).click()
    expect(page).to_have_url(re.compile(r"end=2026-01-31"))
    # In January both checks of P1 were kept and nobody had answered yet.
    expect(card).to_have_attribute("data-delivered", "100.0")
    expect(card).to_have_attribute("data-perceived", "")
    expect(page.locator("#gap-period")).to_have_attribute("data-end", "2026-01-31")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "promise_gaps_january_phone.png"), full_page=True)
