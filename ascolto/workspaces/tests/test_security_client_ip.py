"""Which address login throttling counts (test plan S07)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from ascolto.workspaces.security import client_ip
from ascolto.workspaces.tests.factories import PASSWORD


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", **meta)


def test_without_a_proxy_the_socket_address_counts(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.5")) == "192.0.2.10"


def test_behind_a_proxy_only_the_entry_it_appended_counts(settings):
    settings.BEHIND_PROXY = True
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.5")) == "203.0.113.5"
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.5 ")) == "203.0.113.5"
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="not-an-ip")) == "192.0.2.10"
    assert client_ip(_request()) == "192.0.2.10"


@pytest.mark.django_db
def test_behind_a_proxy_forged_entries_do_not_escape_the_lockout(settings, alice):
    """GIVEN a proxy that appends the real address 203.0.113.5 WHEN the attacker rotates the
    entries they send themselves THEN the lockout still holds; another client is unaffected."""
    settings.BEHIND_PROXY = True
    client = Client()
    for i in range(8):
        client.post(
            "/account/login/",
            {"username": alice.user.username, "password": f"guess-{i}"},
            HTTP_X_FORWARDED_FOR=f"10.0.{i}.1, 203.0.113.5",
        )
    locked = client.post(
        "/account/login/",
        {"username": alice.user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5",
    )
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    elsewhere = Client().post(
        "/account/login/",
        {"username": alice.user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert elsewhere.status_code == 302
