"""What customers say about each promise: analysed comments on the aspect of its dimension.

The gap fixture (January–March 2026, Europe/Rome) plus these analysed texts in workspace A,
worked out by hand below (S = survey comment, I = interaction note, G = staff signal):

    S1 c1 15 Jan  timeliness            negative anger
    S2 c2 10 Feb  timeliness, courtesy  positive joy       (source id = I2's interaction id)
    S3 c2  5 Mar  timeliness            positive none  -> corrected to negative anger
    S4 c1 20 Feb  timeliness            negative anger -> corrected to price, positive joy
    S5 c1 31 Jan 23:30 UTC (1 Feb in Rome)  timeliness  neutral none
    S6 c3 20 Jan  tangibles             neutral none
    S7 c1 10 Apr  timeliness            negative anger     (after the period)
    I1 c1  1 Feb  timeliness            negative sadness   at "intervento" (the promises')
    I2 c2  2 Feb  timeliness            negative anger     at "telefonata"
    G1 c1  3 Feb  timeliness            negative anger     (staff's words)

and in workspace B a negative, angry timeliness comment and note at B's "intervento".

P1 (timeliness) and P2 (punctuality, spoken of as timeliness) at "intervento" hear
S1, S2, S3, S5, I1: 5 comments, 3 negative (60 %), 2 angry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.lib.dimensions import ASPECT_OF_DIMENSION, Dimension
from ascolto.lib.periods import Period
from ascolto.promises.gaps import Scope, gaps_for_scope
from ascolto.promises.tests import gap_fixtures as fx
from ascolto.textanalysis.models import AspectName, TextAnalysis, TextAspect
from ascolto.textanalysis.selectors import aspect_voice, aspect_voice_by_touchpoint
from ascolto.textanalysis.services import text_correction_record

pytestmark = pytest.mark.django_db

URL = reverse("promises:gap-overview")
PERIOD = {"start": "2026-01-01", "end": "2026-03-31"}


@dataclass
class VoiceWorld:
    gaps: fx.GapWorld
    s3: TextAnalysis
    i2_interaction_id: int


_next_id = iter(range(10_000, 20_000))


def said(
    workspace,
    customer,
    when: datetime,
    aspects: tuple[str, ...],
    sentiment: str,
    emotion: str,
    *,
    kind: str = "survey_answer",
    source_id: int | None = None,
) -> TextAnalysis:
    analysis = TextAnalysis.objects.create(
        workspace=workspace,
        customer=customer,
        source_kind=kind,
        source_id=source_id if source_id is not None else next(_next_id),
        text_hash="x" * 64,
        language="it",
        sentiment=sentiment,
        predicted_sentiment=sentiment,
        sentiment_score=0.0,
        emotion=emotion,
        predicted_emotion=emotion,
        emotion_scores={},
        aspects=[{"name": a, "cues": [a]} for a in aspects],
        explanation=[],
        analyser_version="test",
        occurred_at=when,
    )
    TextAspect.objects.bulk_create([TextAspect(analysis=analysis, name=a) for a in aspects])
    return analysis


def note(workspace, customer, when: datetime, touchpoint_code: str, sentiment, emotion):
    interaction = InteractionFactory(
        customer=customer,
        touchpoint=Touchpoint.objects.get(workspace=workspace, code=touchpoint_code),
        occurred_at=when,
    )
    said(
        workspace,
        customer,
        when,
        ("timeliness",),
        sentiment,
        emotion,
        kind="interaction",
        source_id=interaction.pk,
    )
    return interaction


def build(workspace_a, alice, workspace_b) -> VoiceWorld:
    w = fx.build(workspace_a, alice)
    at = fx.at
    said(workspace_a, w.c1, at(1, 15), ("timeliness",), "negative", "anger")  # S1
    i1 = note(workspace_a, w.c1, at(2, 1), "intervento", "negative", "sadness")  # I1
    i2 = note(workspace_a, w.c2, at(2, 2), "telefonata", "negative", "anger")  # I2
    assert i1.touchpoint_id == w.p1.touchpoint_id != i2.touchpoint_id
    # S2's id is I2's interaction id: a survey comment is never mistaken for that note.
    said(
        workspace_a, w.c2, at(2, 10), ("timeliness", "courtesy"), "positive", "joy", source_id=i2.pk
    )
    s3 = said(workspace_a, w.c2, at(3, 5), ("timeliness",), "positive", "none")
    text_correction_record(
        analysis=s3, by=alice, sentiment="negative", emotion="anger", aspects=["timeliness"]
    )
    s4 = said(workspace_a, w.c1, at(2, 20), ("timeliness",), "negative", "anger")
    text_correction_record(
        analysis=s4, by=alice, sentiment="positive", emotion="joy", aspects=["price"]
    )
    said(
        workspace_a,
        w.c1,
        datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
        ("timeliness",),
        "neutral",
        "none",
    )  # S5
    said(workspace_a, w.c3, at(1, 20), ("tangibles",), "neutral", "none")  # S6
    said(workspace_a, w.c1, at(4, 10), ("timeliness",), "negative", "anger")  # S7
    said(
        workspace_a, w.c1, at(2, 3), ("timeliness",), "negative", "anger", kind="staff_signal"
    )  # G1

    stranger = CustomerFactory(workspace=workspace_b, name="Cliente di B")
    said(workspace_b, stranger, at(2, 5), ("timeliness",), "negative", "anger")
    note(workspace_b, stranger, at(2, 6), "intervento", "negative", "anger")
    return VoiceWorld(w, s3, i2.pk)


@pytest.fixture
def world(workspace_a, alice, workspace_b):
    return build(workspace_a, alice, workspace_b)


def voices(workspace, period=fx.PERIOD, **scope) -> dict[int, tuple]:
    return {
        g.promise.pk: (g.voice.aspect, g.voice.comments, g.voice.negative_share, g.voice.angry)
        for g in gaps_for_scope(Scope(workspace, period, **scope))
    }


# --- the mapping ---------------------------------------------------------------------------------


def test_every_dimension_maps_to_a_known_aspect():
    """GIVEN the dimensions WHEN mapped to aspects THEN each has one, punctuality is timeliness."""
    assert set(ASPECT_OF_DIMENSION) == set(Dimension.values)
    assert set(ASPECT_OF_DIMENSION.values()) <= set(AspectName.values)
    assert ASPECT_OF_DIMENSION["punctuality"] == "timeliness"
    assert ASPECT_OF_DIMENSION["price"] == "price"


# --- the selectors -------------------------------------------------------------------------------


def test_aspect_voice_counts_every_text_on_effective_labels(world, workspace_a):
    """GIVEN the fixture WHEN the texts of January–March are counted per aspect
    THEN S1 S2 S3 S5 I1 I2 G1 speak of timeliness (S3 negative and angry as corrected, S4 no
    longer), 5 negative, 4 angry; S4's correction moved it to price."""
    start, end = Scope(workspace_a, fx.PERIOD).bounds
    voice = aspect_voice(workspace=workspace_a, start=start, end=end)
    assert voice == {
        "timeliness": {"texts": 7, "negative": 5, "angry": 4},
        "courtesy": {"texts": 1, "negative": 0, "angry": 0},
        "price": {"texts": 1, "negative": 0, "angry": 0},
        "tangibles": {"texts": 1, "negative": 0, "angry": 0},
    }
    world.s3.refresh_from_db()
    assert (world.s3.predicted_sentiment, world.s3.sentiment) == ("positive", "negative")


