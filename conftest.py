"""Shared fixtures: three personas like the test plan's (alice owns A, bob is an agent in A,
mallory owns B), plus a manager in A."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API in live-server tests


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = True


@pytest.fixture
def workspace_a(db):
    from ascolto.workspaces.tests.factories import WorkspaceFactory

    return WorkspaceFactory(name="Noleggi Rossi")


@pytest.fixture
def workspace_b(db):
    from ascolto.workspaces.tests.factories import WorkspaceFactory

    return WorkspaceFactory(name="Concorrenza Srl")


@pytest.fixture
def alice(workspace_a):
    """Owner of workspace A."""
    return workspace_a.memberships.get(role="owner")


@pytest.fixture
def bob(workspace_a):
    """Agent in workspace A."""
    from ascolto.workspaces.tests.factories import MembershipFactory

    return MembershipFactory(workspace=workspace_a, role="agent", user__first_name="Bob")


@pytest.fixture
def carol(workspace_a):
    """Manager in workspace A."""
    from ascolto.workspaces.tests.factories import MembershipFactory

    return MembershipFactory(workspace=workspace_a, role="manager", user__first_name="Carol")


@pytest.fixture
def mallory(workspace_b):
    """Owner of workspace B."""
    return workspace_b.memberships.get(role="owner")


def _client_for(client_class, membership):
    client = client_class()
    client.force_login(membership.user)
    return client


@pytest.fixture
def alice_client(alice):
    from django.test import Client

    return _client_for(Client, alice)


@pytest.fixture
def bob_client(bob):
    from django.test import Client

    return _client_for(Client, bob)


@pytest.fixture
def carol_client(carol):
    from django.test import Client

    return _client_for(Client, carol)


@pytest.fixture
def mallory_client(mallory):
    from django.test import Client

    return _client_for(Client, mallory)
