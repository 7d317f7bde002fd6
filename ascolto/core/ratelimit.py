"""Rate limits shared by every process: a counter per (limit, key, window).

One mechanism for every limit (sign-in attempts per address, reset emails per address and per
requested account, survey answers per link and address, ...). The counter lives in the
database by default (a row per key and window, counted with a conditional UPDATE, so two web
workers or two servers cannot exceed the cap between them), or in Redis when ASCOLTO_REDIS_URL
is set (INCR and EXPIRE in one transaction). Never in a process's memory: with several gunicorn
workers a per-process count multiplies the cap by the number of workers.

Keys are stored only as a keyed hash (an address or an email never appears in the table or in
Redis). Windows are fixed: `Retry-After` is the time left until the window ends.

See docs/security.md.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ascolto.core.models import RateCounter

logger = logging.getLogger("ascolto.security")


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `seconds`-long window for one key."""

    name: str
    count: int
    seconds: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window ends (0 when allowed)
    hits: int  # hits counted in this window, this one included when allowed


def _window(limit: Limit, now: datetime) -> tuple[datetime, int]:
    epoch = int(now.timestamp())
    start = epoch - epoch % limit.seconds
    left = start + limit.seconds - epoch
    return datetime.fromtimestamp(start, tz=UTC), max(1, left)


def _key_hash(limit: Limit, key: str) -> str:
    return salted_hmac(f"ascolto.ratelimit.{limit.name}", key, algorithm="sha256").hexdigest()


@cache
def _redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _backend() -> str:
    return "redis" if getattr(settings, "RATE_LIMIT_REDIS_URL", "") else "database"


def rate_limit_hit(limit: Limit, key: str, *, now: datetime | None = None) -> Decision:
    """Count one hit for `key`; refused (and not counted) once the window's cap is reached."""
    now = now or timezone.now()
    window, left = _window(limit, now)
    hashed = _key_hash(limit, key)
    if _backend() == "redis":
        hits = _redis_hit(limit, hashed, window, left)
    else:
        hits = _database_hit(limit, hashed, window)
    if hits is None:
        logger.warning("rate limit reached: limit=%s key=%s", limit.name, hashed[:12])
        return Decision(False, left, limit.count)
    return Decision(True, 0, hits)


def rate_limit_undo(limit: Limit, key: str, *, now: datetime | None = None) -> None:
    """Give back one hit of the current window (an attempt that should not count, such as a
    survey answer that was refused as invalid). Never below zero."""
    now = now or timezone.now()
    window, _left = _window(limit, now)
    hashed = _key_hash(limit, key)
    if _backend() == "redis":
        client = _redis_client(settings.RATE_LIMIT_REDIS_URL)
        name = _redis_key(limit, hashed, window)
        client.eval(_REDIS_UNDO, 1, name)
        return
    RateCounter.objects.filter(
        limit=limit.name, key=hashed, window_start=window, hits__gt=0
    ).update(hits=F("hits") - 1)


def _database_hit(limit: Limit, hashed: str, window: datetime) -> int | None:
    rows = RateCounter.objects.filter(limit=limit.name, key=hashed, window_start=window)
    with transaction.atomic():
        if not rows.exists():
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        limit=limit.name, key=hashed, window_start=window, hits=0
                    )
            except IntegrityError:
                pass  # another process made the row first: count in it
        counted = rows.filter(hits__lt=limit.count).update(hits=F("hits") + 1)
        if not counted:
            return None
        return rows.values_list("hits", flat=True).get()


def _redis_key(limit: Limit, hashed: str, window: datetime) -> str:
    return f"ascolto:rl:{limit.name}:{hashed}:{int(window.timestamp())}"


# Count only while under the cap, so refused attempts do not push the count (and so the
# window) further: the same rule as the database's conditional UPDATE.
_REDIS_HIT = """
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits >= tonumber(ARGV[1]) then return -1 end
hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return hits
"""
_REDIS_UNDO = """
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _redis_hit(limit: Limit, hashed: str, window: datetime, left: int) -> int | None:
    client = _redis_client(settings.RATE_LIMIT_REDIS_URL)
    hits = int(client.eval(_REDIS_HIT, 1, _redis_key(limit, hashed, window), limit.count, left))
    return None if hits < 0 else hits


def rate_counters_sweep(*, now: datetime | None = None) -> int:
    """Forget database counters whose window ended more than a day ago."""
    now = now or timezone.now()
    deleted, _ = RateCounter.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    return deleted


def too_many_requests(request: HttpRequest, decision: Decision) -> HttpResponse:
    """The answer to a refused request: 429 with Retry-After and a page that says when."""
    minutes = max(1, math.ceil(decision.retry_after / 60))
    response = render(request, "rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response
