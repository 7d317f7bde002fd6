"""Login, logout, session and cookies (test plan S06) and login throttling (S07)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from ascolto.workspaces.tests.factories import PASSWORD

LOGIN = "/account/login/"


def _login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_login_page_has_reset_link_autofocus_and_autocomplete(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("workspaces:password-reset") in html
    assert "autofocus" in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.django_db
def test_login_with_right_password_opens_the_workspace(alice):
    client = Client()
    response = _login(client, alice.user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-list")
    assert client.get(reverse("workspaces:member-list")).status_code == 200


@pytest.mark.django_db
def test_login_with_wrong_password_shows_the_form_again(alice):
    client = Client()
    response = _login(client, alice.user.username, "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "errorlist" in response.content.decode()


@pytest.mark.django_db
def test_session_key_rotates_at_login(alice):
    """GIVEN an anonymous session WHEN the user logs in THEN the session id is a new one, so a
    session id planted before login (session fixation) is worthless."""
    client = Client()
    session = client.session
    session["planted"] = "yes"
    session.save()
    before = session.session_key
    client.cookies[django_settings.SESSION_COOKIE_NAME] = before
    _login(client, alice.user.username, PASSWORD)
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert client.session.get("planted") == "yes"  # same data, new id


@pytest.mark.django_db
def test_logout_needs_post_and_ends_the_session(alice):
    client = Client()
    _login(client, alice.user.username, PASSWORD)
    old_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("workspaces:logout")).status_code == 405
    assert client.get(reverse("workspaces:member-list")).status_code == 200

    response = client.post(reverse("workspaces:logout"))
    assert response.status_code == 302
    response = client.get(reverse("workspaces:member-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspaces:login"))

    # The old session id is dead on the server, not only forgotten by this browser.
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = old_key
    assert replay.get(reverse("workspaces:member-list")).status_code == 302


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_httponly_and_samesite(alice):
    client = Client()
    client.get(LOGIN)
    csrf = client.cookies[django_settings.CSRF_COOKIE_NAME]
    response = _login(client, alice.user.username, PASSWORD)
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_cookies_are_secure_when_https_is_on(alice, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    client.get(LOGIN)
    response = _login(client, alice.user.username, PASSWORD)
    assert response.cookies[django_settings.SESSION_COOKIE_NAME]["secure"]
    assert client.cookies[django_settings.CSRF_COOKIE_NAME]["secure"]


def test_production_settings_make_cookies_secure(tmp_path):
    """The conftest relaxes Secure for the test client; the real settings must not."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ascolto.settings",
        "ASCOLTO_DEBUG": "0",
        "ASCOLTO_DATA_DIR": str(tmp_path),
        "ASCOLTO_SECRET_KEY": "x" * 64,
    }
    env.pop("ASCOLTO_HTTPS", None)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS > 0]))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, True, True, "Lax", True]


@pytest.mark.django_db
def test_sixth_attempt_is_locked_out_even_with_the_right_password(alice):
    """GIVEN 5 wrong passwords for alice WHEN the 6th attempt has the right one THEN axes
    refuses it with the lockout page and no session is opened."""
    client = Client()
    for _ in range(5):
        response = _login(client, alice.user.username, "wrong-password")
    response = _login(client, alice.user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "workspaces/lockout.html" in [t.name for t in response.templates]
    assert "5" in html
    assert client.get(reverse("workspaces:member-list")).status_code == 302


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_escape_the_lockout(alice):
    """GIVEN an attacker who sends a new fake X-Forwarded-For with each of 20 guesses THEN the
    lockout still counts them all against the one real address."""
    client = Client()
    for i in range(20):
        _login(client, alice.user.username, f"guess-{i}", HTTP_X_FORWARDED_FOR=f"10.0.{i}.1")
    response = _login(client, alice.user.username, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.mark.django_db
def test_lockout_is_per_user_and_address_not_global(alice, bob):
    client = Client()
    for _ in range(5):
        _login(client, alice.user.username, "wrong-password")
    response = _login(Client(), bob.user.username, PASSWORD)
    assert response.status_code == 302


@pytest.mark.django_db
def test_successful_login_resets_the_failure_count(alice):
    client = Client()
    for _ in range(4):
        _login(client, alice.user.username, "wrong-password")
    assert _login(client, alice.user.username, PASSWORD).status_code == 302
    client.post(reverse("workspaces:logout"))
    for _ in range(4):
        _login(client, alice.user.username, "wrong-password")
    assert _login(client, alice.user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_page_is_translated(alice):
    client = Client()
    for _ in range(6):
        response = _login(client, alice.user.username, "wrong-password", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "try again in an hour" in response.content.decode()


@pytest.mark.django_db
def test_login_with_the_email_in_capitals_opens_the_workspace(alice):
    client = Client()
    response = _login(client, f"  {alice.user.email.upper()} ", PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == alice.user.pk


@pytest.mark.django_db
def test_changing_the_case_of_the_username_does_not_escape_the_lockout(alice):
    """Five failures under five spellings of alice's address lock the address out."""
    spellings = [alice.user.email, alice.user.email.upper(), alice.user.email.title()]
    for attempt in range(django_settings.AXES_FAILURE_LIMIT):
        _login(Client(), spellings[attempt % len(spellings)], "wrong-password")
    response = _login(Client(), alice.user.email.swapcase(), PASSWORD)
    assert response.status_code == 429
    assert AccessAttempt.objects.get().username == alice.user.email.lower()


@pytest.mark.django_db
def test_two_accounts_differing_only_in_case_sign_in_by_exact_username():
    from ascolto.workspaces.tests.factories import UserFactory

    upper = UserFactory(username="Shared@Example.com", email="one@example.com")
    lower = UserFactory(username="shared@example.com", email="two@example.com")
    client = Client()
    assert _login(client, "Shared@Example.com", PASSWORD).status_code == 302
    assert int(client.session["_auth_user_id"]) == upper.pk
    other = Client()
    assert _login(other, "shared@example.com", PASSWORD).status_code == 302
    assert int(other.session["_auth_user_id"]) == lower.pk
    assert _login(Client(), "SHARED@EXAMPLE.COM", PASSWORD).status_code == 200