def test_aspect_voice_by_touchpoint_splits_notes_and_leaves_staff_out(world, workspace_a):
    """GIVEN the fixture WHEN grouped by source and touchpoint THEN notes carry their
    interaction's touchpoint (None when not asked for), survey comments none, and the staff
    signal is absent."""
    start, end = Scope(workspace_a, fx.PERIOD).bounds
    intervento = world.gaps.p1.touchpoint_id
    telefonata = Touchpoint.objects.get(workspace=workspace_a, code="telefonata").pk
    rows = aspect_voice_by_touchpoint(
        workspace=workspace_a, start=start, end=end, touchpoints=[intervento, telefonata]
    )
    assert rows == {
        ("timeliness", "survey_answer", None): {"texts": 4, "negative": 2, "angry": 2},
        ("timeliness", "interaction", intervento): {"texts": 1, "negative": 1, "angry": 0},
        ("timeliness", "interaction", telefonata): {"texts": 1, "negative": 1, "angry": 1},
        ("courtesy", "survey_answer", None): {"texts": 1, "negative": 0, "angry": 0},
        ("price", "survey_answer", None): {"texts": 1, "negative": 0, "angry": 0},
        ("tangibles", "survey_answer", None): {"texts": 1, "negative": 0, "angry": 0},
    }
    only_visits = aspect_voice_by_touchpoint(
        workspace=workspace_a, start=start, end=end, touchpoints=[intervento]
    )
    assert only_visits[("timeliness", "interaction", None)] == {
        "texts": 1,
        "negative": 1,
        "angry": 1,
    }
    assert ("timeliness", "interaction", telefonata) not in only_visits


