"""Interactions, signals, invitations, responses, promises and metrics through the API: the same
services and selectors as the pages, and nothing of another workspace."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ascolto.api.tests.conftest import make_api
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.dashboards import selectors as dashboard_selectors
from ascolto.dashboards.tests.factories import ResponseFactory
from ascolto.feedback.models import Invitation
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.lib.periods import Period
from ascolto.promises.models import PromiseCheck
from ascolto.promises.tests.test_services_checks import make_promise

pytestmark = pytest.mark.django_db


def test_an_interaction_sent_in_is_checked_against_the_promises_at_once(api_a, alice):
    promise = make_promise(alice.workspace, alice)
    customer = CustomerFactory(workspace=alice.workspace)
    asked = timezone.now() - timedelta(days=2)
    data = {
        "external_id": "INT-77",
        "customer_id": customer.pk,
        "touchpoint": "intervento",
        "channel": "on_site",
        "occurred_at": asked.isoformat(),
        "requested_at": asked.isoformat(),
        "started_at": (asked + timedelta(hours=30)).isoformat(),
        "text": "Caldaia riparata",
    }
    response = api_a.post("/api/v1/interactions", data)
    assert response.status_code == 201, response.content
    interaction = Interaction.objects.get()
    check = PromiseCheck.objects.get(interaction=interaction, promise=promise)
    assert check.outcome == "broken"
    checks = api_a.get("/api/v1/promise-checks", {"interaction_id": interaction.pk}).json()
    assert checks["count"] == 1 and checks["items"][0]["outcome"] == "broken"
    # The same external id again updates it; the check follows the new times.
    again = api_a.post(
        "/api/v1/interactions", {**data, "started_at": (asked + timedelta(hours=3)).isoformat()}
    )
    assert again.status_code == 200 and Interaction.objects.count() == 1
    check = PromiseCheck.objects.get(interaction=interaction, promise=promise)
    assert check.outcome == "kept"
    assert api_a.get("/api/v1/promises").json()["items"][0]["id"] == promise.pk


def test_interaction_errors_name_the_field(api_a, alice):
    customer = CustomerFactory(workspace=alice.workspace)
    cases = [
        ({"customer_id": customer.pk, "touchpoint": "nessuno"}, "touchpoint"),
        ({"customer_id": customer.pk, "occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
        ({"customer_id": customer.pk, "channel": "fax"}, "channel"),
        ({"customer_external_id": "unknown"}, "customer_external_id"),
        ({}, "customer_id"),
    ]
    for body, field in cases:
        response = api_a.post("/api/v1/interactions", body)
        assert response.status_code == 422, (body, response.content)
        assert field in {e["field"] for e in response.json()["errors"]}, (body, response.json())
    assert not Interaction.objects.exists()


def test_bulk_interactions_and_signals(api_a, alice):
    customer = CustomerFactory(workspace=alice.workspace)
    items = [
        {"customer_id": customer.pk, "touchpoint": "consegna", "external_id": f"D{i}"}
        for i in range(3)
    ] + [{"customer_id": customer.pk, "touchpoint": "??"}]
    response = api_a.post("/api/v1/interactions/bulk", {"items": items})
    assert [i["status"] for i in response.json()] == [201, 201, 201, 422]
    assert api_a.post("/api/v1/interactions/bulk", {"items": items[:3]}).json()[0]["status"] == 200
    assert Interaction.objects.count() == 3
    assert api_a.get("/api/v1/interactions", {"touchpoint": "consegna"}).json()["count"] == 3
    signal = api_a.post(
        "/api/v1/signals",
        {"customer_id": customer.pk, "text": "Sembrava seccato", "polarity": "negative"},
    )
    assert signal.status_code == 201
    assert StaffSignal.objects.get().member_id == alice.pk


def test_ask_a_customer_now_or_hear_why_not(api_a, alice):
    survey = SurveyFactory(workspace=alice.workspace)
    customer = CustomerFactory(workspace=alice.workspace, email="c@example.it")
    response = api_a.post(
        "/api/v1/invitations", {"survey_id": survey.pk, "customer_id": customer.pk}
    )
    assert response.status_code == 201, response.content
    again = api_a.post("/api/v1/invitations", {"survey_id": survey.pk, "customer_id": customer.pk})
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "customer"
    assert (
        "open invitation" in again.json()["errors"][0]["reason"]
        or again.json()["errors"][0]["reason"]
    )
    lost = CustomerFactory(workspace=alice.workspace, status="lost")
    refused = api_a.post("/api/v1/invitations", {"survey_id": survey.pk, "customer_id": lost.pk})
    assert refused.status_code == 422
    link = api_a.post(
        "/api/v1/invitations",
        {
            "survey_id": survey.pk,
            "customer_id": CustomerFactory(workspace=alice.workspace).pk,
            "channel": "link",
        },
    )
    assert link.status_code == 201 and "/s/" in link.json()["link"]
    assert Invitation.objects.count() == 2


def test_responses_are_read_with_their_answers(api_a, alice):
    survey = SurveyFactory(workspace=alice.workspace)
    customer = CustomerFactory(workspace=alice.workspace)
    ResponseFactory(survey=survey, customer=customer, score=3)
    listing = api_a.get("/api/v1/responses", {"customer_id": customer.pk}).json()
    assert listing["count"] == 1 and listing["items"][0]["score"] == 3
    one = api_a.get(f"/api/v1/responses/{listing['items'][0]['id']}")
    assert one.status_code == 200 and one.json()["survey_id"] == survey.pk


def test_metrics_are_the_dashboards_numbers(api_a, alice):
    survey = SurveyFactory(workspace=alice.workspace)
    segment = SegmentFactory(workspace=alice.workspace)
    inside = CustomerFactory(workspace=alice.workspace, segment=segment)
    now = timezone.now()
    for score in (10, 9, 9, 7, 3, 0):
        ResponseFactory(
            survey=survey, customer=inside, score=score, submitted_at=now - timedelta(days=3)
        )
    for score in (10, 2):
        ResponseFactory(survey=survey, score=score, submitted_at=now - timedelta(days=3))
    today = timezone.localdate()
    start = today - timedelta(days=30)
    body = api_a.get(
        "/api/v1/metrics", {"start": start.isoformat(), "end": today.isoformat()}
    ).json()
    expected = dashboard_selectors.scores_compare(
        workspace=alice.workspace, period=Period(start, today)
    )
    assert body["current"]["nps"]["n"] == expected.current.nps.n == 8
    assert body["current"]["nps"]["nps"] == pytest.approx(expected.current.nps.nps)
    assert body["current"]["nps"]["promoters"] == 4 and body["current"]["nps"]["detractors"] == 3
    seg = api_a.get(
        "/api/v1/metrics",
        {"start": start.isoformat(), "end": today.isoformat(), "segment_id": segment.pk},
    ).json()
    assert seg["current"]["nps"]["n"] == 6
    rows = api_a.get(
        "/api/v1/metrics/breakdown",
        {"by": "segment", "start": start.isoformat(), "end": today.isoformat()},
    ).json()["rows"]
    expected_rows = dashboard_selectors.nps_breakdown(
        workspace=alice.workspace, period=Period(start, today), by="segment"
    )
    assert [(r["key"], r["nps"]["n"]) for r in rows] == [(r.key, r.result.n) for r in expected_rows]
    bad = api_a.get("/api/v1/metrics", {"start": "2026-05-01", "end": "2026-04-01"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "start"
    assert api_a.get("/api/v1/metrics", {"start": "1900-01-01"}).status_code == 422


def test_nothing_of_workspace_b_through_a_token_of_a(api_a, mallory):
    ws = mallory.workspace
    survey = SurveyFactory(workspace=ws)
    customer = CustomerFactory(workspace=ws, email="b@b.it")
    response = ResponseFactory(survey=survey, customer=customer, score=1)
    api_b, _t = make_api(mallory)
    interaction = api_b.post(
        "/api/v1/interactions", {"customer_id": customer.pk, "touchpoint": "consegna"}
    ).json()
    promise = make_promise(ws, mallory)
    segment = SegmentFactory(workspace=ws)
    for url in (
        f"/api/v1/interactions/{interaction['id']}",
        f"/api/v1/responses/{response.pk}",
        f"/api/v1/promises/{promise.pk}",
    ):
        assert api_a.get(url).status_code == 404, url
    assert (
        api_a.patch(f"/api/v1/interactions/{interaction['id']}", {"text": "x"}).status_code == 404
    )
    for url in (
        "/api/v1/interactions",
        "/api/v1/responses",
        "/api/v1/promises",
        "/api/v1/signals",
        "/api/v1/invitations",
        "/api/v1/surveys",
        "/api/v1/promise-checks",
    ):
        assert api_a.get(url).json()["count"] == 0, url
    made = api_a.post("/api/v1/invitations", {"survey_id": survey.pk, "customer_id": customer.pk})
    assert made.status_code == 404
    signal = api_a.post(
        "/api/v1/signals", {"customer_id": customer.pk, "text": "x", "polarity": "neutral"}
    )
    assert signal.status_code == 422
    assert api_a.get("/api/v1/metrics", {"segment_id": segment.pk}).status_code == 422
    assert api_a.get("/api/v1/metrics").json()["current"]["nps"]["n"] == 0
    assert date.today()  # the period defaults to the dashboard's
