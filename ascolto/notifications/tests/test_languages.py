"""A notification reads in its reader's language: the list in the interface's language, the
email in the recipient's (the language they chose in the interface, else the workspace's)."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest
from django.urls import reverse
from django.utils import translation

from ascolto.core.testing import run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.notifications.models import Notification
from ascolto.promises.tests.test_services_checks import late_visit, make_promise
from ascolto.workspaces.models import Membership

pytestmark = pytest.mark.django_db

ENGLISH_TITLE = "Broken promise: “24-hour repair” for Bar Centrale"
ITALIAN_TITLE = "Promessa non mantenuta: “Intervento entro 24 ore” per Bar Centrale"


def _broken_promise(workspace, owner, agent):
    make_promise(workspace, owner, name_en="24-hour repair", wording_en="A technician within 24 h")
    customer = CustomerFactory(workspace=workspace, account_owner=agent, name="Bar Centrale")
    late_visit(customer, agent)
    return customer


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"]))).strip()


def _choose(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


def test_the_list_reads_in_the_interface_language(alice_client, alice, bob, workspace_a):
    """GIVEN an Italian workspace and a broken promise alert made there
    WHEN its owner reads the notifications in English, then in Italian
    THEN the title and body are in the language of the page each time."""
    assert workspace_a.language == "it"
    _broken_promise(workspace_a, alice, bob)
    _choose(alice_client, "en")
    page = alice_client.get(reverse("notifications:notification-list")).content.decode()
    assert ENGLISH_TITLE in page and "What happened: took 30 h" in page
    assert "Promessa non mantenuta" not in page and "Cosa è successo" not in page
    _choose(alice_client, "it")
    page = alice_client.get(reverse("notifications:notification-list")).content.decode()
    assert ITALIAN_TITLE in page and "Cosa è successo" in page
    assert "Broken promise" not in page and "What happened" not in page


def test_each_email_goes_out_in_its_recipients_language(
    alice_client, alice, bob, workspace_a, smtp_server, django_capture_on_commit_callbacks
):
    """GIVEN an Italian workspace whose owner chose English in the interface
    WHEN a broken promise alerts the owner and the account owner
    THEN the owner's email is in English and the agent's in Italian."""
    _choose(alice_client, "en")
    alice.refresh_from_db()
    assert alice.language == "en" and alice.own_language == "en"
    with django_capture_on_commit_callbacks(execute=True):
        _broken_promise(workspace_a, alice, bob)
    run_pending_tasks()
    by_recipient = {m["X-Envelope-To"]: m for m in smtp_server.messages}
    to_alice = by_recipient[alice.user.email]
    to_bob = by_recipient[bob.user.email]
    assert ENGLISH_TITLE in _subject(to_alice)
    assert "What happened" in smtp_server.text(to_alice)
    assert "Cosa è successo" not in smtp_server.text(to_alice)
    assert ITALIAN_TITLE in _subject(to_bob)
    assert "Cosa è successo" in smtp_server.text(to_bob)
    assert "What happened" not in smtp_server.text(to_bob)


def test_an_english_workspace_writes_in_english_to_who_never_chose(
    workspace_a, alice, bob, smtp_server, django_capture_on_commit_callbacks
):
    workspace_a.language = "en"
    workspace_a.save()
    Membership.objects.filter(workspace=workspace_a).update(language="")
    with django_capture_on_commit_callbacks(execute=True):
        _broken_promise(workspace_a, alice, bob)
    run_pending_tasks()
    staff = {alice.user.email, bob.user.email}
    to_staff = [m for m in smtp_server.messages if m["X-Envelope-To"] in staff]
    assert len(to_staff) == 2  # the customer is written to in their own language
    for message in to_staff:
        assert _subject(message).endswith(ENGLISH_TITLE)


def test_words_are_stored_in_both_languages(workspace_a, alice, bob):
    _broken_promise(workspace_a, alice, bob)
    notification = Notification.objects.filter(recipient=alice).get()
    assert notification.title_it == ITALIAN_TITLE
    assert notification.title_en == ENGLISH_TITLE
    with translation.override("en"):
        assert notification.title == ENGLISH_TITLE and "What happened" in notification.body
    with translation.override("it"):
        assert notification.title == ITALIAN_TITLE


def test_an_unknown_language_is_not_remembered(alice_client, alice):
    alice_client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == ""
