"""Consent (test plan P04): one-click unsubscribe from every survey email (a link and the
List-Unsubscribe headers), no login needed; no more invitations to someone who opted out,
from a member or from the cadence; the consent history on the customer page."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ascolto.core.testing import run_pending_tasks
from ascolto.customers.models import ConsentEvent
from ascolto.customers.services import customer_surveys_consent_set
from ascolto.feedback.models import Invitation
from ascolto.feedback.services import survey_invitation_create
from ascolto.feedback.services.cadence import cadence_rule_create, cadence_run

pytestmark = pytest.mark.django_db


def _sent_invitation(survey, customer, by, capture, smtp_server):
    with capture(execute=True):
        invitation = survey_invitation_create(survey=survey, customer=customer, by=by)
    run_pending_tasks()
    return invitation, smtp_server.messages[-1]


def test_survey_email_carries_the_link_and_one_click_headers(
    survey_a, customer_a, alice, smtp_server, django_capture_on_commit_callbacks
):
    invitation, message = _sent_invitation(
        survey_a, customer_a, alice, django_capture_on_commit_callbacks, smtp_server
    )
    url = re.fullmatch(r"<(.+)>", "".join(message["List-Unsubscribe"].split())).group(1)
    assert url.endswith(reverse("survey:unsubscribe", args=[invitation.token]))
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in smtp_server.text(message)
    assert url in smtp_server.html(message)


def test_one_click_post_unsubscribes_without_login_once(
    survey_a, customer_a, alice, smtp_server, django_capture_on_commit_callbacks
):
    invitation, message = _sent_invitation(
        survey_a, customer_a, alice, django_capture_on_commit_callbacks, smtp_server
    )
    path = reverse("survey:unsubscribe", args=[invitation.token])
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = client.post(path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    customer_a.refresh_from_db()
    assert customer_a.surveys_opted_out_at is not None
    events = list(ConsentEvent.objects.filter(customer=customer_a))
    assert [(e.action, e.source, e.by) for e in events] == [("withdrawn", "one_click", None)]


def test_opening_the_link_asks_first_and_the_button_unsubscribes(survey_a, customer_a, alice):
    invitation = survey_invitation_create(
        survey=survey_a, customer=customer_a, by=alice, channel="link"
    )
    path = reverse("survey:unsubscribe", args=[invitation.token])
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200 and "<form" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    customer_a.refresh_from_db()
    assert customer_a.surveys_opted_out_at is None  # a GET (a mail scanner) changes nothing
    done = client.post(path)
    assert done.status_code == 200 and "<form" not in done.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.surveys_opted_out_at is not None
    assert ConsentEvent.objects.get().source == "link"


def test_unknown_token_is_404(db):
    assert Client().get(reverse("survey:unsubscribe", args=["x" * 40])).status_code == 404
    assert Client().post(reverse("survey:unsubscribe", args=["x" * 40])).status_code == 404


def test_no_invitation_after_opt_out_from_a_member_or_the_cadence(
    survey_a, customer_a, alice, workspace_a, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pending = survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
        customer_surveys_consent_set(customer=customer_a, by=alice, wanted=False)
    run_pending_tasks()
    assert smtp_server.messages == []  # queued before the opt-out, never sent
    pending.refresh_from_db()
    assert pending.sent_at is None
    Invitation.objects.filter(pk=pending.pk).update(closed_at=datetime.now().astimezone())
    with pytest.raises(ValidationError) as refused:
        survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    assert "ha chiesto di non ricevere sondaggi" in str(refused.value)
    cadence_rule_create(
        workspace=workspace_a, by=alice, survey=survey_a, name="Ogni mese", every_days=30
    )
    cadence_run()
    assert Invitation.objects.filter(customer=customer_a).count() == 1


def test_invite_form_shows_the_refusal(alice_client, survey_a, customer_a, alice):
    customer_surveys_consent_set(customer=customer_a, by=alice, wanted=False)
    response = alice_client.post(
        reverse("feedback:invitation-create", args=[customer_a.pk]),
        {"survey": survey_a.pk, "channel": "email"},
    )
    assert "ha chiesto di non ricevere sondaggi" in response.content.decode()
    assert not Invitation.objects.exists()


def test_customer_page_shows_history_and_staff_record_consent(bob_client, customer_a, bob):
    url = reverse("customers:customer-consent", args=[customer_a.pk])
    assert bob_client.post(url, {"surveys": "no"}).status_code == 302
    assert bob_client.post(url, {"surveys": "yes"}).status_code == 302
    assert bob_client.post(url, {"surveys": "maybe"}).status_code == 400
    html = bob_client.get(reverse("customers:customer-detail", args=[customer_a.pk])).content
    html = html.decode()
    assert html.count('id="consent"') == 1
    assert html.count("Registrato dallo staff") == 2
    events = list(ConsentEvent.objects.filter(customer=customer_a).order_by("at", "pk"))
    assert [(e.action, e.by) for e in events] == [("withdrawn", bob), ("given", bob)]


def test_outsider_cannot_record_consent(mallory_client, customer_a):
    url = reverse("customers:customer-consent", args=[customer_a.pk])
    assert mallory_client.post(url, {"surveys": "no"}).status_code == 404
    customer_a.refresh_from_db()
    assert customer_a.surveys_opted_out_at is None