# --- the gap figures -----------------------------------------------------------------------------


def test_voice_per_promise_by_hand(world, workspace_a):
    """GIVEN the fixture WHEN the gaps of January–March are computed
    THEN P1 and P2 (punctuality, heard as timeliness) hear S1 S2 S3 S5 I1: 5 comments,
    60 % negative, 2 angry; P3 (tangibles) hears S6 only."""
    w = world.gaps
    got = voices(workspace_a)
    assert got[w.p1.pk] == ("timeliness", 5, pytest.approx(60.0), 2)
    assert got[w.p2.pk] == ("timeliness", 5, pytest.approx(60.0), 2)
    assert got[w.p3.pk] == ("tangibles", 1, 0.0, 0)


def test_a_note_elsewhere_counts_for_the_promise_of_that_touchpoint(world, workspace_a):
    """GIVEN a timeliness promise at "telefonata" WHEN the gaps are computed
    THEN it hears the survey comments and I2, not I1."""
    phone = fx.promise(
        workspace_a,
        "Richiamati entro 2 ore",
        dimension="timeliness",
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=120,
        unit="hours",
        touchpoint=Touchpoint.objects.get(workspace=workspace_a, code="telefonata"),
    )
    assert voices(workspace_a)[phone.pk] == ("timeliness", 5, pytest.approx(60.0), 3)


def test_period_in_the_workspace_zone(world, workspace_a):
    """GIVEN the fixture WHEN the period is February THEN S2, S5 (1 Feb in Rome) and I1:
    3 comments, 1 negative, none angry; January alone hears S1 only."""
    w = world.gaps
    feb = voices(workspace_a, Period(date(2026, 2, 1), date(2026, 2, 28)))
    assert feb[w.p1.pk] == ("timeliness", 3, pytest.approx(100 / 3), 0)
    jan = voices(workspace_a, Period(date(2026, 1, 1), date(2026, 1, 31)))
    assert jan[w.p1.pk] == ("timeliness", 1, pytest.approx(100.0), 1)


def test_segment_and_customer_scope(world, workspace_a):
    """GIVEN the fixture WHEN scoped to segment "Eventi" (c2, c3) THEN S2 and S3: 2 comments,
    50 % negative, 1 angry; P3 hears c3's S6. WHEN scoped to c1 THEN S1, S5 and I1."""
    w = world.gaps
    eventi = voices(workspace_a, segment=w.eventi)
    assert eventi[w.p1.pk] == ("timeliness", 2, pytest.approx(50.0), 1)
    assert eventi[w.p3.pk] == ("tangibles", 1, 0.0, 0)
    c1 = voices(workspace_a, customer=w.c1)
    assert c1[w.p1.pk] == ("timeliness", 3, pytest.approx(200 / 3), 1)
    assert c1[w.p3.pk] == ("tangibles", 0, None, 0)


def test_another_workspace_is_never_heard(world, workspace_a, workspace_b, mallory):
    """GIVEN B's angry comment and note on timeliness at its "intervento" WHEN A's gaps are
    computed THEN they are not counted; B's own timeliness promise hears exactly those two."""
    assert voices(workspace_a)[world.gaps.p1.pk][1:] == (5, pytest.approx(60.0), 2)
    theirs = fx.promise(
        workspace_b,
        "Intervento di B",
        dimension="timeliness",
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=1440,
        unit="hours",
    )
    assert voices(workspace_b)[theirs.pk] == ("timeliness", 2, 100.0, 2)


