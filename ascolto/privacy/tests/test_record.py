"""The Art. 30 record follows the configuration: the retention periods, the mail server, the
security settings and the inventory of personal fields."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ascolto.privacy.record import processing_record_text


@pytest.mark.django_db
def test_record_is_generated_from_the_settings(settings, workspace_a, alice):
    settings.PRIVACY_RETENTION_MONTHS = {"survey_comments": 18}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "posta.example.it"
    settings.HTTPS = True
    text = processing_record_text(workspace=workspace_a)
    assert workspace_a.name in text and alice.user.email in text
    assert "posta.example.it" in text
    assert "18 mesi" in text or "18 months" in text
    assert "telefono" in text or "phone" in text  # from the inventory: Customer.phone
    settings.PRIVACY_RETENTION_MONTHS = {"survey_comments": 6}
    settings.EMAIL_HOST = "smtp.altro.it"
    text = processing_record_text(workspace=workspace_a)
    assert "smtp.altro.it" in text and ("6 mesi" in text or "6 months" in text)


@pytest.mark.django_db
def test_record_page_and_command(alice_client, bob_client, workspace_a, capsys):
    url = reverse("privacy:processing-record")
    assert alice_client.get(url).status_code == 200
    download = alice_client.get(url, {"format": "text"})
    assert download["Content-Disposition"].startswith("attachment")
    assert bob_client.get(url).status_code == 403
    call_command("gdpr", "record", "--workspace", str(workspace_a.pk))
    assert workspace_a.name in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("gdpr", "record", "--workspace", "999999")
