"""One way to send an email for a row of leased work (`ascolto.core.leases`).

A notification, a survey invitation and a monthly report are each a `LeasedWork` row; their
task calls `leased_email_send`, which claims the row with a lease (so two workers never send it
together), lets the app build the message, sends it and records the outcome: done with the
time it was sent, or failed and retried with a back-off, or failed for good when the server
refuses the address or the message with a 5xx (`ascolto.lib.emails.is_permanent`). The sweeper
re-enqueues what is due or what a dead worker left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.mail import EmailMessage
from django.utils import timezone

from ascolto.core.leases import (
    LeasedWork,
    default_owner,
    lease_claim_one,
    lease_complete,
    lease_fail,
)
from ascolto.lib import emails

W = TypeVar("W", bound=LeasedWork)


@dataclass
class LeasedEmail:
    """What to send for a claimed row: `message` (None: nothing to send), the field stamped
    with the time it was sent (`sent_field`), and other fields to store once it is done."""

    message: EmailMessage | None
    sent_field: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


def leased_email_send(
    model: type[W],
    pk: int,
    *,
    build: Callable[[W], LeasedEmail | None],
    logger: logging.Logger,
    owner: str | None = None,
) -> bool:
    """Claim the `model` row `pk`, send what `build(row)` returns, record the outcome.

    `build` gets the claimed row (reload it with what the message needs) and returns None when
    there is nothing to send any more (the row is then done), or a `LeasedEmail`. Any error in
    building or sending fails the attempt: retried later, or failed for good when permanent.
    Returns True when a message was handed to the mail server by this call."""
    owner = owner or default_owner()
    row = lease_claim_one(model, pk, owner=owner)
    if row is None:  # done, failed, not due, or another worker holds it
        return False
    try:
        email = build(row)
        if email is None:
            lease_complete(row, owner=owner)
            return False
        if email.message is not None:
            email.message.send()
    except Exception as exc:  # any failure to hand over the message is retried
        state = lease_fail(
            row, owner=owner, error=emails.error_text(exc), permanent=emails.is_permanent(exc)
        )
        logger.warning(
            "%s %s not emailed (%s), now %s",
            model._meta.model_name,
            pk,
            type(exc).__name__,
            state,
            exc_info=not emails.is_mail_server_error(exc),
        )
        return False
    fields = dict(email.fields)
    if email.sent_field:
        fields[email.sent_field] = timezone.now()
    lease_complete(row, owner=owner, **fields)
    return email.message is not None
