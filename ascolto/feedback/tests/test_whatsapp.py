"""Invitations by WhatsApp: a click-to-chat link with the message and the survey link, the
invitation recorded as sent by that channel, and its answer counted like any other."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.models import Invitation, Response
from ascolto.feedback.submissions.filing import submissions_store_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def mobile_customer(workspace_a):
    return CustomerFactory(workspace=workspace_a, name="Marta Neri", phone="333 123 4567", email="")


def _wa(page: str) -> str:
    return re.search(r'href="(https://wa\.me/[^"]+)"', page).group(1).replace("&amp;", "&")


def test_whatsapp_invitation_from_the_customer_page(
    bob_client, mobile_customer, survey_a, workspace_a
):
    """GIVEN a customer with a mobile number and no email
    WHEN an agent chooses "Send on WhatsApp" on their page and confirms
    THEN the invitation is recorded as sent on WhatsApp, and its page opens a chat with the
    customer's number, the message in Italian (Lei) and the personal survey link."""
    page = bob_client.get(f"/customers/{mobile_customer.pk}/", HTTP_ACCEPT_LANGUAGE="it")
    assert 'data-testid="ask-whatsapp"' in page.content.decode()
    form = bob_client.get(f"/feedback/customer/{mobile_customer.pk}/invite/?channel=whatsapp")
    assert 'value="whatsapp" selected' in form.content.decode()
    response = bob_client.post(
        f"/feedback/customer/{mobile_customer.pk}/invite/",
        {"survey": survey_a.pk, "channel": "whatsapp", "language": ""},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(customer=mobile_customer)
    assert invitation.channel == "whatsapp"
    assert invitation.state == "done" and invitation.sent_at is not None
    detail = bob_client.get(response.url, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    link = urlsplit(_wa(detail))
    assert link.netloc == "wa.me" and link.path == "/393331234567"
    text = unquote(parse_qs(link.query)["text"][0])
    assert text.startswith("Buongiorno Marta Neri, siamo Noleggi Rossi.")
    assert "cosa pensa di noi" in text
    assert services.survey_link(invitation.token) in text


def test_its_answer_counts_like_any_other(mobile_customer, survey_a, alice):
    invitation = services.survey_invitation_create(
        survey=survey_a, customer=mobile_customer, by=alice, channel="whatsapp"
    )
    main = survey_a.questions.get(role="main")
    Client().post(reverse("survey:answer", args=[invitation.token]), {f"q{main.pk}": "10"})
    assert submissions_store_all() == 1
    response = Response.objects.get()
    assert response.invitation == invitation and response.customer == mobile_customer
    assert response.score == 10 and response.band == "promoter"


def test_english_customer_gets_the_english_message(workspace_a, survey_a, alice):
    customer = CustomerFactory(
        workspace=workspace_a, name="Ann", phone="+44 7700 900123", preferred_language="en"
    )
    invitation = services.survey_invitation_create(
        survey=survey_a, customer=customer, by=alice, channel="whatsapp"
    )
    url = services.survey_invitation_whatsapp_url(invitation)
    text = unquote(parse_qs(urlsplit(url).query)["text"][0])
    assert url.startswith("https://wa.me/447700900123?")
    assert text.startswith("Good morning Ann, this is Noleggi Rossi.")


def test_no_mobile_no_whatsapp(workspace_a, survey_a, alice, alice_client):
    landline = CustomerFactory(workspace=workspace_a, phone="02 1234567")
    page = alice_client.get(f"/customers/{landline.pk}/").content.decode()
    assert 'data-testid="ask-whatsapp"' not in page
    with pytest.raises(ValidationError):
        services.survey_invitation_create(
            survey=survey_a, customer=landline, by=alice, channel="whatsapp"
        )
    response = alice_client.post(
        f"/feedback/customer/{landline.pk}/invite/",
        {"survey": survey_a.pk, "channel": "whatsapp", "language": ""},
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 422
    assert "Questo cliente non ha un numero di cellulare." in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_outsider_cannot_invite_my_customer(mallory_client, mobile_customer, survey_a):
    response = mallory_client.post(
        f"/feedback/customer/{mobile_customer.pk}/invite/",
        {"survey": survey_a.pk, "channel": "whatsapp"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()
