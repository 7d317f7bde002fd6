"""Text analysis' badges on the pages of the lower apps (the customer's timeline, its older
pages), which only know the `badges` library of lib."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ascolto.lib.badges import text_badge_providers
from ascolto.textanalysis.tests import stored_fixtures as fx

pytestmark = pytest.mark.django_db


def test_text_analysis_provides_the_badges():
    assert "textanalysis" in [p.name for p in text_badge_providers]


def test_an_analysed_note_shows_its_badge_on_the_timeline(alice_client, workspace_a):
    customer = fx.customer(workspace_a)
    analysis = fx.labelled(
        customer,
        "Tecnico in ritardo",
        sentiment="negative",
        emotion="anger",
        aspects=("timeliness",),
    )
    plain = fx.interaction(customer, "Nessuna analisi ancora")
    html = alice_client.get(reverse("customers:customer-detail", args=[customer.pk])).content
    html = html.decode()
    badge = f'<div class="ta-badge" id="ta-{analysis.pk}" data-analysis="{analysis.pk}"'
    assert html.count('class="ta-badge"') == 1 and badge in html
    assert 'data-sentiment="negative" data-emotion="anger"' in html
    assert html.index(f'id="interaction-{analysis.source_id}"') < html.index(badge)
    assert f'id="interaction-{plain.pk}"' in html
    older = alice_client.get(
        reverse("interactions:timeline", args=[customer.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert badge in older
