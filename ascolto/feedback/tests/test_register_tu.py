"""A business on first-name terms speaks to its customers with "tu" on every page and in every
message they read, and a business that chose "Lei" never slips into "tu" (the texts come from
the catalogue: the informal ones from `ascolto/locale/it_TU/`)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote_plus

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from ascolto.core.testing import run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.services.invitations import _build_message
from ascolto.feedback.submissions.filing import submissions_store_all

pytestmark = pytest.mark.django_db

# Forms that address the reader as "Lei", and as "tu" (case matters: "Può" is "Lei", while
# "%(business)s non può" speaks of the business).
LEI = re.compile(
    r"\b(Lei|Sua|Suo|Sue|Suoi|Le ha|Le invierà|La contatterà|ricontattarLa|Risponda|Scelga|"
    r"Controlli|Clicchi|Riprovi|Può|Preferisce|vuole|desidera|usi|ha ricevuto l|pensa|"
    r"consiglierebbe|Gentile)\b"
)
TU = re.compile(
    r"\b(tu|tua|tuo|tue|tuoi|ti|te|Rispondi|Scegli|Controlla|Clicca|Riprova|Puoi|Preferisci|"
    r"vuoi|hai|pensi|Ciao|consiglieresti|ricontattarti|rivolgiti)\b"
)


def _text(html: str) -> str:
    """What a reader sees: the page without its tags and its head."""
    body = html.split("<body", 1)[-1]
    return " ".join(strip_tags(body).split())


def _pages(workspace, alice, smtp_server, capture) -> dict[str, str]:
    """Every text a customer of `workspace` reads, by name."""
    survey = services.survey_create(workspace=workspace, by=alice, name="S", kind="nps")
    main = f"q{survey.questions.get(role='main').pk}"
    texts: dict[str, str] = {}
    client = Client()

    def customer(name: str):
        return CustomerFactory(
            workspace=workspace,
            name=name,
            email=f"{name.lower()}@example.com",
            phone="347 123 4567",
            preferred_language="it",
        )

    with capture(execute=True):
        invitation = services.survey_invitation_create(
            survey=survey, customer=customer("Rossi"), by=alice
        )
    run_pending_tasks()
    [email] = smtp_server.messages
    texts["invitation email"] = smtp_server.text(email) + " " + strip_tags(smtp_server.html(email))
    reminder = _build_message(invitation, reminder=True)
    texts["reminder email"] = reminder.subject + " " + reminder.body
    texts["whatsapp"] = unquote_plus(services.survey_invitation_whatsapp_url(invitation))
    url = reverse("survey:answer", args=[invitation.token])
    texts["survey page"] = _text(client.get(url).content.decode())
    texts["survey errors"] = _text(client.post(url, {main: "11"}).content.decode())
    client.post(url, {main: "2"})
    texts["thanks, unhappy"] = _text(client.get(url + "thanks/").content.decode())
    submissions_store_all()
    texts["already answered"] = _text(client.post(url, {main: "2"}).content.decode())
    happy = services.survey_invitation_create(survey=survey, customer=customer("Bruni"), by=alice)
    happy_url = reverse("survey:answer", args=[happy.token])
    client.post(happy_url, {main: "10"})
    texts["thanks"] = _text(client.get(happy_url + "thanks/").content.decode())
    unsubscribe = reverse("survey:unsubscribe", args=[happy.token])
    texts["unsubscribe"] = _text(client.get(unsubscribe).content.decode())
    texts["unsubscribed"] = _text(client.post(unsubscribe).content.decode())
    link = services.open_link_create(survey=survey, by=alice)
    open_url = reverse("survey:open", args=[link.token])
    texts["open link"] = _text(client.get(open_url).content.decode())
    texts["open link, unhappy"] = _text(client.post(open_url, {main: "1"}).content.decode())
    for _ in range(services.OPEN_LINK_SUBMITS_PER_HOUR):
        client.post(open_url, {main: "7"})
    limited = client.post(open_url, {main: "7"})
    assert limited.status_code == 429
    texts["too many answers"] = _text(limited.content.decode())
    return texts


def test_a_tu_business_says_tu_everywhere(
    workspace_a, alice, smtp_server, django_capture_on_commit_callbacks
):
    """GIVEN a business that addresses its customers with "tu"
    WHEN a customer reads the invitation, the reminder, the WhatsApp message, the survey, its
         errors, the thank-you pages, the "already answered" page, the unsubscribe pages, an
         open link and its limit
    THEN none of them says "Lei", and each says "tu" where it speaks to the reader."""
    workspace_a.customer_address = "tu"
    workspace_a.save()
    texts = _pages(workspace_a, alice, smtp_server, django_capture_on_commit_callbacks)
    for name, text in texts.items():
        assert not LEI.search(text), (name, LEI.search(text), text)
    for name in ("invitation email", "reminder email", "survey page", "survey errors",
                 "thanks, unhappy", "already answered", "unsubscribe", "unsubscribed",
                 "open link, unhappy", "too many answers"):  # fmt: skip
        assert TU.search(texts[name]), (name, texts[name])
    assert "Ciao" in texts["whatsapp"]


def test_a_lei_business_never_says_tu(
    workspace_a, alice, smtp_server, django_capture_on_commit_callbacks
):
    assert workspace_a.customer_address == "lei"
    texts = _pages(workspace_a, alice, smtp_server, django_capture_on_commit_callbacks)
    for name, text in texts.items():
        assert not TU.search(text), (name, TU.search(text), text)
    for name in ("invitation email", "survey page", "survey errors", "thanks, unhappy",
                 "unsubscribe", "too many answers"):  # fmt: skip
        assert LEI.search(texts[name]), (name, texts[name])


def test_the_pages_say_they_are_italian(client, workspace_a, alice):
    workspace_a.customer_address = "tu"
    workspace_a.save()
    survey = services.survey_create(workspace=workspace_a, by=alice, name="S", kind="nps")
    link = services.open_link_create(survey=survey, by=alice)
    html = client.get(reverse("survey:open", args=[link.token])).content.decode()
    assert '<html lang="it">' in html


def test_every_informal_text_still_exists_in_the_italian_catalogue():
    """A text changed in the code (and so in the Italian catalogue) without its informal
    form would fall back to "Lei": the "tu" catalogue must follow."""
    locale = Path(settings.BASE_DIR, "locale")
    italian = {e.msgid for e in polib.pofile(str(locale / "it/LC_MESSAGES/django.po"))}
    informal = polib.pofile(str(locale / "it_TU/LC_MESSAGES/django.po"))
    assert len(informal) >= 20
    assert [e.msgid for e in informal if e.msgid not in italian] == []
    assert [e.msgid for e in informal if not e.msgstr] == []
