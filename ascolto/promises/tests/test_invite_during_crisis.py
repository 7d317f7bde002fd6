"""The invite form warns when the customer has an open broken-promise crisis and holds the
invitation until the member confirms (it used to send without a word)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services as feedback_services
from ascolto.feedback.models import Invitation
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.promises.models import Crisis
from ascolto.promises.services import promise_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis(workspace_a, alice, bob):
    touchpoint = Touchpoint.objects.get(workspace=workspace_a, code="intervento")
    promise_create(
        workspace=workspace_a,
        by=alice,
        name_it="Intervento entro 24 ore",
        wording_it="Un tecnico da lei entro 24 ore",
        dimension="timeliness",
        touchpoint=touchpoint,
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=24,
        unit="hours",
    )
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob, name="Bar Centrale")
    asked = timezone.now() - timedelta(days=2)
    interaction_record(
        customer=customer,
        by=bob,
        touchpoint=touchpoint,
        occurred_at=asked,
        requested_at=asked,
        started_at=asked + timedelta(hours=31),
    )
    return Crisis.objects.select_related("customer").get()


def _form_data(survey, **extra):
    return {"survey": survey.pk, "channel": "link", "language": "", **extra}


def test_form_warns_and_holds_until_confirmed(bob_client, workspace_a, crisis):
    survey = SurveyFactory(workspace=workspace_a)
    url = reverse("feedback:invitation-create", args=[crisis.customer.pk])
    page = bob_client.get(url).content.decode()
    assert 'id="invitation-cautions"' in page
    assert "«Intervento entro 24 ore»" in page

    held = bob_client.post(url, _form_data(survey))
    assert held.status_code == 422
    assert 'name="confirmed"' in held.content.decode()
    assert not Invitation.objects.filter(customer=crisis.customer).exists()

    sent = bob_client.post(url, _form_data(survey, confirmed="on"))
    assert sent.status_code == 302
    assert Invitation.objects.filter(customer=crisis.customer).count() == 1


def test_service_holds_whatever_the_caller(bob, workspace_a, crisis):
    survey = SurveyFactory(workspace=workspace_a)
    with pytest.raises(feedback_services.InvitationNeedsConfirmation):
        feedback_services.survey_invitation_create(
            survey=survey, customer=crisis.customer, by=bob, channel="link"
        )
    assert not Invitation.objects.exists()


def test_no_warning_without_a_crisis(bob_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    page = bob_client.get(reverse("feedback:invitation-create", args=[customer.pk]))
    assert 'id="invitation-cautions"' not in page.content.decode()


def test_handled_crisis_no_longer_holds(bob, workspace_a, crisis):
    Crisis.objects.filter(pk=crisis.pk).update(closed_at=timezone.now())
    survey = SurveyFactory(workspace=workspace_a)
    feedback_services.survey_invitation_create(
        survey=survey, customer=crisis.customer, by=bob, channel="link"
    )
    assert Invitation.objects.count() == 1
