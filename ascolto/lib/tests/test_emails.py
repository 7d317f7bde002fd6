"""Message-IDs and the reading of a mail server's refusal, against a real SMTP server."""

from __future__ import annotations

import smtplib

import pytest

from ascolto.lib import emails


@pytest.mark.parametrize(
    ("from_email", "site_url", "domain"),
    [
        ("Ascolto <ascolto@noleggi-rossi.it>", "https://ascolto.example.org", "noleggi-rossi.it"),
        ("avvisi@studio.example", "https://ascolto.example.org", "studio.example"),
        ("Ascolto", "https://ascolto.example.org:8443/app", "ascolto.example.org"),
        ("", "", "localhost"),
    ],
)
def test_message_domain_is_the_sender_s_then_the_site_s(settings, from_email, site_url, domain):
    settings.DEFAULT_FROM_EMAIL = from_email
    settings.SITE_URL = site_url
    assert emails.message_domain() == domain
    assert emails.message_id("notification.12.3") == f"<notification.12.3@{domain}>"


def _send(port: int, to: list[str]) -> None:
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail("ascolto@localhost", to, b"Subject: prova\r\n\r\nciao\r\n")


def test_a_5xx_refusal_of_every_address_is_permanent(smtp_server):
    smtp_server.refuse["nessuno@example.com"] = "550 5.1.1 No such user"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(smtp_server.port, ["nessuno@example.com"])
    assert emails.is_permanent(refused.value)
    assert emails.is_mail_server_error(refused.value)
    assert emails.error_text(refused.value).startswith("SMTPRecipientsRefused: ")


def test_a_4xx_refusal_is_transient(smtp_server):
    smtp_server.refuse["pieno@example.com"] = "452 4.2.2 Mailbox full"
    smtp_server.refuse["nessuno@example.com"] = "550 5.1.1 No such user"
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(smtp_server.port, ["pieno@example.com", "nessuno@example.com"])
    assert not emails.is_permanent(refused.value)  # one address may still get it later


def test_one_address_accepted_is_no_failure(smtp_server):
    smtp_server.refuse["nessuno@example.com"] = "550 5.1.1 No such user"
    _send(smtp_server.port, ["nessuno@example.com", "rossi@example.com"])
    assert smtp_server.messages[0]["X-Envelope-To"] == "rossi@example.com"


def test_a_server_down_or_a_fault_building_the_message_is_transient():
    down = ConnectionRefusedError(111, "Connection refused")
    assert not emails.is_permanent(down) and emails.is_mail_server_error(down)
    bug = KeyError("missing template variable")
    assert not emails.is_permanent(bug) and not emails.is_mail_server_error(bug)
    assert len(emails.error_text(ValueError("x" * 5000))) == 2000
