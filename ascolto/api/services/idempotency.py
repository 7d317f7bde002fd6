"""Remembered answers: a write retried with the same `Idempotency-Key` gets the first answer.

The record is inserted before the write runs, in the same transaction: a second request with
the same key waits on the unique key until the first commits, then finds its answer. A key sent
again with a different request is refused (422), since answering it with another request's
result would hide a mistake.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ascolto.api.models import ApiToken, IdempotencyRecord

KEEP_FOR = timedelta(hours=24)


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), b"\0", path.encode(), b"\0", body):
        digest.update(part)
    return digest.hexdigest()


def idempotency_claim(
    *, token: ApiToken, key: str, fingerprint: str, now: datetime | None = None
) -> tuple[IdempotencyRecord, bool]:
    """Insert the record for (`token`, `key`) and return (record, True); when one exists and
    is live, return (it, False). Call inside a transaction, which holds the key until it
    commits. An expired record is replaced."""
    now = now or timezone.now()
    IdempotencyRecord.objects.filter(token=token, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                token=token, key=key, fingerprint=fingerprint, expires_at=now + KEEP_FOR
            )
        return record, True
    except IntegrityError:
        return IdempotencyRecord.objects.get(token=token, key=key), False


def idempotency_store(
    *, record: IdempotencyRecord, status_code: int, body: bytes, content_type: str
) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=status_code, body=body, content_type=content_type
    )


def idempotency_records_sweep(*, now: datetime | None = None) -> int:
    """Forget the answers past their time (the housekeeping job)."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
