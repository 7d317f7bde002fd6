"""Durable background work: the domain's own rows are the queue's truth.

A row that needs work (an invitation to send, a webhook to deliver, a scheduled run) inherits
`LeasedWork`. A task never trusts the queue: it *claims* the row with a conditional UPDATE that
only succeeds while the row is due and nobody else holds a live lease, does the work, then
`lease_complete`s or `lease_fail`s it. If a worker dies, its lease expires and `lease_sweep`
(run every minute by the scheduler's `sweeper` job) puts the row back to pending and enqueues it
again. Two workers, a retried task or a duplicated queue entry therefore never do the same unit
twice while a lease is held. See docs/tasks.md.

The claim works the same on SQLite (IMMEDIATE transactions serialise writers, so the read and the
UPDATE cannot interleave with another claimer) and PostgreSQL (`SELECT ... FOR UPDATE SKIP LOCKED`
lets concurrent claimers take disjoint rows without waiting); on both, the UPDATE repeats the
condition, so a row is only ever claimed by the claimer whose UPDATE matched it.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_PROCESS_TOKEN = secrets.token_hex(4)


class WorkState(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LeasedWork(models.Model):
    """Abstract base for a row that is one unit of background work.

    Class attributes tune the retry policy per model; override them in the subclass.
    """

    lease_seconds: int = 300
    """How long a claim lasts. Longer than the work ever takes, or another worker may redo it."""
    max_attempts: int = 8
    """Claims allowed before the row is marked failed for good."""
    retry_base_seconds: int = 60
    """First retry delay; each further attempt doubles it (with jitter) up to `retry_cap_seconds`."""
    retry_cap_seconds: int = 6 * 60 * 60
    redispatch_after_seconds: int = 5 * 60
    """A pending, due row whose task was enqueued this long ago without being claimed is enqueued
    again by the sweeper (the first task was lost, e.g. the queue was flushed)."""

    state = models.CharField(
        _("state"),
        max_length=10,
        choices=WorkState.choices,
        default=WorkState.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    lease_owner = models.CharField(_("lease owner"), max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        abstract = True


W = TypeVar("W", bound=models.Model)


def default_owner() -> str:
    """An owner name unique to this process: host, pid and a random token (max 64 chars)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{_PROCESS_TOKEN}"


def _is_leased_work(model: type[models.Model]) -> bool:
    return issubclass(model, LeasedWork)


def claimable_q(model: type[models.Model], now: datetime) -> Q:
    """The rows a claimer may take at `now`.

    For `LeasedWork`: pending and due, or running with an expired lease and attempts left.
    For any other model with `lease_owner`/`lease_expires_at`: no live lease.
    """
    no_live_lease = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
    if not _is_leased_work(model):
        return no_live_lease
    return (Q(state=WorkState.PENDING, next_attempt_at__lte=now) & no_live_lease) | Q(
        state=WorkState.RUNNING,
        lease_expires_at__lte=now,
        attempts__lt=model.max_attempts,  # type: ignore[attr-defined]
    )


def lease_claim(
    queryset: models.QuerySet,
    *,
    owner: str,
    lease_seconds: int | None = None,
    limit: int = 1,
    now: datetime | None = None,
) -> list[Any]:
    """Atomically lease up to `limit` claimable rows of `queryset` to `owner`; return their ids.

    The caller filters `queryset` to the rows it wants (e.g. one id). Ids come back in the
    queryset's order. For `LeasedWork` rows the claim also sets state running and counts an
    attempt (so a unit that crashes its worker every time still reaches `max_attempts`).
    """
    model = queryset.model
    now = now or timezone.now()
    if lease_seconds is None:
        lease_seconds = getattr(model, "lease_seconds", 300)
    expires = now + timedelta(seconds=lease_seconds)
    condition = claimable_q(model, now)
    updates: dict[str, Any] = {"lease_owner": owner, "lease_expires_at": expires}
    if _is_leased_work(model):
        updates.update(state=WorkState.RUNNING, attempts=F("attempts") + 1)
    db = queryset.db
    with transaction.atomic(using=db):
        candidates = queryset.filter(condition)
        if not candidates.query.order_by and not model._meta.ordering:
            candidates = candidates.order_by("pk")
        ids = list(
            candidates.select_for_update(skip_locked=True, of=("self",)).values_list(
                "pk", flat=True
            )[:limit]
        )
        if not ids:
            return []
        # The condition is repeated: a row changed since it was read is not taken.
        model._base_manager.using(db).filter(condition, pk__in=ids).update(**updates)
        claimed = set(
            model._base_manager.using(db)
            .filter(pk__in=ids, lease_owner=owner, lease_expires_at=expires)
            .values_list("pk", flat=True)
        )
    return [pk for pk in ids if pk in claimed]


def lease_claim_one(
    model: type[W],
    pk: Any,
    *,
    owner: str | None = None,
    lease_seconds: int | None = None,
    now: datetime | None = None,
) -> W | None:
    """Claim one row by id and return it fresh from the database, or None if it is not
    claimable (done, failed, not yet due, or leased by someone else)."""
    owner = owner or default_owner()
    ids = lease_claim(
        model._base_manager.filter(pk=pk),  # type: ignore[attr-defined]
        owner=owner,
        lease_seconds=lease_seconds,
        limit=1,
        now=now,
    )
    if not ids:
        return None
    return model._base_manager.get(pk=ids[0])  # type: ignore[attr-defined]


