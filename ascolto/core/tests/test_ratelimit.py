"""Rate limits (test plan S17): the counter, in the database and in Redis, and the 429s.

The Redis tests use database 6 of the Redis at ASCOLTO_TEST_REDIS_URL
(redis://127.0.0.1:6379/6 by default) and remove the rate-limit keys there before and after.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from django.test import Client

from ascolto.core.models import RateCounter
from ascolto.core.ratelimit import Limit, rate_counters_sweep, rate_limit_hit, rate_limit_undo
from ascolto.workspaces.services import LOGIN_ATTEMPTS_PER_CLIENT

REDIS_URL = os.environ.get("ASCOLTO_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture(params=["database", "redis"])
def backend(request, settings):
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        client.ping()  # a Redis that is not there fails the test: it is part of the set-up
        for key in client.scan_iter("ascolto:rl:*"):  # counters of an earlier run
            client.delete(key)
        settings.RATE_LIMIT_REDIS_URL = REDIS_URL
        yield request.param
        for key in client.scan_iter("ascolto:rl:*"):
            client.delete(key)
    else:
        settings.RATE_LIMIT_REDIS_URL = ""
        yield request.param


@pytest.mark.django_db
def test_cap_then_refused_with_the_time_left(backend, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC), tick=False)
    limit = Limit(f"test-cap-{backend}", 3, 60)
    decisions = [rate_limit_hit(limit, "10.0.0.1") for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert decisions[3].retry_after == 50
    # Another key has its own count.
    assert rate_limit_hit(limit, "10.0.0.2").allowed
    # The next window starts from zero.
    time_machine.move_to(datetime(2026, 3, 2, 9, 1, 0, tzinfo=UTC), tick=False)
    assert rate_limit_hit(limit, "10.0.0.1").allowed


@pytest.mark.django_db
def test_undo_gives_back_one_hit_never_below_zero(backend):
    limit = Limit(f"test-undo-{backend}", 2, 3600)
    rate_limit_undo(limit, "a")  # nothing counted yet: stays at zero
    assert rate_limit_hit(limit, "a").allowed
    assert rate_limit_hit(limit, "a").allowed
    assert not rate_limit_hit(limit, "a").allowed
    rate_limit_undo(limit, "a")
    assert rate_limit_hit(limit, "a").allowed
    assert not rate_limit_hit(limit, "a").allowed


@pytest.mark.django_db
def test_database_counter_stores_no_key_and_is_swept(settings, time_machine):
    settings.RATE_LIMIT_REDIS_URL = ""
    time_machine.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False)
    rate_limit_hit(Limit("test-sweep", 5, 60), "mario.rossi@example.com")
    row = RateCounter.objects.get()
    assert "mario" not in row.key and row.hits == 1
    time_machine.move_to(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), tick=False)
    assert rate_counters_sweep() == 1


@pytest.mark.django_db
def test_login_attempts_per_address_answer_429_with_retry_after(backend):
    client = Client()
    for n in range(LOGIN_ATTEMPTS_PER_CLIENT.count):
        # Different names, so the lockout of one account is not what stops them.
        response = client.post("/account/login/", {"username": f"u{n}", "password": "x"})
        assert response.status_code == 200
    response = client.post("/account/login/", {"username": "last", "password": "x"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= LOGIN_ATTEMPTS_PER_CLIENT.seconds
    assert "Troppi tentativi" in response.content.decode()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post("/account/login/", {"username": "x", "password": "x"}).status_code == 200


@pytest.mark.django_db
def test_reset_requests_per_address_answer_429(backend):
    from ascolto.workspaces.services import PASSWORD_RESET_REQUESTS_PER_CLIENT

    client = Client()
    for n in range(PASSWORD_RESET_REQUESTS_PER_CLIENT.count):
        response = client.post("/account/password-reset/", {"email": f"p{n}@example.com"})
        assert response.status_code == 302
    response = client.post("/account/password-reset/", {"email": "last@example.com"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
