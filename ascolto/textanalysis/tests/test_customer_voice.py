"""What one customer's words say (`customer_voice_summary`) and the comments page its figures
link to."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ascolto.lib.periods import Period, workspace_zone
from ascolto.textanalysis.selectors import customer_voice_summary
from ascolto.textanalysis.tests import stored_fixtures as fx
from ascolto.textanalysis.tests.voice_fixtures import voice_world


def _ids(response) -> list[int]:
    html = response.content.decode()
    return sorted(
        int(m) for m in re.findall(r'class="timeline-item ta-row" data-analysis="(\d+)"', html)
    )


def _pks(analyses) -> list[int]:
    return sorted(a.pk for a in analyses)


@pytest.fixture
def world(workspace_a, workspace_b):
    return voice_world(workspace_a, workspace_b)


def test_figures_match_a_hand_count(workspace_a, world):
    """GIVEN five texts of the customer in the last 12 months, one a second too old, one a year
    older, and the same words from another customer and another workspace WHEN summarised THEN
    only the five count: 3 negative, 2 angry, timeliness spoken of most (3 texts)."""
    voice = customer_voice_summary(workspace=workspace_a, customer=world.cust)
    assert (voice.texts, voice.negative, voice.angry) == (5, 3, 2)
    assert [(a.name, a.texts) for a in voice.top_aspects] == [("timeliness", 3)]
    assert (voice.start, voice.end) == (world.period.start, world.period.end)


def test_one_aggregate_query(workspace_a, world):
    with CaptureQueriesContext(connection) as queries:
        customer_voice_summary(workspace=workspace_a, customer=world.cust)
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "COUNT(" in sql and "GROUP BY" not in sql


def test_ties_show_every_most_frequent_aspect(workspace_a, world):
    fx.labelled(world.cust, "Scortesi", aspects=("courtesy",))
    voice = customer_voice_summary(workspace=workspace_a, customer=world.cust)
    assert [(a.name, a.texts) for a in voice.top_aspects] == [("timeliness", 3), ("courtesy", 3)]


def test_a_customer_without_texts_has_zeros_and_no_aspect(workspace_a):
    voice = customer_voice_summary(workspace=workspace_a, customer=fx.customer(workspace_a))
    assert (voice.texts, voice.negative, voice.angry, voice.top_aspects) == (0, 0, 0, ())


def test_texts_without_aspects_name_no_aspect(workspace_a):
    cust = fx.customer(workspace_a)
    fx.labelled(cust, "Bene così", sentiment="positive", emotion="joy")
    voice = customer_voice_summary(workspace=workspace_a, customer=cust)
    assert (voice.texts, voice.top_aspects) == (1, ())


def test_another_workspace_never_counts(workspace_a, workspace_b, world):
    """The customer's pk asked for in the wrong workspace finds nothing."""
    voice = customer_voice_summary(workspace=workspace_b, customer=world.cust)
    assert voice.texts == 0


def test_a_given_period_counts_whole_days(workspace_a, world):
    """The day of t2 alone (whole day in the workspace's zone) holds only t2."""
    day = world.texts[1].occurred_at.astimezone(workspace_zone(workspace_a))
    period = Period(day.date(), day.date())
    voice = customer_voice_summary(workspace=workspace_a, customer=world.cust, period=period)
    assert (voice.texts, voice.negative, voice.angry) == (1, 1, 0)
    later = Period(day.date() + timedelta(days=1), day.date() + timedelta(days=1))
    assert (
        customer_voice_summary(workspace=workspace_a, customer=world.cust, period=later).texts == 0
    )


def test_each_link_lists_exactly_what_it_counts(alice_client, workspace_a, world):
    """GIVEN the summary WHEN following each figure's link to the comments page THEN the page
    lists exactly the texts the figure counts: the same number and the same texts."""
    voice = customer_voice_summary(workspace=workspace_a, customer=world.cust)
    expected = {
        voice.texts_url: (voice.texts, world.texts),
        voice.negative_url: (voice.negative, world.negative),
        voice.angry_url: (voice.angry, world.angry),
        voice.top_aspects[0].url: (voice.top_aspects[0].texts, world.timeliness),
    }
    for url, (figure, analyses) in expected.items():
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert len(_ids(response)) == figure, url
        assert _ids(response) == _pks(analyses), url
        assert f'data-customer="{world.cust.pk}"' in response.content.decode()


def test_links_carry_the_comment_filters(workspace_a, world):
    voice = customer_voice_summary(workspace=workspace_a, customer=world.cust)
    common = (
        f"customer={world.cust.pk}&start={world.period.start.isoformat()}"
        f"&end={world.period.end.isoformat()}&period=all"
    )
    assert voice.texts_url == f"/textanalysis/?{common}"
    assert voice.negative_url == f"/textanalysis/?{common}&sentiment=negative"
    assert voice.angry_url == f"/textanalysis/?{common}&emotion=anger"
    assert voice.top_aspects[0].url == f"/textanalysis/?{common}&aspect=timeliness"
