"""Reviews through the API: another tool sends them with a workspace token (the way in that
replaced per-source tokens) and reads them back; the voice services decide as for files and
pages (stored once, matched, judged); the API's guards (idempotency, 413, 429, roles, scoping)
hold as for every endpoint."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ascolto.api.tests.conftest import make_api
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.voice.models import MatchState, Review, Source
from ascolto.voice.tests.factories import ReviewFactory, SourceFactory

pytestmark = pytest.mark.django_db

BODY = {
    "reviews": [
        {
            "id": "g-1",
            "platform": "google",
            "author": "Anna Bianchi",
            "email": "ANNA@example.it",
            "rating": "1",
            "text": "Furgone sporco 😡\nE in ritardo di due ore.",
            "published_at": "2026-03-01T10:00:00+01:00",
            "language": "it",
        },
        {
            "id": "t-2",
            "platform": "tripadvisor",
            "rating": 40,
            "rating_scale": 50,
            "published_at": "01/03/2026 14:30",
            "text": "Ottimo",
        },
        {"id": "x-3", "published_at": "31/02/2026", "rating": "5"},
        {"id": "x-4", "published_at": "2026-03-01"},
    ]
}


def test_a_tool_sends_reviews_once_and_each_bad_one_is_named(api_a, alice):
    customer = CustomerFactory(workspace=alice.workspace, email="anna@example.it")
    first = api_a.post("/api/v1/reviews", BODY)
    assert first.status_code == 200, first.content
    data = first.json()
    assert len(data["created"]) == 2 and data["duplicates"] == 0
    assert [e["index"] for e in data["errors"]] == [3, 4]
    angry = Review.objects.get(platform_id="g-1")
    assert angry.workspace == alice.workspace and angry.rating == Decimal(1)
    assert angry.text == "Furgone sporco 😡\nE in ritardo di due ore."
    assert angry.is_negative and angry.reply_due_at is not None
    assert angry.match_state == MatchState.SUGGESTED and angry.suggested_customer == customer
    assert Review.objects.get(platform_id="t-2").rating == Decimal(4)
    again = api_a.post("/api/v1/reviews", BODY)
    assert again.json()["created"] == [] and again.json()["duplicates"] == 2
    assert Review.objects.count() == 2


def test_reviews_are_read_back_with_filters_and_one_by_one(api_a, alice):
    api_a.post("/api/v1/reviews", BODY)
    listed = api_a.get("/api/v1/reviews", {"waiting": "true"}).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["platform"] == "google" and item["rating"] in ("1.00", 1, "1")
    assert item["is_negative"] and item["reply_due_at"]
    assert api_a.get("/api/v1/reviews", {"platform": "tripadvisor"}).json()["count"] == 1
    assert api_a.get("/api/v1/reviews", {"negative": "false"}).json()["count"] == 1
    one = api_a.get(f"/api/v1/reviews/{item['id']}")
    assert one.status_code == 200 and one.json()["author"] == "Anna Bianchi"


def test_a_reply_is_recorded_once_through_the_api(api_a, alice):
    api_a.post("/api/v1/reviews", BODY)
    review = Review.objects.get(platform_id="g-1")
    done = api_a.post(f"/api/v1/reviews/{review.pk}/reply", {"text": "Ci scusi."})
    assert done.status_code == 200 and done.json()["replied_at"]
    assert done.json()["reply_text"] == "Ci scusi."
    twice = api_a.post(f"/api/v1/reviews/{review.pk}/reply", {"text": "Di nuovo"})
    assert twice.status_code == 422 and twice.json()["errors"][0]["reason"]


def test_the_reviews_go_under_a_named_inbound_source(api_a, alice, mallory):
    source = SourceFactory(workspace=alice.workspace, kind="inbound", platform="trustpilot")
    sent = api_a.post(
        "/api/v1/reviews",
        {"source_id": source.pk, "reviews": [{"rating": 3, "published_at": "2026-03-02"}]},
    )
    assert sent.status_code == 200 and len(sent.json()["created"]) == 1
    review = Review.objects.get()
    assert review.source == source and review.platform == "trustpilot"
    assert Source.objects.get(pk=source.pk).last_polled_at is not None
    # a file source is not where tools send
    file_source = SourceFactory(workspace=alice.workspace, kind="file")
    wrong = api_a.post(
        "/api/v1/reviews",
        {"source_id": file_source.pk, "reviews": [{"rating": 3, "published_at": "2026-03-03"}]},
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "source_id"
    # another workspace's source is 404, like one that does not exist
    theirs = SourceFactory(workspace=mallory.workspace, kind="inbound")
    refused = api_a.post(
        "/api/v1/reviews",
        {"source_id": theirs.pk, "reviews": [{"rating": 3, "published_at": "2026-03-04"}]},
    )
    assert refused.status_code == 404
    assert Review.objects.count() == 1


def test_a_token_of_a_never_sees_nor_answers_b_s_reviews(api_a, mallory):
    theirs = ReviewFactory(workspace=mallory.workspace, is_negative=True)
    assert api_a.get(f"/api/v1/reviews/{theirs.pk}").status_code == 404
    assert api_a.post(f"/api/v1/reviews/{theirs.pk}/reply", {}).status_code == 404
    assert api_a.get("/api/v1/reviews").json()["count"] == 0
    assert Review.objects.get(pk=theirs.pk).replied_at is None


def test_an_agent_token_reads_and_replies_but_cannot_send_reviews(alice):
    agent_api, _token = make_api(alice, "agent")
    refused = agent_api.post("/api/v1/reviews", BODY)
    assert refused.status_code == 403
    assert not Review.objects.exists()
    review = ReviewFactory(workspace=alice.workspace)
    assert agent_api.get("/api/v1/reviews").json()["count"] == 1
    assert (
        agent_api.post(f"/api/v1/reviews/{review.pk}/reply", {"text": "Grazie"}).status_code == 200
    )
    read_only, _token = make_api(alice, "manager", read_only=True)
    assert read_only.post("/api/v1/reviews", BODY).status_code == 403


def test_the_api_s_guards_hold_for_reviews(api_a, alice, settings):
    # a retried send with the same key gets the first answer, and stores nothing more
    first = api_a.post("/api/v1/reviews", BODY, HTTP_IDEMPOTENCY_KEY="rev-1")
    again = api_a.post("/api/v1/reviews", BODY, HTTP_IDEMPOTENCY_KEY="rev-1")
    assert again["Idempotent-Replayed"] == "true"
    assert json.loads(again.content) == json.loads(first.content)
    assert Review.objects.count() == 2
    # a body that is not the schema names the field
    bad = api_a.post("/api/v1/reviews", {"reviews": [{"rating": 3}]})
    assert bad.status_code == 422
    assert any("published_at" in (e["field"] or "") for e in bad.json()["errors"])
    empty = api_a.post("/api/v1/reviews", {"reviews": []})
    assert empty.status_code == 422
    unknown = api_a.post(
        "/api/v1/reviews", {"reviews": [{"platform": "yelp", "published_at": "2026-03-01"}]}
    )
    assert unknown.status_code == 422
    # over the size limit
    settings.API_MAX_BODY_BYTES = 2000
    big = api_a.post(
        "/api/v1/reviews", {"reviews": [{"text": "x" * 3000, "published_at": "2026-03-01"}]}
    )
    assert big.status_code == 413
    # past the rate
    settings.API_RATE_PER_MINUTE = 1
    assert api_a.get("/api/v1/reviews").status_code == 429
    assert Review.objects.count() == 2
