"""What every email Ascolto sends shares: its Message-ID, and how to read a failure to send it.

The leased senders (notifications, survey invitations, monthly reports) go through
`ascolto.core.emails.leased_email_send`, which claims the row, sends, and records the outcome
with these two helpers.
"""

from __future__ import annotations

import smtplib
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings


def message_domain() -> str:
    """The domain of Ascolto's Message-IDs: the sender address's (`DEFAULT_FROM_EMAIL`), else
    the host of `SITE_URL`, else "localhost"."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if "@" in address:
        return address.rsplit("@", 1)[1]
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_id(local: str) -> str:
    """`<local@domain>`: a Message-ID derived from the row being sent (`local`, e.g.
    "notification.12.3"), so a resend after a crash carries the same one and is recognisable."""
    return f"<{local}@{message_domain()}>"


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer about the recipient or the message will not get better by retrying.

    Everything else (server down, 4xx, a refused login or sender, an error building the
    message) is the operator's to fix and is retried, so fixing the configuration delivers what
    was waiting."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return False


def is_mail_server_error(exc: Exception) -> bool:
    """The mail server (or the way to it) failed, as opposed to a fault in building the
    message: logged without a traceback."""
    return isinstance(exc, OSError)  # smtplib's errors are OSErrors too


def error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