def test_no_comments_is_zeros_without_error(workspace_a, alice):
    """GIVEN the gap fixture without any analysed text WHEN the gaps are computed
    THEN every promise has a voice of 0 comments, no share, 0 angry, in JSON too."""
    w = fx.build(workspace_a, alice)
    got = voices(workspace_a)
    assert got == {
        w.p1.pk: ("timeliness", 0, None, 0),
        w.p2.pk: ("timeliness", 0, None, 0),
        w.p3.pk: ("tangibles", 0, None, 0),
    }
    rows = [g.as_dict() for g in gaps_for_scope(Scope(workspace_a, fx.PERIOD))]
    assert [r["voice"] for r in rows] == [{"comments": 0, "negative_share": None, "angry": 0}] * 3


def test_voice_keeps_the_order_and_costs_one_query(world, workspace_a):
    """GIVEN the fixture WHEN the gaps are computed THEN the order by gap is the gap
    fixture's, and exactly one query reads the aspects."""
    w = world.gaps
    with CaptureQueriesContext(connection) as queries:
        gaps = gaps_for_scope(Scope(workspace_a, fx.PERIOD))
    assert [g.promise.pk for g in gaps] == [w.p2.pk, w.p1.pk, w.p3.pk]
    assert sum("textanalysis_textaspect" in q["sql"] for q in queries.captured_queries) == 1


# --- the link to the comments page ---------------------------------------------------------------


def test_card_and_table_show_the_voice_and_link_to_negative_comments(
    world, workspace_a, alice_client
):
    """GIVEN the fixture WHEN alice opens the gap page for January–March THEN P1's card says
    5 comments, 60 % negative, 2 angry, with a link the comments page accepts as its filters
    (timeliness, negative, the same dates, P1's touchpoint); the table has the same figures."""
    w = world.gaps
    response = alice_client.get(URL, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'data-voice-aspect="timeliness" data-voice-comments="5" data-voice-negative="60.0" '
        'data-voice-angry="2"'
    ) in html
    assert 'data-voice-aspect="tangibles" data-voice-comments="1" data-voice-negative="0.0"' in html
    gap = next(g for g in response.context["gaps"] if g.promise.pk == w.p1.pk)
    link = urlsplit(gap.voice.url)
    assert link.path == reverse("textanalysis:comment-list")
    assert f'href="{gap.voice.url.replace("&", "&amp;")}"' in html
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert params == {
        "aspect": "timeliness",
        "sentiment": "negative",
        "start": "2026-01-01",
        "end": "2026-03-31",
        "period": "all",
        "touchpoint": str(w.p1.touchpoint_id),
    }
    table = html[html.index('id="gap-table"') : html.index("</table>")]
    assert table.count('<td data-voice="comments">') == 3
    assert '<td data-voice="angry">2</td>' in table

    comments = alice_client.get(link.path, params)
    assert comments.status_code == 200
    form = comments.context["form"]
    assert form.is_valid()
    assert form.cleaned_data["start"].isoformat() == "2026-01-01"
    assert form.cleaned_data["touchpoint"].pk == w.p1.touchpoint_id


def _listed(client, url: str) -> int:
    """How many texts the comments page behind a voice link lists (its SQL count)."""
    link = urlsplit(url)
    response = client.get(link.path, {k: v[0] for k, v in parse_qs(link.query).items()})
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_voice_link_lists_exactly_the_negative_comments_counted(world, workspace_a, alice_client):
    """GIVEN the fixture (S7 in April, G1 a staff signal, I2 at another touchpoint, S4
    corrected away from timeliness) WHEN each card's link is followed THEN the comments page
    lists as many texts as the card's negative share says: P1 over January–March S1, S3, I1
    (3 = 60 % of 5); P1 for segment "Eventi" S3 (1); P1 for customer c1 S1, I1 (2); February
    only I1 (1); P3 none."""
    w = world.gaps

    def negative(gap) -> int:
        return round(gap.voice.comments * (gap.voice.negative_share or 0) / 100)

    def check(url: str, params: dict, promise, expected: int) -> None:
        response = alice_client.get(url, params)
        gap = next(g for g in response.context["gaps"] if g.promise.pk == promise.pk)
        assert negative(gap) == expected
        assert _listed(alice_client, gap.voice.url) == expected

    check(URL, PERIOD, w.p1, 3)
    check(URL, {**PERIOD, "segment": w.eventi.pk}, w.p1, 1)
    check(reverse("promises:gap-customer", args=[w.c1.pk]), PERIOD, w.p1, 2)
    check(URL, {"start": "2026-02-01", "end": "2026-02-28"}, w.p1, 1)
    tangibles = next(
        g for g in gaps_for_scope(Scope(workspace_a, fx.PERIOD)) if g.promise.pk == w.p3.pk
    )
    assert _listed(alice_client, tangibles.voice.url) == 0


