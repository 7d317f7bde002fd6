"""How to read an SMTP failure: retry it, or give up on that address.

Every email Ascolto sends is a row of durable work (`ascolto.core.leases`, docs/tasks.md): the
sender claims it, hands the message to the mail server, and on an exception records a failed
attempt. This module only decides whether the failure is permanent.
"""

from __future__ import annotations

import smtplib


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer about the recipient or the message will not get better by retrying.

    Everything else (server down, 4xx, a refused login or sender) is the operator's to fix and
    is retried, so fixing the configuration delivers what was waiting."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return False


def error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
