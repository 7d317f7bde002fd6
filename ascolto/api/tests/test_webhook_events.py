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
