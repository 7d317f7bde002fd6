"""Password reset through a real SMTP server (test plan S06, S07)."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from ascolto.core.models import RateCounter
from ascolto.core.testing import run_pending_tasks
from ascolto.workspaces.services import PASSWORD_RESETS_PER_WINDOW, password_reset_throttle_hit
from ascolto.workspaces.tests.factories import PASSWORD, UserFactory, WorkspaceFactory

RESET = "/account/password-reset/"
LINK = re.compile(r"https?://[^\s\"<>]+/account/password-reset/[^\s\"<>]+/[^\s\"<>]+/")


def _ask(client: Client, email: str):
    """Ask for a reset, then let the worker send what was queued."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(RESET, {"email": email})
    run_pending_tasks()
    return response


@pytest.mark.django_db
def test_reset_end_to_end_with_a_real_mail_server(smtp_server, alice, settings):
    """GIVEN alice forgot her password WHEN she asks for a reset, opens the link from the mail
    and sets a new password THEN she can log in with it and no longer with the old one."""
    settings.SITE_URL = "https://ascolto.example.com"
    client = Client()
    response = _ask(client, alice.user.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("workspaces:password-reset-done")

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["X-Envelope-To"] == alice.user.email
    links = LINK.findall(smtp_server.text(message))
    assert len(links) == 1
    link = links[0]
    # The site address, not the test client's "testserver" host.
    assert link.startswith("https://ascolto.example.com/account/password-reset/")
    assert link in smtp_server.html(message)

    path = link.removeprefix("https://ascolto.example.com")
    response = client.get(path)  # redirects to the session-bound "set-password" URL
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.context["validlink"] is True
    new_password = "a-brand-new-passphrase-42"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("workspaces:password-reset-complete")

    fresh = Client()
    assert (
        fresh.post(
            "/account/login/", {"username": alice.user.username, "password": PASSWORD}
        ).status_code
        == 200
    )
    response = fresh.post(
        "/account/login/", {"username": alice.user.username, "password": new_password}
    )
    assert response.status_code == 302

    # The link works once.
    response = Client().get(path, follow=True)
    assert response.context["validlink"] is False


@pytest.mark.django_db
def test_invalid_reset_link_shows_the_expired_page(client):
    response = client.get("/account/password-reset/MQ/abc-def/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert reverse("workspaces:password-reset") in response.content.decode()


@pytest.mark.django_db
def test_reset_mail_is_in_the_recipients_language(smtp_server, settings):
    english = WorkspaceFactory(language="en")
    owner = english.memberships.get().user
    _ask(Client(HTTP_ACCEPT_LANGUAGE="it"), owner.email)
    assert len(smtp_server.messages) == 1
    assert "Choose a new Ascolto password" in smtp_server.messages[0]["Subject"]
    assert "Someone asked to reset the password" in smtp_server.text(smtp_server.messages[0])


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer(smtp_server, alice):
    known = _ask(Client(), alice.user.email)
    unknown = _ask(Client(), "nobody-here@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(smtp_server.messages) == 1  # only the real account got mail
    done_known = Client().get(known["Location"]).content
    done_unknown = Client().get(unknown["Location"]).content
    csrf = re.compile(rb"[A-Za-z0-9]{64}")  # each page carries its own CSRF token
    assert csrf.sub(b"", done_known) == csrf.sub(b"", done_unknown)


@pytest.mark.django_db
def test_reset_flood_is_capped_per_address(smtp_server, alice, caplog):
    """GIVEN someone submits alice's address 10 times WHEN the cap is 3 an hour THEN 3 mails
    go out, every answer is the same redirect, and the log never holds the address."""
    caplog.set_level(logging.DEBUG, logger="ascolto")
    caplog.set_level(logging.DEBUG, logger="django")
    answers = {
        (r.status_code, r["Location"])
        for r in (_ask(Client(), alice.user.email) for _ in range(10))
    }
    assert answers == {(302, reverse("workspaces:password-reset-done"))}
    assert len(smtp_server.messages) == PASSWORD_RESETS_PER_WINDOW
    # Another address is not affected by alice's cap.
    other = UserFactory()
    _ask(Client(), other.email)
    assert len(smtp_server.messages) == PASSWORD_RESETS_PER_WINDOW + 1
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name.split(".")[0] in {"ascolto", "django"}
    )
    assert "password reset capped" in ours
    assert alice.user.email not in ours


@pytest.mark.django_db
def test_reset_cap_counts_unknown_addresses_and_stores_no_address():
    email = "ghost@example.com"
    results = [password_reset_throttle_hit(email=email) for _ in range(5)]
    assert results == [True] * PASSWORD_RESETS_PER_WINDOW + [False] * 2
    row = RateCounter.objects.get()
    assert "ghost" not in row.key and row.hits == PASSWORD_RESETS_PER_WINDOW


@pytest.mark.django_db
def test_reset_cap_opens_again_after_the_window(time_machine):
    time_machine.move_to("2026-03-02 09:00:00+01:00", tick=False)
    for _ in range(PASSWORD_RESETS_PER_WINDOW):
        assert password_reset_throttle_hit(email="Someone@Example.com")
    assert not password_reset_throttle_hit(email="someone@example.com")
    time_machine.move_to("2026-03-02 10:00:01+01:00", tick=False)
    assert password_reset_throttle_hit(email="someone@example.com")


@pytest.mark.django_db
def test_reset_with_a_bad_address_shows_a_form_error_and_sends_nothing(smtp_server, client):
    response = client.post(RESET, {"email": "not-an-address"}, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert smtp_server.messages == []
    assert not RateCounter.objects.filter(limit="password-reset-email").exists()


def _statements(client: Client, email: str) -> list[str]:
    """The SQL a reset request runs, with the values taken out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(RESET, {"email": email})
    return [
        re.sub(r"\"s\d+_x\d+\"|'[^']*'|\b\d+\b|\bNULL\b", "?", query["sql"])
        for query in queries.captured_queries
    ]


@pytest.mark.django_db
def test_reset_request_does_the_same_work_for_known_and_unknown_addresses(alice):
    """The reset's timing must not tell whether an account exists: the request runs the same
    statements (the mail itself is sent later, by the worker) for both."""
    # (Two addresses: each request is its client's first, as far as the rate limits know.)
    known = _statements(Client(REMOTE_ADDR="10.0.0.1"), alice.user.email)
    unknown = _statements(Client(REMOTE_ADDR="10.0.0.2"), "nobody-here@example.com")
    assert known == unknown
    assert not any("argon2" in q or "pbkdf2" in q for q in known)


@pytest.mark.django_db(transaction=True)
def test_reset_mail_is_retried_when_the_mail_server_was_down(alice, settings):
    """GIVEN the mail server is down WHEN alice asks for a reset THEN she gets the usual page
    and the mail waits; WHEN the server is back and the retry is due THEN it arrives once."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from ascolto.workspaces.models import PasswordResetEmail
    from ascolto.workspaces.services import member_invitations_sweep
    from ascolto.workspaces.tests.test_views_invitations import _smtp_down, _start_smtp

    _smtp_down(settings)
    assert _ask(Client(), alice.user.email).status_code == 302
    reset = PasswordResetEmail.objects.get()
    assert (reset.state, reset.attempts, reset.user_id) == ("pending", 1, alice.user.pk)
    server = _start_smtp(settings)
    try:
        with time_machine.travel(timezone.now() + timedelta(minutes=30), tick=False):
            assert member_invitations_sweep() == 1
            run_pending_tasks()
            assert member_invitations_sweep() == 0
            run_pending_tasks()
        assert len(server.messages) == 1
        assert LINK.search(server.text(server.messages[0]))
        reset.refresh_from_db()
        assert reset.state == "done" and reset.sent_at is not None
    finally:
        server.controller.stop()


@pytest.mark.django_db
def test_reset_rows_for_unknown_addresses_hold_no_address():
    from ascolto.workspaces.models import PasswordResetEmail

    _ask(Client(), "ghost@example.com")
    row = PasswordResetEmail.objects.get()
    assert row.user_id is None and row.state == "done" and row.sent_at is None


@pytest.mark.django_db
def test_finished_reset_rows_are_forgotten_after_a_week():
    from datetime import timedelta

    from django.utils import timezone

    from ascolto.workspaces.models import PasswordResetEmail
    from ascolto.workspaces.services import member_invitations_sweep

    old = PasswordResetEmail.objects.create(state="done")
    PasswordResetEmail.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    recent = PasswordResetEmail.objects.create(state="done")
    member_invitations_sweep()
    assert list(PasswordResetEmail.objects.values_list("pk", flat=True)) == [recent.pk]
