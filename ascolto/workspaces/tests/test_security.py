"""Deployment checks, response headers and CSRF (test plan S12, S19)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from ascolto.workspaces.models import Membership, Role
from ascolto.workspaces.tenancy import SESSION_KEY
from ascolto.workspaces.tests.factories import PASSWORD, MembershipFactory


def _clean_env(**values: str) -> dict[str, str]:
    """Only what a server would have: no test-run variables (DJANGO_ALLOW_ASYNC_UNSAFE...)."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return {**keep, **values}


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = _clean_env(
        ASCOLTO_DEBUG="0",
        ASCOLTO_HTTPS="1",
        ASCOLTO_ALLOWED_HOSTS="ascolto.example.com",
        ASCOLTO_SECRET_KEY=secrets.token_urlsafe(64),
        ASCOLTO_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ascolto", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_with_debug_on(tmp_path):
    """The check above can fail: the same command with DEBUG on must not pass."""
    env = _clean_env(
        ASCOLTO_DEBUG="1",
        ASCOLTO_HTTPS="1",
        ASCOLTO_ALLOWED_HOSTS="ascolto.example.com",
        ASCOLTO_SECRET_KEY=secrets.token_urlsafe(64),
        ASCOLTO_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ascolto", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def _csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_pages_send_strict_security_headers(who, alice_client):
    client = alice_client if who == "alice" else Client()
    url = reverse("workspaces:member-list") if who == "alice" else reverse("workspaces:login")
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    directives = _csp_directives(csp)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] or response["X-Frame-Options"] == "DENY"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style(alice_client):
    html = alice_client.get(reverse("workspaces:member-list")).content.decode()
    assert "<script>" not in html
    assert " style=" not in html
    assert "<style" not in html


@pytest.mark.django_db
def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("workspaces:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.fixture
def csrf_alice(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    return client


@pytest.mark.django_db
def test_logout_without_csrf_token_is_refused(csrf_alice):
    response = csrf_alice.post(reverse("workspaces:logout"))
    assert response.status_code == 403
    assert csrf_alice.get(reverse("workspaces:member-list")).status_code == 200


@pytest.mark.django_db
def test_switch_without_csrf_token_is_refused(csrf_alice, alice, workspace_a, workspace_b):
    MembershipFactory(workspace=workspace_b, user=alice.user, role=Role.AGENT)
    response = csrf_alice.post(
        reverse("workspaces:workspace-switch"), {"workspace": workspace_b.pk}
    )
    assert response.status_code == 403
    assert csrf_alice.session.get(SESSION_KEY) in (None, workspace_a.pk)


@pytest.mark.django_db
def test_member_role_and_remove_without_csrf_token_are_refused(csrf_alice, bob):
    role = csrf_alice.post(reverse("workspaces:member-role", args=[bob.pk]), {"role": "manager"})
    remove = csrf_alice.post(reverse("workspaces:member-remove", args=[bob.pk]))
    assert role.status_code == remove.status_code == 403
    bob.refresh_from_db()
    assert bob.role == Role.AGENT
    assert Membership.objects.filter(pk=bob.pk).exists()


@pytest.mark.django_db
def test_login_without_csrf_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("workspaces:login"), {"username": alice.user.username, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_csrf_failure_page_is_ours_and_has_no_inline_style(csrf_alice):
    response = csrf_alice.post(reverse("workspaces:logout"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Request refused" in html
    assert "<style" not in html


@pytest.mark.django_db
def test_error_pages_render(client, settings):
    """404 renders through base.html; 500 renders with no request context at all."""
    from django.template.loader import get_template

    response = client.get("/account/team/does-not-exist/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    html = get_template("500.html").render()
    assert "Something went wrong" in html or "Qualcosa" in html
