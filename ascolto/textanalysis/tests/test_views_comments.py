"""The "What customers say" page, badges on timelines and lists, and one-click corrections."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from ascolto.customers.models import Segment
from ascolto.textanalysis.models import TextAnalysis, TextCorrection
from ascolto.textanalysis.selectors import CommentFilters, text_analysis_list
from ascolto.textanalysis.tests import stored_fixtures as fx

LIST = reverse("textanalysis:comment-list")


def _ids(response) -> list[int]:
    html = response.content.decode()
    import re

    return sorted(
        {int(m) for m in re.findall(r'class="timeline-item ta-row" data-analysis="(\d+)"', html)}
    )


@pytest.fixture
def angry_about_time(workspace_a, workspace_b):
    """One match for "angry about timeliness this month" and one near miss on every axis."""
    retail = Segment.objects.create(workspace=workspace_a, name="Retail")
    cust = fx.customer(workspace_a, segment=retail)
    other = fx.customer(workspace_a)
    old = timezone.now() - timedelta(days=45)
    return {
        "match": fx.labelled(
            cust,
            "Tre giorni di attesa!",
            sentiment="negative",
            emotion="anger",
            aspects=("timeliness", "courtesy"),
        ),
        "other_segment": fx.labelled(
            other, "Ancora niente", sentiment="negative", emotion="anger", aspects=("timeliness",)
        ),
        "price": fx.labelled(
            cust, "Troppo caro", sentiment="negative", emotion="anger", aspects=("price",)
        ),
        "joy": fx.labelled(
            cust, "Puntualissimi", sentiment="positive", emotion="joy", aspects=("timeliness",)
        ),
        "old": fx.labelled(
            cust,
            "In ritardo",
            sentiment="negative",
            emotion="anger",
            aspects=("timeliness",),
            when=old,
        ),
        "b": fx.labelled(
            fx.customer(workspace_b),
            "In ritardo",
            sentiment="negative",
            emotion="anger",
            aspects=("timeliness",),
        ),
        "segment": retail,
    }


def test_filters_run_in_sql(workspace_a, angry_about_time):
    """GIVEN texts that differ in one label each WHEN filtering angry + timeliness + this month
    THEN only the match (and the other segment's, without a segment filter) come back, and the
    filter is a WHERE clause of one query."""
    qs = text_analysis_list(
        workspace=workspace_a,
        filters=CommentFilters(emotion="anger", aspect="timeliness", period="this_month"),
    )
    sql = str(qs.query)
    assert "textaspect" in sql.lower() and "emotion" in sql
    assert {a.pk for a in qs} == {
        angry_about_time["match"].pk,
        angry_about_time["other_segment"].pk,
    }
    with_segment = text_analysis_list(
        workspace=workspace_a,
        filters=CommentFilters(
            emotion="anger",
            aspect="timeliness",
            period="this_month",
            segment=angry_about_time["segment"].pk,
        ),
    )
    assert [a.pk for a in with_segment] == [angry_about_time["match"].pk]
    everything = text_analysis_list(workspace=workspace_a, filters=CommentFilters(period="all"))
    assert angry_about_time["old"].pk in {a.pk for a in everything}
    assert angry_about_time["b"].pk not in {a.pk for a in everything}


def test_page_filters_and_shows_badges(alice_client, angry_about_time):
    response = alice_client.get(
        LIST,
        {
            "emotion": "anger",
            "aspect": "timeliness",
            "period": "this_month",
            "segment": angry_about_time["segment"].pk,
        },
    )
    assert response.status_code == 200
    assert _ids(response) == [angry_about_time["match"].pk]
    html = response.content.decode()
    assert 'data-aspect="timeliness"' in html and 'data-aspect="courtesy"' in html
    assert 'class="ta-why"' in html and "cue for timeliness" in html


def test_default_period_is_this_month(alice_client, angry_about_time):
    ids = _ids(alice_client.get(LIST))
    assert angry_about_time["match"].pk in ids and angry_about_time["old"].pk not in ids


def test_bad_filters_are_a_message_not_a_500(alice_client, angry_about_time):
    response = alice_client.get(LIST, {"emotion": "rage", "segment": "x", "page": "zz"})
    assert response.status_code == 400
    assert _ids(response) == [] and "field-error" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"start": "2026-03-31", "end": "2026-01-01"},
            "La data di inizio deve essere uguale o precedente alla data di fine.",
        ),
        (
            {"start": "1999-12-01", "end": "2000-01-31"},
            "Scegliere una data tra gli anni 2000 e 2100.",
        ),
        ({"end": "9999-12-31"}, "Scegliere una data tra gli anni 2000 e 2100."),
        ({"end": "2000-03-01"}, "Scegliere date dal 2000 in poi."),
        ({"start": "2001-01-01", "end": "2026-01-01"}, "Scegliere un periodo di dieci anni"),
        ({"start": "2026-02-30"}, "Inserisci una data valida."),
        ({"end": "domani"}, "Inserisci una data valida."),
    ],
)
def test_bad_dates_are_an_italian_message_not_a_500(
    alice_client, angry_about_time, params, message
):
    """GIVEN texts WHEN the dates are reversed, too old, too long apart or not dates THEN the
    page answers 400 with the reason in Italian and lists nothing."""
    response = alice_client.get(LIST, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'id="comment-list"' in html
    assert _ids(response) == []


def _day(d: date, hour: int = 12) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture
def spread(workspace_a, workspace_b):
    """Texts of two customers of A (and one of B) over January and February 2026, in Rome:
    A1 c1 10 Jan negative anger timeliness      A2 c1 31 Jan 23:30 negative anger timeliness
    A3 c1 1 Feb 00:30 negative joy timeliness   A4 c2 15 Jan negative anger timeliness
    A5 c1 20 Jan positive joy price             A6 c1 5 Mar negative anger timeliness
    B1 b 15 Jan negative anger timeliness."""
    c1, c2 = fx.customer(workspace_a, name="Primo"), fx.customer(workspace_a, name="Secondo")
    b = fx.customer(workspace_b, name="Di B")
    neg = {"sentiment": "negative", "emotion": "anger", "aspects": ("timeliness",)}
    rome = ZoneInfo("Europe/Rome")
    return {
        "c1": c1,
        "c2": c2,
        "b": b,
        "A1": fx.labelled(c1, "uno", when=_day(date(2026, 1, 10)), **neg),
        "A2": fx.labelled(c1, "due", when=datetime(2026, 1, 31, 23, 30, tzinfo=rome), **neg),
        "A3": fx.labelled(
            c1,
            "tre",
            when=datetime(2026, 2, 1, 0, 30, tzinfo=rome),
            sentiment="negative",
            emotion="joy",
            aspects=("timeliness",),
        ),
        "A4": fx.labelled(c2, "quattro", when=_day(date(2026, 1, 15)), **neg),
        "A5": fx.labelled(
            c1,
            "cinque",
            when=_day(date(2026, 1, 20)),
            sentiment="positive",
            emotion="joy",
            aspects=("price",),
        ),
        "A6": fx.labelled(c1, "sei", when=_day(date(2026, 3, 5)), **neg),
        "B1": fx.labelled(b, "segreto zeta", when=_day(date(2026, 1, 15)), **neg),
    }


def _count(client, **params) -> tuple[int, list[int]]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.context["page"].paginator.count, _ids(response)


def test_dates_and_customer_filters_against_a_hand_count(alice_client, spread):
    """GIVEN the spread WHEN filtering by dates (whole days in Rome, both ends included),
    customer and the other filters together THEN the counts are those worked out by hand."""
    s = spread
    jan = {"start": "2026-01-01", "end": "2026-01-31"}
    # January: A1, A2 (23:30 on the 31st), A4, A5; not A3 (00:30 on 1 Feb), not B1.
    assert _count(alice_client, **jan) == (4, sorted(s[k].pk for k in ("A1", "A2", "A4", "A5")))
    # January, c1 only: A1, A2, A5.
    assert _count(alice_client, **jan, customer=s["c1"].pk)[0] == 3
    # January, c1, angry about timeliness: A1, A2.
    got = _count(alice_client, **jan, customer=s["c1"].pk, emotion="anger", aspect="timeliness")
    assert got == (2, sorted([s["A1"].pk, s["A2"].pk]))
    # c1's negative texts from 31 January to 1 February: A2, A3.
    got = _count(
        alice_client,
        start="2026-01-31",
        end="2026-02-01",
        customer=s["c1"].pk,
        sentiment="negative",
    )
    assert got == (2, sorted([s["A2"].pk, s["A3"].pk]))
    # Only an end: the year before it: everything of A up to 1 Feb (A1..A5).
    assert _count(alice_client, end="2026-02-01")[0] == 5
    # All time for c1 (no dates): A1, A2, A3, A5, A6.
    assert _count(alice_client, period="all", customer=s["c1"].pk)[0] == 5


def test_dates_narrow_an_explicit_named_period(alice_client, spread):
    """GIVEN the spread (all in the past) WHEN January is combined with "this month"
    THEN nothing matches: both apply."""
    assert _count(alice_client, start="2026-01-01", end="2026-01-31", period="this_month")[0] == 0


def test_another_workspaces_customer_is_an_error_never_its_data(
    alice_client, mallory_client, spread
):
    """GIVEN B's customer with a text in January WHEN alice filters on that customer THEN a
    form error (400) and nothing listed; mallory sees her own text with the same filter."""
    b = spread["b"]
    response = alice_client.get(LIST, {"customer": b.pk, "period": "all"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a customer of this workspace." in html or "Scegliere un cliente" in html
    assert _ids(response) == [] and "segreto zeta" not in html and b.name not in html
    assert alice_client.get(LIST, {"customer": "abc"}).status_code == 400
    assert _count(mallory_client, customer=b.pk, period="all") == (1, [spread["B1"].pk])


def test_customer_filter_shows_whose_texts_and_a_way_back(alice_client, spread):
    html = alice_client.get(LIST, {"customer": spread["c1"].pk, "period": "all"}).content.decode()
    assert f'data-customer="{spread["c1"].pk}"' in html and "Primo" in html
    assert f'name="customer" value="{spread["c1"].pk}"' in html


def test_outsider_sees_nothing_of_a(mallory_client, angry_about_time):
    ids = _ids(mallory_client.get(LIST, {"period": "all"}))
    assert ids == [angry_about_time["b"].pk]


def test_list_queries_do_not_grow_with_rows(
    alice_client, workspace_a, django_assert_max_num_queries
):
    cust = fx.customer(workspace_a)
    fx.labelled(cust, "uno", emotion="anger", aspects=("price",))
    with django_assert_max_num_queries(50) as few:
        alice_client.get(LIST)
    for n in range(20):
        a = fx.labelled(cust, f"testo {n}", emotion="anger", aspects=("price", "quality"))
        TextCorrection.objects.create(
            workspace=workspace_a,
            analysis=a,
            text_hash=a.text_hash,
            sentiment="negative",
            emotion="anger",
            aspects=["price"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get(LIST)
    assert len(_ids(response)) == 21


def test_agent_corrects_a_badge(bob_client, bob, angry_about_time):
    """GIVEN an analysed text WHEN an agent corrects it THEN the correction is stored, the
    effective labels change (lists filter on them) and the badge says who corrected it."""
    analysis = angry_about_time["match"]
    url = reverse("textanalysis:analysis-correct", args=[analysis.pk])
    response = bob_client.post(
        url, {"sentiment": "neutral", "emotion": "fear", "aspects": ["communication"], "next": LIST}
    )
    assert response.status_code == 302 and response["Location"] == LIST
    correction = TextCorrection.objects.get()
    assert (correction.member, correction.sentiment, correction.emotion, correction.aspects) == (
        bob,
        "neutral",
        "fear",
        ["communication"],
    )
    analysis.refresh_from_db()
    assert (analysis.sentiment, analysis.emotion) == ("neutral", "fear")
    assert (analysis.predicted_sentiment, analysis.predicted_emotion) == ("negative", "anger")
    assert list(analysis.aspect_rows.values_list("name", flat=True)) == ["communication"]
    page = bob_client.get(LIST, {"emotion": "fear"}).content.decode()
    assert f'data-analysis="{analysis.pk}"' in page and 'data-corrected="1"' in page
    assert bob.display_name in page


def test_htmx_correction_returns_the_new_badge(bob_client, angry_about_time):
    analysis = angry_about_time["match"]
    url = reverse("textanalysis:analysis-correct", args=[analysis.pk])
    response = bob_client.post(
        url, {"sentiment": "positive", "emotion": "joy"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith('<div class="ta-badge"')
    assert 'data-sentiment="positive"' in html and 'data-corrected="1"' in html


def test_unsafe_next_goes_to_the_list(bob_client, angry_about_time):
    url = reverse("textanalysis:analysis-correct", args=[angry_about_time["match"].pk])
    response = bob_client.post(
        url, {"sentiment": "positive", "emotion": "joy", "next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


@pytest.mark.parametrize(
    "data",
    [
        {"sentiment": "furious", "emotion": "anger"},
        {"sentiment": "negative", "emotion": "rage"},
        {"sentiment": "negative", "emotion": "anger", "aspects": ["parking"]},
        {"emotion": "anger"},
    ],
)
def test_bad_correction_is_400_with_a_reason_and_nothing_saved(bob_client, angry_about_time, data):
    analysis = angry_about_time["match"]
    url = reverse("textanalysis:analysis-correct", args=[analysis.pk])
    for headers in ({}, {"HX-Request": "true"}):
        response = bob_client.post(url, data, headers=headers)
        assert response.status_code == 400
        assert b"errorlist" in response.content
    assert not TextCorrection.objects.exists()
    analysis.refresh_from_db()
    assert (analysis.sentiment, analysis.emotion) == ("negative", "anger")


def test_outsider_gets_404_and_changes_nothing(mallory_client, angry_about_time):
    analysis = angry_about_time["match"]
    url = reverse("textanalysis:analysis-correct", args=[analysis.pk])
    assert mallory_client.get(url).status_code == 404
    assert mallory_client.post(url, {"sentiment": "positive", "emotion": "joy"}).status_code == 404
    assert not TextCorrection.objects.exists()


def test_roles(client, alice_client, bob_client, carol_client, angry_about_time):
    url = reverse("textanalysis:analysis-correct", args=[angry_about_time["match"].pk])
    for member_client in (alice_client, bob_client, carol_client):
        assert member_client.get(LIST).status_code == 200
        assert member_client.get(url).status_code == 200
    assert client.get(LIST).status_code == 302  # to the login page
    assert client.post(url, {"sentiment": "positive", "emotion": "joy"}).status_code == 302
    assert not TextCorrection.objects.exists()


def test_customer_timeline_shows_the_badges(alice_client, workspace_a, angry_about_time):
    analysis = angry_about_time["match"]
    html = alice_client.get(
        reverse("customers:customer-detail", args=[analysis.customer_id])
    ).content.decode()
    assert f'id="ta-{analysis.pk}"' in html
    assert f'id="ta-{angry_about_time["price"].pk}"' in html


def test_analysis_of_a_deleted_text_is_not_listed(alice_client, angry_about_time):
    from ascolto.interactions.models import Interaction

    analysis = angry_about_time["match"]
    Interaction.objects.filter(pk=analysis.source_id).delete()
    assert analysis.pk not in _ids(alice_client.get(LIST))
    assert TextAnalysis.objects.filter(pk=analysis.pk).exists()


def test_responses_list_shows_a_badge_per_comment(
    alice_client, workspace_a, alice, django_capture_on_commit_callbacks
):
    """GIVEN a survey answer with a comment analysed by the worker WHEN the owner opens the
    responses list THEN the comment carries its badge."""
    from ascolto.core.testing import run_pending_tasks
    from ascolto.feedback.models import Question
    from ascolto.feedback.services import response_submit, survey_invitation_create
    from ascolto.feedback.tests.factories import SurveyFactory

    cust = fx.customer(workspace_a)
    survey = SurveyFactory(workspace=workspace_a, by=alice)
    invitation = survey_invitation_create(survey=survey, customer=cust, by=alice)
    data = {
        f"q{q.pk}": ("4" if q.role == Question.Role.MAIN else "Tecnico in ritardo di tre giorni")
        for q in survey.questions.all()
        if q.role in (Question.Role.MAIN, Question.Role.WHY)
    }
    with django_capture_on_commit_callbacks(execute=True):
        response_submit(survey=survey, data=data, language="it", invitation=invitation)
    run_pending_tasks()
    analysis = TextAnalysis.objects.get(source_kind="survey_answer")
    html = alice_client.get(reverse("feedback:response-list")).content.decode()
    assert f'id="ta-{analysis.pk}"' in html
    html = alice_client.get(reverse("customers:customer-detail", args=[cust.pk])).content.decode()
    assert f'id="ta-{analysis.pk}"' in html