def _held(obj: models.Model, owner: str) -> models.QuerySet:
    return type(obj)._base_manager.filter(pk=obj.pk, lease_owner=owner)


def lease_extend(
    obj: LeasedWork, *, owner: str, seconds: int | None = None, now: datetime | None = None
) -> bool:
    """Push the lease further for long work. False if the lease was lost meanwhile."""
    now = now or timezone.now()
    seconds = seconds if seconds is not None else obj.lease_seconds
    expires = now + timedelta(seconds=seconds)
    ok = _held(obj, owner).update(lease_expires_at=expires) == 1
    if ok:
        obj.lease_expires_at = expires
    return ok


def lease_complete(obj: LeasedWork, *, owner: str, **fields: Any) -> bool:
    """Mark the unit done (and save `fields` with it) if `owner` still holds it.

    Returns False when the lease was lost (it expired and another claimer took the row): the
    caller's work may then be done twice, which is why work must be idempotent and leases long.
    Call it in the same transaction as the work's own writes where possible.
    """
    updates = {
        "state": WorkState.DONE,
        "lease_owner": "",
        "lease_expires_at": None,
        "last_error": "",
        **fields,
    }
    ok = _held(obj, owner).filter(state=WorkState.RUNNING).update(**updates) == 1
    if ok:
        for name, value in updates.items():
            setattr(obj, name, value)
    return ok


def retry_delay(
    attempts: int, *, base_seconds: int = 60, cap_seconds: int = 6 * 60 * 60
) -> timedelta:
    """Exponential back-off with jitter: after attempt n, wait between half and all of
    base·2^(n-1), never more than the cap. Jitter spreads retries of a common failure
    (the SMTP server was down) so they do not return all at once."""
    ceiling = min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))


def lease_fail(
    obj: LeasedWork,
    *,
    owner: str,
    error: str,
    retry_in: timedelta | None = None,
    permanent: bool = False,
    now: datetime | None = None,
) -> WorkState | None:
    """Record a failed attempt. The unit goes back to pending after `retry_in` (default: the
    model's back-off), or to failed when `permanent` or out of attempts. Returns the new state,
    or None if `owner` no longer held the lease."""
    now = now or timezone.now()
    model = type(obj)
    attempts = model._base_manager.filter(pk=obj.pk).values_list("attempts", flat=True).first() or 0
    if permanent or attempts >= obj.max_attempts:
        state = WorkState.FAILED
        next_at = now
    else:
        state = WorkState.PENDING
        delay = retry_in or retry_delay(
            attempts, base_seconds=obj.retry_base_seconds, cap_seconds=obj.retry_cap_seconds
        )
        next_at = now + delay
    updates = {
        "state": state,
        "next_attempt_at": next_at,
        "dispatched_at": None,
        "lease_owner": "",
        "lease_expires_at": None,
        "last_error": error[:10_000],
    }
    if _held(obj, owner).filter(state=WorkState.RUNNING).update(**updates) != 1:
        return None
    for name, value in updates.items():
        setattr(obj, name, value)
    obj.attempts = attempts
    return state


def lease_dispatched(queryset: models.QuerySet, *, now: datetime | None = None) -> int:
    """Note that a task was enqueued for these rows, so the sweeper leaves them alone for
    `redispatch_after_seconds`. Services call it when they enqueue new work."""
    return queryset.update(dispatched_at=now or timezone.now())


def lease_sweep(
    queryset: models.QuerySet,
    *,
    enqueue: Callable[[Any], Any],
    now: datetime | None = None,
    limit: int = 500,
) -> int:
    """Repair and re-enqueue the work in `queryset` (one `LeasedWork` model); return how many
    tasks were enqueued.

    1. Running rows whose lease expired (their worker died) go back to pending, or to failed
       when they used all their attempts.
    2. Pending rows that are due and were not dispatched recently get `enqueue(pk)` called,
       marked dispatched by a conditional UPDATE so two sweepers do not both enqueue them.
    """
    model = queryset.model
    now = now or timezone.now()
    expired = queryset.filter(state=WorkState.RUNNING, lease_expires_at__lte=now)
    expired.filter(attempts__gte=model.max_attempts).update(
        state=WorkState.FAILED,
        lease_owner="",
        lease_expires_at=None,
        last_error="The lease expired on the last attempt (worker stopped or too slow).",
    )
    expired.filter(attempts__lt=model.max_attempts).update(
        state=WorkState.PENDING,
        next_attempt_at=now,
        dispatched_at=None,
        lease_owner="",
        lease_expires_at=None,
        last_error="The lease expired (worker stopped or too slow).",
    )
    stale = now - timedelta(seconds=model.redispatch_after_seconds)
    undispatched = Q(dispatched_at__isnull=True) | Q(dispatched_at__lte=stale)
    due = queryset.filter(undispatched, state=WorkState.PENDING, next_attempt_at__lte=now)
    ids: Iterable[Any] = list(
        due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )
    enqueued = 0
    for pk in ids:
        taken = model._base_manager.filter(undispatched, pk=pk, state=WorkState.PENDING).update(
            dispatched_at=now
        )
        if taken:
            enqueue(pk)
            enqueued += 1
    return enqueued
