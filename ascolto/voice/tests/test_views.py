"""The public voice pages: what each role sees and may do, bad input answered with a message,
and nothing of another workspace reachable."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.voice import services
from ascolto.voice.models import MatchState, Review, ReviewAspect, Source
from ascolto.voice.tests.factories import ReviewFactory, SourceFactory

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


def negative(workspace, **kwargs):
    now = timezone.now()
    values = {
        "rating": Decimal(1),
        "rating_original": "1",
        "is_negative": True,
        "published_at": now - timedelta(hours=2),
        "reply_due_at": now + timedelta(days=1),
        "text": "Furgone sporco e in ritardo.",
        "sentiment": "negative",
        "emotion": "anger",
    }
    values.update(kwargs)
    return ReviewFactory(workspace=workspace, **values)


def test_overview_shows_clocks_trend_aspects_and_the_comparison(workspace_a, bob_client):
    late = negative(workspace_a, reply_due_at=timezone.now() - timedelta(hours=30))
    soon = negative(workspace_a)
    ok = ReviewFactory(
        workspace=workspace_a, rating=Decimal(5), sentiment="positive", platform="tripadvisor"
    )
    ReviewAspect.objects.create(review=ok, name="courtesy")
    ReviewAspect.objects.create(review=late, name="timeliness")
    response = bob_client.get(reverse("voice:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(f'data-review="{late.pk}"') < html.index(f'data-review="{soon.pk}"')
    assert 'data-clock="late"' in html and 'data-clock="left"' in html
    assert "<svg" in html and 'data-platform="tripadvisor"' in html
    assert 'id="praised"' in html and 'data-aspect="courtesy"' in html
    assert 'data-aspect="timeliness"' in html
    assert 'id="compare-table"' in html


def test_overview_query_count_does_not_grow_with_the_reviews(
    workspace_a, bob_client, django_assert_max_num_queries
):
    for _ in range(3):
        negative(workspace_a)
    with django_assert_max_num_queries(25) as first:
        bob_client.get(reverse("voice:overview"))
    for _ in range(20):
        negative(workspace_a)
    with django_assert_max_num_queries(len(first.captured_queries)):
        bob_client.get(reverse("voice:overview"))


def test_review_list_filters_and_stays_in_its_workspace(workspace_a, workspace_b, bob_client):
    waiting = negative(workspace_a)
    replied = negative(workspace_a, replied_at=timezone.now())
    foreign = negative(workspace_b)
    html = bob_client.get(reverse("voice:review-list"), {"waiting": "on"}).content.decode()
    assert f'data-review="{waiting.pk}"' in html
    assert f'data-review="{replied.pk}"' not in html
    assert f'data-review="{foreign.pk}"' not in html
    bad = bob_client.get(reverse("voice:review-list"), {"platform": "myspace", "page": "x"})
    assert bad.status_code == 200


@pytest.mark.parametrize("name", ["voice:review-detail"])
def test_outsider_gets_404(workspace_a, mallory_client, name):
    review = negative(workspace_a)
    assert mallory_client.get(reverse(name, args=[review.pk])).status_code == 404
    for post in ("voice:review-reply", "voice:review-match"):
        assert mallory_client.post(reverse(post, args=[review.pk]), {}).status_code == 404
    review.refresh_from_db()
    assert review.replied_at is None


def test_the_reply_draft_follows_the_emotion_and_language(workspace_a, bob_client):
    angry = negative(workspace_a, author="Mario Rossi", language="it")
    html = bob_client.get(reverse("voice:review-detail", args=[angry.pk])).content.decode()
    assert "Gentile Mario," in html and "ci dispiace" in html.lower()
    english = ReviewFactory(
        workspace=workspace_a, author="Jane Doe", language="en", emotion="joy", rating=Decimal(5)
    )
    html = bob_client.get(reverse("voice:review-detail", args=[english.pk])).content.decode()
    assert "Dear Jane," in html and "thank you so much" in html


def test_an_agent_marks_a_reply_and_a_manager_may_undo_it(
    workspace_a, bob, bob_client, carol_client
):
    review = negative(workspace_a)
    response = bob_client.post(
        reverse("voice:review-reply", args=[review.pk]), {"text": "Ci scusi, la chiamiamo oggi."}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.replied_by == bob and review.reply_text == "Ci scusi, la chiamiamo oggi."
    again = bob_client.post(reverse("voice:review-reply", args=[review.pk]), {"text": "x"})
    assert again.status_code == 400
    assert "Questa recensione ha già una risposta." in again.content.decode()
    assert (
        bob_client.post(reverse("voice:review-reply", args=[review.pk]), {"undo": "1"}).status_code
        == 403
    )
    carol_client.post(reverse("voice:review-reply", args=[review.pk]), {"undo": "1"})
    review.refresh_from_db()
    assert review.replied_at is None


def test_confirming_the_suggested_customer_puts_the_review_on_their_timeline(
    workspace_a, bob_client
):
    customer = CustomerFactory(workspace=workspace_a, name="Luca Verdi")
    review = negative(workspace_a, suggested_customer=customer, match_state="suggested")
    page = bob_client.get(reverse("customers:customer-detail", args=[customer.pk]))
    assert f'id="review-{review.pk}"' not in page.content.decode()
    response = bob_client.post(
        reverse("voice:review-match", args=[review.pk]), {"action": "confirm"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.customer == customer and review.match_state == MatchState.CONFIRMED
    page = bob_client.get(reverse("customers:customer-detail", args=[customer.pk]))
    assert f'id="review-{review.pk}"' in page.content.decode()


def test_choosing_a_customer_by_an_unknown_email_says_so(workspace_a, workspace_b, bob_client):
    review = negative(workspace_a)
    stranger = CustomerFactory(workspace=workspace_b, email="altro@example.com")
    response = bob_client.post(
        reverse("voice:review-match", args=[review.pk]),
        {"action": "choose", "email": stranger.email},
    )
    assert response.status_code == 400
    assert "Nessun cliente di questo spazio di lavoro ha questa email." in response.content.decode()
    review.refresh_from_db()
    assert review.customer is None


def test_a_manager_imports_a_file_and_sees_the_bad_lines(workspace_a, carol_client):
    source = SourceFactory(workspace=workspace_a)
    data = (FILES / "tripadvisor.csv").read_bytes() + b"99;x;y;sette;01/01/2025;Z;;it\r\n"
    response = carol_client.post(
        reverse("voice:source-import", args=[source.pk]),
        {"format": "tripadvisor", "file": SimpleUploadedFile("ta.csv", data)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 nuove recensioni importate" in html
    assert "“sette” non è un voto." in html
    assert Review.objects.filter(workspace=workspace_a).count() == 3


def test_an_unreadable_file_is_a_400_with_the_reason(workspace_a, carol_client):
    source = SourceFactory(workspace=workspace_a)
    response = carol_client.post(
        reverse("voice:source-import", args=[source.pk]),
        {"format": "google", "file": SimpleUploadedFile("g.json", b"{oops")},
    )
    assert response.status_code == 400
    assert "non è un file JSON leggibile" in response.content.decode()
    assert not Review.objects.exists()


def test_agents_cannot_add_sources_or_import(workspace_a, bob_client):
    source = SourceFactory(workspace=workspace_a)
    assert (
        bob_client.post(
            reverse("voice:source-list"), {"name": "x", "kind": "file", "platform": "google"}
        ).status_code
        == 403
    )
    response = bob_client.post(
        reverse("voice:source-import", args=[source.pk]),
        {"format": "google", "file": SimpleUploadedFile("g.json", b"[]")},
    )
    assert response.status_code == 403
    assert Source.objects.count() == 1


def test_a_feed_without_an_address_is_refused_with_a_message(workspace_a, carol_client):
    response = carol_client.post(
        reverse("voice:source-list"), {"name": "Blog", "kind": "feed", "platform": "web"}
    )
    assert response.status_code == 400
    assert "Un feed ha bisogno del suo indirizzo." in response.content.decode()
    assert not Source.objects.exists()


LEGACY = "legacy-source-token-made-before-the-api-0123456789"


def legacy_source(workspace):
    """An inbound source whose token was given out before the REST API existed."""
    return SourceFactory(
        workspace=workspace,
        kind="inbound",
        platform="other",
        token_hash=services.token_hash(LEGACY),
    )


def test_a_new_inbound_source_gets_no_token_and_points_to_the_api(workspace_a, carol_client):
    response = carol_client.post(
        reverse("voice:source-list"), {"name": "CRM", "kind": "inbound", "platform": "other"}
    )
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.token_hash == ""
    html = carol_client.get(reverse("voice:source-list")).content.decode()
    assert 'class="token"' not in html
    assert "/api/v1/reviews" in html and f"source_id = {source.pk}" in html


def test_an_old_source_token_still_works_says_it_is_retiring_and_can_be_stopped(
    workspace_a, carol_client, bob_client, client
):
    source = legacy_source(workspace_a)
    body = {
        "reviews": [
            {"id": "a1", "rating": "2", "text": "Lenti.", "published_at": "2026-03-01T10:00:00Z"},
            {"id": "a2", "rating": 9, "rating_scale": 10, "published_at": "01/03/2026"},
            {"id": "a3", "published_at": "2026-03-01"},
            "nonsense",
        ]
    }

    def send():
        return client.post(
            reverse("voice:inbound"),
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {LEGACY}"},
        )

    answer = send()
    assert answer.status_code == 200
    assert answer["Deprecation"] == "true" and "/api/v1/reviews" in answer["Link"]
    data = answer.json()
    assert (data["created"], data["duplicates"]) == (2, 0)
    assert [e["index"] for e in data["errors"]] == [3, 4]
    assert Review.objects.get(platform_id="a2").rating == Decimal("4.60")
    assert send().json()["duplicates"] == 2

    html = carol_client.get(reverse("voice:source-list")).content.decode()
    assert "data-old-token" in html
    revoke = reverse("voice:source-token-revoke", args=[source.pk])
    assert bob_client.post(revoke).status_code == 403
    assert carol_client.post(revoke).status_code == 302
    assert send().status_code == 401
    assert "data-old-token" not in carol_client.get(reverse("voice:source-list")).content.decode()


def test_stopping_another_workspace_s_old_token_is_404(workspace_a, workspace_b, carol_client):
    theirs = legacy_source(workspace_b)
    response = carol_client.post(reverse("voice:source-token-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert Source.objects.get(pk=theirs.pk).token_hash


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b"{}", 401),
        ({"Authorization": "Bearer wrong"}, b"{}", 401),
        ("token", b"{not json", 400),
        ("token", b'{"reviews": 3}', 400),
        ("token", b"x" * (2 * 1024 * 1024 + 1), 413),
    ],
)
def test_inbound_refuses_with_a_reason(workspace_a, client, headers, body, status):
    legacy_source(workspace_a)
    if headers == "token":
        headers = {"Authorization": f"Bearer {LEGACY}"}
    answer = client.post(
        reverse("voice:inbound"), body, content_type="application/json", headers=headers
    )
    assert answer.status_code == status
    assert answer.json()["detail"]
    assert not Review.objects.exists()


def test_the_comparison_counts_nps_answers_of_the_same_month(workspace_a):
    from ascolto.feedback.models import Response
    from ascolto.lib.periods import default_period
    from ascolto.voice.selectors import public_vs_private

    survey = SurveyFactory(workspace=workspace_a, kind="nps")
    now = timezone.now()
    for score in (10, 10, 9, 3):
        Response.objects.create(
            workspace=workspace_a, survey=survey, kind="nps", score=score, submitted_at=now
        )
    ReviewFactory(workspace=workspace_a, rating=Decimal(4), published_at=now)
    ReviewFactory(workspace=workspace_a, rating=Decimal(2), published_at=now)
    rows = public_vs_private(workspace=workspace_a, period=default_period(workspace_a))
    this_month = rows[-1]
    assert this_month.nps == 50 and this_month.nps_n == 4
    assert this_month.rating.mean == 3 and this_month.rating.n == 2
    assert this_month.rating.margin == pytest.approx(1.96 * (2**0.5) / (2**0.5))


# --- Reply templates ------------------------------------------------------------------------------


def _template(workspace, kind="anger", language="it"):
    from ascolto.voice.models import ReplyTemplate

    return ReplyTemplate.objects.get(workspace=workspace, kind=kind, language=language)


def test_a_manager_edits_a_template_and_the_review_page_drafts_with_it(workspace_a, carol_client):
    review = negative(workspace_a, author="Anna Bianchi", language="it")
    template = _template(workspace_a)
    page = carol_client.get(reverse("voice:reply-template-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="card reply-template"') == 12
    assert f'name="t{template.pk}-text"' in html
    response = carol_client.post(
        reverse("voice:reply-template-edit", args=[template.pk]),
        {f"t{template.pk}-text": "Gentile {name},\r\nci scusi davvero.\r\n\r\n{business}"},
    )
    assert response.status_code == 302
    detail = carol_client.get(reverse("voice:review-detail", args=[review.pk])).content.decode()
    assert "Gentile Anna,\nci scusi davvero.\n\nNoleggi Rossi</textarea>" in detail


def test_an_unknown_placeholder_is_answered_on_the_page(workspace_a, carol_client):
    template = _template(workspace_a)
    response = carol_client.post(
        reverse("voice:reply-template-edit", args=[template.pk]),
        {f"t{template.pk}-text": "Gentile {nome},"},
    )
    assert response.status_code == 400
    assert "Segnaposto sconosciuto {nome}" in response.content.decode()
    assert _template(workspace_a).text.startswith("Gentile {name},")


def test_an_agent_reads_the_templates_but_cannot_edit_them(workspace_a, bob_client):
    template = _template(workspace_a)
    page = bob_client.get(reverse("voice:reply-template-list")).content.decode()
    assert 'id="templates-read-only"' in page and "<textarea" not in page
    response = bob_client.post(
        reverse("voice:reply-template-edit", args=[template.pk]),
        {f"t{template.pk}-text": "Ciao {name}"},
    )
    assert response.status_code == 403
    assert _template(workspace_a).text == template.text


def test_another_workspace_s_template_is_404_and_each_page_shows_its_own(
    workspace_a, workspace_b, carol_client, mallory_client
):
    theirs = _template(workspace_b)
    response = carol_client.post(
        reverse("voice:reply-template-edit", args=[theirs.pk]), {f"t{theirs.pk}-text": "x {name}"}
    )
    assert response.status_code == 404
    assert _template(workspace_b).text == theirs.text
    mine = _template(workspace_a)
    carol_client.post(
        reverse("voice:reply-template-edit", args=[mine.pk]),
        {f"t{mine.pk}-text": "Solo di Rossi {name}"},
    )
    assert (
        "Solo di Rossi"
        not in mallory_client.get(reverse("voice:reply-template-list")).content.decode()
    )


def test_the_author_s_name_in_a_draft_is_escaped_and_never_read_as_a_placeholder(
    workspace_a, carol_client
):
    review = negative(workspace_a, author='<script>alert("x")</script> {business}', language="it")
    html = carol_client.get(reverse("voice:review-detail", args=[review.pk])).content.decode()
    assert "<script>alert" not in html
    assert "Gentile &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;," in html
    template = _template(workspace_a)
    carol_client.post(
        reverse("voice:reply-template-edit", args=[template.pk]),
        {f"t{template.pk}-text": "{author} <b>grazie</b>"},
    )
    html = carol_client.get(reverse("voice:review-detail", args=[review.pk])).content.decode()
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; {business} &lt;b&gt;grazie&lt;/b&gt;"
        in html
    )
    listing = carol_client.get(reverse("voice:reply-template-list")).content.decode()
    assert "<b>grazie</b>" not in listing and "&lt;b&gt;grazie&lt;/b&gt;" in listing


def test_restoring_a_template_brings_back_the_shipped_text(workspace_a, carol_client):
    from ascolto.voice.drafts import DEFAULT_TEMPLATES

    template = _template(workspace_a, "joy", "en")
    url = reverse("voice:reply-template-edit", args=[template.pk])
    carol_client.post(url, {f"t{template.pk}-text": "Thanks {name}!"})
    assert _template(workspace_a, "joy", "en").text == "Thanks {name}!"
    carol_client.post(url, {f"t{template.pk}-text": "", "restore": "1"})
    assert _template(workspace_a, "joy", "en").text == DEFAULT_TEMPLATES["en"]["joy"]


def test_every_voice_page_keeps_to_its_workspace(workspace_a, mallory_client):
    """Each voice route, walked from the URL list: a member of B gets 404 for every object of
    A (GET and POST, nothing changes), and B's lists and overview show nothing of A."""
    from django.urls import get_resolver

    from ascolto.voice import urls as voice_urls
    from ascolto.voice.models import ReplyTemplate

    review = negative(workspace_a, author="Segreto di Rossi", text="Testo segreto di Rossi")
    file_source = SourceFactory(workspace=workspace_a, name="Fonte segreta di Rossi")
    inbound_source = legacy_source(workspace_a)
    template = ReplyTemplate.objects.filter(workspace=workspace_a).first()
    objects = {
        "review-detail": review,
        "review-reply": review,
        "review-match": review,
        "source-import": file_source,
        "source-delete": file_source,
        "source-token-revoke": inbound_source,
        "reply-template-edit": template,
    }
    names = {p.name for p in voice_urls.urlpatterns}
    with_pk = {p.name for p in voice_urls.urlpatterns if "pk" in p.pattern.converters}
    assert with_pk == set(objects), "a new voice route with an id needs its object here"
    for name, obj in objects.items():
        url = reverse(f"voice:{name}", args=[obj.pk])
        assert mallory_client.get(url).status_code in (404, 405), name
        assert mallory_client.post(url, {"undo": "1", "restore": "1"}).status_code == 404, name
    review.refresh_from_db()
    assert review.replied_at is None and review.match_state == MatchState.NONE
    assert Source.objects.filter(workspace=workspace_a).count() == 2
    assert Source.objects.get(pk=inbound_source.pk).token_hash
    assert ReplyTemplate.objects.get(pk=template.pk).text == template.text
    for name in names - with_pk - {"inbound"}:
        html = mallory_client.get(reverse(f"voice:{name}")).content.decode()
        assert "Rossi" not in html, name
    assert get_resolver()
