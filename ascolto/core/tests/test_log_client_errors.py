"""A 403 writes one line to the server log, not a full traceback (each one did)."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_forbidden_is_logged_without_traceback(bob_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = bob_client.get(reverse("promises:fit-report"))  # managers and owners only
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "the refusal is still logged"
    assert all(r.exc_info is None for r in records)
    assert "Traceback" not in caplog.text
