"""The events webhooks hear: a response stored (and a detractor), a broken promise, a lost
customer, each queued in the transaction of the event itself."""

from __future__ import annotations

import json

import pytest

from ascolto.api.models import WebhookDelivery
from ascolto.api.services.webhooks import webhook_subscription_create
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services as feedback_services
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.feedback.tests.test_services import _answers
from ascolto.promises.tests.test_services_checks import late_visit, make_promise

pytestmark = pytest.mark.django_db


def _subscribe(member, *events):
    return webhook_subscription_create(
        workspace=member.workspace,
        by=member,
        url="http://127.0.0.1:9/x",
        events=list(events),
        allow_private=True,
    )


def test_a_detractor_answer_makes_two_events(alice, mallory):
    _subscribe(alice, "response.received", "response.detractor")
    _subscribe(mallory, "response.received")
    survey = SurveyFactory(workspace=alice.workspace)
    customer = CustomerFactory(workspace=alice.workspace, email="c@example.it")
    invitation = feedback_services.survey_invitation_create(
        survey=survey, customer=customer, by=alice
    )
    response = feedback_services.response_submit(
        survey=survey, data=_answers(survey, 2), language="it", invitation=invitation
    )
    events = sorted(WebhookDelivery.objects.values_list("event", flat=True))
    assert events == ["response.detractor", "response.received"]
    payload = json.loads(WebhookDelivery.objects.first().payload)
    assert payload["data"]["response_id"] == response.pk
    assert payload["workspace_id"] == alice.workspace.pk


def test_a_promise_broken_event(alice):
    _subscribe(alice, "promise.broken")
    make_promise(alice.workspace, alice)
    customer = CustomerFactory(workspace=alice.workspace)
    late_visit(customer, alice, hours=30)
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "promise.broken"
    assert json.loads(delivery.payload)["data"]["customer_id"] == customer.pk
    late_visit(customer, alice, hours=2)  # kept: no event
    assert WebhookDelivery.objects.count() == 1


def _events(workspace):
    return [
        (d.event, json.loads(d.payload)["data"])
        for d in WebhookDelivery.objects.filter(workspace=workspace).order_by("pk")
    ]


def test_a_case_opened_moved_and_reopened_makes_its_events(alice, bob, mallory):
    """Cases are below the API: they call `cases.hooks.case_changed`, the API emits."""
    from ascolto.cases import services as case_services
    from ascolto.cases.tests.factories import open_case

    _subscribe(alice, "case.opened", "case.status_changed")
    _subscribe(mallory, "case.opened", "case.status_changed")
    customer = CustomerFactory(workspace=alice.workspace)
    case = open_case(customer, bob, severity="high")
    case_services.case_status_change(case=case, by=bob, status="acknowledged")
    case_services.case_status_change(case=case, by=bob, status="resolved")
    case_services.case_status_change(case=case, by=bob, status="in_progress")  # reopened
    events = _events(alice.workspace)
    assert [e for e, _d in events] == ["case.opened"] + ["case.status_changed"] * 3
    opened = events[0][1]
    assert (opened["case_id"], opened["customer_id"], opened["category"]) == (
        case.pk,
        customer.pk,
        "ritardo",
    )
    assert opened["severity"] == "high" and opened["acknowledge_due_at"]
    moves = [(d["from_status"], d["to_status"], d["reopened"]) for _e, d in events[1:]]
    assert moves == [
        ("new", "acknowledged", False),
        ("acknowledged", "resolved", False),
        ("resolved", "in_progress", True),
    ]
    assert not WebhookDelivery.objects.filter(workspace=mallory.workspace).exists()


def test_a_case_opened_in_a_transaction_that_fails_sends_nothing(alice, bob):
    from django.db import transaction

    from ascolto.cases.tests.factories import open_case

    _subscribe(alice, "case.opened")
    customer = CustomerFactory(workspace=alice.workspace)
    with pytest.raises(RuntimeError), transaction.atomic():
        open_case(customer, bob)
        raise RuntimeError("the request failed after the case")
    assert not WebhookDelivery.objects.exists()


def test_a_missed_case_clock_is_one_event(alice, bob):
    from datetime import timedelta

    from django.utils import timezone

    from ascolto.cases import services as case_services
    from ascolto.cases.tests.factories import open_case

    _subscribe(alice, "case.clock_missed")
    case = open_case(CustomerFactory(workspace=alice.workspace), bob, severity="critical")
    later = timezone.now() + timedelta(days=30)
    case_services.case_clocks_check(now=later)
    case_services.case_clocks_check(now=later + timedelta(minutes=1))  # once only
    events = _events(alice.workspace)
    clocks = sorted(d["clock"] for e, d in events)
    assert {e for e, _d in events} == {"case.clock_missed"}
    assert clocks == ["acknowledge", "resolve", "respond"]
    assert all(d["case_id"] == case.pk and d["due_at"] for _e, d in events)


def test_a_fall_in_health_is_one_event_per_customer_and_day(alice, mallory):
    from datetime import date, timedelta

    from ascolto.health.models import HealthScore
    from ascolto.health.services import health_alerts_raise

    _subscribe(alice, "health.level_dropped")
    fell = CustomerFactory(workspace=alice.workspace)
    rose = CustomerFactory(workspace=alice.workspace)
    today = date(2026, 3, 10)
    yesterday = today - timedelta(days=1)
    for customer, before, now in ((fell, "healthy", "at_risk"), (rose, "critical", "watch")):
        HealthScore.objects.create(
            workspace=alice.workspace, customer=customer, day=yesterday, score=80, level=before
        )
        HealthScore.objects.create(
            workspace=alice.workspace,
            customer=customer,
            day=today,
            score=40,
            level=now,
            flags=["missed_payment"],
        )
    health_alerts_raise(workspace=alice.workspace, day=today)
    health_alerts_raise(workspace=alice.workspace, day=today)  # a second run: nothing new
    events = _events(alice.workspace)
    assert [e for e, _d in events] == ["health.level_dropped"]
    data = events[0][1]
    assert (data["customer_id"], data["from_level"], data["to_level"]) == (
        fell.pk,
        "healthy",
        "at_risk",
    )
    assert data["day"] == "2026-03-10" and data["score"] == 40
    assert data["flags"] == ["missed_payment"]
    assert not WebhookDelivery.objects.filter(workspace=mallory.workspace).exists()


def test_every_webhook_event_has_its_hook_registered():
    from ascolto.api import events
    from ascolto.cases import hooks as cases_hooks
    from ascolto.health import hooks as health_hooks

    assert events.case_changed in list(cases_hooks.case_changed)
    assert events.case_clock_missed in list(cases_hooks.case_clock_missed)
    assert events.health_level_dropped in list(health_hooks.health_level_dropped)
