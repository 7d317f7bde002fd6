"""The gap pages fit their window: no sideways scroll at 1366 px (a visually-hidden table 2,549
px wide pushed the page into blank space), and on a 390 px phone the filter fields stay inside
their card and the header stays short."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from ascolto.promises.tests import gap_fixtures as fx

WIDTHS = (1366, 390)


def _login(page, live_server, member) -> None:
    client = Client()
    client.force_login(member.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _overflow(page) -> dict:
    return page.evaluate(
        """() => {
        const doc = document.documentElement;
        const card = document.querySelector('#gap-filters').getBoundingClientRect();
        const outside = [...document.querySelectorAll('#gap-filters input, #gap-filters select')]
            .filter(el => {
                const r = el.getBoundingClientRect();
                return r.left < card.left - 0.5 || r.right > card.right + 0.5;
            })
            .map(el => el.name);
        return {
            scroll: doc.scrollWidth, client: doc.clientWidth, outside: outside,
            header: document.querySelector('header.topbar').getBoundingClientRect().height,
        };
    }"""
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_gap_pages_fit_the_window(page, live_server, alice, artifacts_dir, width):
    live_server.thread.httpd.get_app().application.load_middleware()
    world = fx.build(alice.workspace, alice)
    _login(page, live_server, alice)
    page.set_viewport_size({"width": width, "height": 900})
    for path in (
        "/promises/gaps/?start=2026-01-01&end=2026-03-31",
        f"/promises/gaps/customer/{world.c1.pk}/?start=2026-01-01&end=2026-03-31",
    ):
        page.goto(path)
        found = _overflow(page)
        assert found["scroll"] <= found["client"], (path, found)
        assert not found["outside"], (path, found)
        if width < 500:
            # Once about 200 px; the name, the tools and the menu now take at most three short
            # rows, the menu scrolling sideways.
            assert found["header"] <= 140, (path, found)
    page.screenshot(path=str(artifacts_dir / f"promise_gaps_{width}.png"), full_page=True)