def test_customer_link_keeps_the_customer(world, alice_client):
    """GIVEN the fixture WHEN c1's gap page is opened THEN the voice link names c1."""
    w = world.gaps
    response = alice_client.get(reverse("promises:gap-customer", args=[w.c1.pk]), PERIOD)
    gap = next(g for g in response.context["gaps"] if g.promise.pk == w.p1.pk)
    assert parse_qs(urlsplit(gap.voice.url).query)["customer"] == [str(w.c1.pk)]


def test_segment_link_keeps_the_segment(world, alice_client):
    """GIVEN the fixture WHEN the gap page is filtered on "Eventi" THEN the voice link keeps it."""
    w = world.gaps
    response = alice_client.get(URL, {**PERIOD, "segment": w.eventi.pk})
    assert 'data-voice-comments="2" data-voice-negative="50.0"' in response.content.decode()
    gap = next(g for g in response.context["gaps"] if g.promise.pk == w.p1.pk)
    assert parse_qs(urlsplit(gap.voice.url).query)["segment"] == [str(w.eventi.pk)]


def test_empty_voice_on_the_page(workspace_a, alice, alice_client):
    """GIVEN promises and no analysed text WHEN the gap page opens THEN each card says no
    comments, without a link."""
    fx.build(workspace_a, alice)
    html = alice_client.get(URL, PERIOD).content.decode()
    assert html.count('data-voice-comments="0" data-voice-negative=""') == 3
    assert reverse("textanalysis:comment-list") + "?" not in html


def test_page_query_count_is_the_same_with_comments(world, workspace_a, alice_client):
    """GIVEN the fixture with its comments WHEN five more promises and more comments are added
    THEN the gap page takes the same number of queries."""

    def count() -> int:
        alice_client.get(URL, PERIOD)
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get(URL, PERIOD).status_code == 200
        return len(queries)

    first = count()
    for i in range(5):
        fx.promise(
            workspace_a,
            f"Qualità {i}",
            dimension=["quality", "price", "courtesy", "punctuality", "timeliness"][i],
            target_type="flag",
        )
        note(workspace_a, world.gaps.c2, fx.at(3, 10 + i), "intervento", "negative", "anger")
    assert count() == first


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_card_voice_link_opens_the_negative_comments(
    page, live_server, alice, workspace_b, artifacts_dir
):
    """
    GIVEN the fixture
    WHEN alice opens the gap page for January–March and follows P1's "customers' words" link
    THEN the card shows the voice, and the comments page opens filtered on timeliness,
         negative sentiment, the same dates and P1's touchpoint, counting the card's 3
         negative comments; screenshots are kept.
    """
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import expect

    live_server.thread.httpd.get_app().application.load_middleware()
    world = build(alice.workspace, alice, workspace_b)
    client = Client()
    client.force_login(alice.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto("/promises/gaps/?start=2026-01-01&end=2026-03-31")
    voice = page.locator(f"#gap-{world.gaps.p1.pk} .gap-voice")
    expect(voice).to_have_attribute("data-voice-comments", "5")
    voice.scroll_into_view_if_needed()
    page.locator(f"#gap-{world.gaps.p1.pk}").screenshot(
        path=str(artifacts_dir / "promise_gap_voice_card.png")
    )
    voice.locator("a").click()
    page.wait_for_url("**/textanalysis/?*")
    expect(page.locator("select[name=aspect]")).to_have_value("timeliness")
    expect(page.locator("select[name=sentiment]")).to_have_value("negative")
    expect(page.locator("input[name=start]")).to_have_value("2026-01-01")
    expect(page.locator("input[name=end]")).to_have_value("2026-03-31")
    expect(page.locator("#comment-scope [data-touchpoint]")).to_be_visible()
    # 60 % of the card's 5 comments: S1, S3 and I1 (S1 and S3 have no stored text to show).
    expect(page.locator("#comment-count")).to_contain_text("3")
    page.screenshot(path=str(artifacts_dir / "promise_gap_voice_comments.png"), full_page=True)
