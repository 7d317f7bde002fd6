"""The overview in a real browser, under the strict content security policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from ascolto.bench.management.commands.bench import generate_responses
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_overview_change_period_and_screenshot(page, live_server, alice, artifacts_dir):
    """
    GIVEN an owner whose business has a year and more of survey answers in three segments
    WHEN they open the dashboard and choose a shorter period
    THEN the figures follow the period, the charts are drawn without any console error
         (CSP violations included), and a screenshot is kept.
    """
    # The session-wide live server built its middleware before this test's settings applied
    # (SSL redirect, manifest storage); build it again with them.
    live_server.thread.httpd.get_app().application.load_middleware()
    workspace = alice.workspace
    for name in ("Edilizia", "Eventi", "Agricoltura"):
        segment = SegmentFactory(workspace=workspace, name=name)
        CustomerFactory.create_batch(12, workspace=workspace, segment=segment, account_owner=alice)
    generate_responses(workspace, 1500, seed=7)

    client = Client()
    client.force_login(alice.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("#kpi-nps .kpi-value")).not_to_have_text("–")
    assert page.locator("svg.chart-line .point").count() == 12
    year_answers = page.locator("#kpi-nps .kpi-sub").inner_text()
    page.screenshot(path=str(artifacts_dir / "dashboard_overview_year.png"), full_page=True)

    today = timezone.localdate()
    page.fill("input[name=start]", (today - timedelta(days=89)).isoformat())
    page.fill("input[name=end]", today.isoformat())
    page.get_by_role("button", name=re.compile("Applica|Apply")).click()
    expect(page).to_have_url(re.compile(r"start="))
    expect(page.locator("#kpi-nps .kpi-sub")).not_to_have_text(year_answers)
    assert page.locator("svg.chart-line .point").count() in (3, 4)
    page.screenshot(path=str(artifacts_dir / "dashboard_overview.png"), full_page=True)

    page.get_by_role("link", name=re.compile("Andamento|Trends")).click()
    expect(page.locator("svg.chart-line")).to_have_count(2)
    page.get_by_role("link", name=re.compile("Dettaglio|Breakdowns")).click()
    expect(page.locator("svg.chart-breakdown")).to_have_count(5)
