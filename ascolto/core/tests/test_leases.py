"""Leased work: claims by conditional UPDATE, expiry, back-off and the sweeper.

Uses `ScheduledRun`, the core model built on `LeasedWork`. Concurrency between real processes is
in test_leases_concurrency.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ascolto.core.leases import (
    WorkState,
    lease_claim,
    lease_claim_one,
    lease_complete,
    lease_extend,
    lease_fail,
    lease_sweep,
    retry_delay,
)
from ascolto.core.models import ScheduledRun

pytestmark = pytest.mark.django_db


def make_runs(n: int, **fields) -> list[ScheduledRun]:
    now = timezone.now()
    return [
        ScheduledRun.objects.create(job="probe", period_key=f"p{i}", scheduled_for=now, **fields)
        for i in range(n)
    ]


def test_two_claimers_get_disjoint_rows_and_nothing_is_left_over():
    runs = make_runs(5)
    first = lease_claim(ScheduledRun.objects.all(), owner="w1", limit=3)
    second = lease_claim(ScheduledRun.objects.all(), owner="w2", limit=3)
    third = lease_claim(ScheduledRun.objects.all(), owner="w3", limit=3)
    assert len(first) == 3
    assert len(second) == 2
    assert third == []
    assert sorted(first + second) == sorted(r.pk for r in runs)
    claimed = ScheduledRun.objects.get(pk=first[0])
    assert claimed.state == WorkState.RUNNING
    assert claimed.lease_owner == "w1"
    assert claimed.attempts == 1


def test_live_lease_is_not_reclaimable_but_expired_lease_is():
    [run] = make_runs(1)
    now = timezone.now()
    assert lease_claim_one(ScheduledRun, run.pk, owner="w1", lease_seconds=60, now=now)
    assert (
        lease_claim_one(ScheduledRun, run.pk, owner="w2", now=now + timedelta(seconds=59)) is None
    )
    again = lease_claim_one(ScheduledRun, run.pk, owner="w2", now=now + timedelta(seconds=61))
    assert again is not None
    assert again.lease_owner == "w2"
    assert again.attempts == 2
    # The first owner lost the lease: it can neither complete nor fail the unit any more.
    assert lease_complete(run, owner="w1") is False
    assert lease_fail(run, owner="w1", error="late") is None
    assert lease_complete(again, owner="w2") is True
    assert ScheduledRun.objects.get(pk=run.pk).state == WorkState.DONE


def test_done_and_not_yet_due_rows_are_not_claimed():
    done, later, due = make_runs(3)
    ScheduledRun.objects.filter(pk=done.pk).update(state=WorkState.DONE)
    ScheduledRun.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert lease_claim(ScheduledRun.objects.all(), owner="w", limit=10) == [due.pk]


def test_complete_saves_extra_fields_and_clears_the_lease():
    [run] = make_runs(1)
    claimed = lease_claim_one(ScheduledRun, run.pk, owner="w")
    finished = timezone.now()
    assert lease_complete(claimed, owner="w", finished_at=finished)
    stored = ScheduledRun.objects.get(pk=run.pk)
    assert (stored.state, stored.lease_owner, stored.lease_expires_at) == ("done", "", None)
    assert stored.finished_at == finished


def test_extend_keeps_the_unit_from_being_reclaimed():
    [run] = make_runs(1)
    now = timezone.now()
    claimed = lease_claim_one(ScheduledRun, run.pk, owner="w", lease_seconds=60, now=now)
    assert lease_extend(claimed, owner="w", seconds=600, now=now + timedelta(seconds=50))
    assert (
        lease_claim_one(ScheduledRun, run.pk, owner="x", now=now + timedelta(seconds=120)) is None
    )
    assert lease_extend(claimed, owner="someone-else", seconds=600) is False


@pytest.mark.parametrize(
    ("attempts", "ceiling"), [(1, 60), (2, 120), (3, 240), (6, 1920), (20, 6 * 3600)]
)
def test_retry_delay_doubles_with_jitter_up_to_the_cap(attempts, ceiling):
    delays = {retry_delay(attempts).total_seconds() for _ in range(50)}
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(delays) > 1  # jittered, not a fixed value


def test_failure_backs_off_then_fails_for_good_after_max_attempts():
    [run] = make_runs(1)
    now = timezone.now()
    schedule = []
    for attempt in range(1, ScheduledRun.max_attempts + 1):
        claimed = lease_claim_one(ScheduledRun, run.pk, owner="w", now=now)
        assert claimed is not None, f"attempt {attempt} could not claim"
        assert claimed.attempts == attempt
        state = lease_fail(claimed, owner="w", error=f"boom {attempt}", now=now)
        stored = ScheduledRun.objects.get(pk=run.pk)
        schedule.append((state, (stored.next_attempt_at - now).total_seconds()))
        # The unit is not claimable again before its back-off has passed.
        assert lease_claim_one(ScheduledRun, run.pk, owner="w", now=now) is None
        now = stored.next_attempt_at
    states = [s for s, _ in schedule]
    assert states == [WorkState.PENDING] * (ScheduledRun.max_attempts - 1) + [WorkState.FAILED]
    waits = [w for _, w in schedule[:-1]]
    base = ScheduledRun.retry_base_seconds
    for n, wait in enumerate(waits, start=1):
        assert base * 2 ** (n - 1) / 2 <= wait <= base * 2 ** (n - 1)
    stored = ScheduledRun.objects.get(pk=run.pk)
    assert stored.last_error == f"boom {ScheduledRun.max_attempts}"
    assert lease_claim_one(ScheduledRun, run.pk, owner="w", now=now + timedelta(days=1)) is None


def test_permanent_failure_and_explicit_retry_in():
    a, b = make_runs(2)
    now = timezone.now()
    ca = lease_claim_one(ScheduledRun, a.pk, owner="w", now=now)
    assert lease_fail(ca, owner="w", error="bad address", permanent=True) == WorkState.FAILED
    cb = lease_claim_one(ScheduledRun, b.pk, owner="w", now=now)
    lease_fail(cb, owner="w", error="busy", retry_in=timedelta(seconds=7), now=now)
    assert ScheduledRun.objects.get(pk=b.pk).next_attempt_at == now + timedelta(seconds=7)


def test_sweep_requeues_expired_and_undispatched_work_once():
    expired, pending, fresh, exhausted = make_runs(4)
    now = timezone.now()
    lease_claim_one(ScheduledRun, expired.pk, owner="dead", lease_seconds=10, now=now)
    ScheduledRun.objects.filter(pk=fresh.pk).update(dispatched_at=now)
    ScheduledRun.objects.filter(pk=exhausted.pk).update(
        state=WorkState.RUNNING,
        attempts=ScheduledRun.max_attempts,
        lease_owner="dead",
        lease_expires_at=now,
    )
    later = now + timedelta(seconds=11)
    enqueued: list[int] = []
    assert lease_sweep(ScheduledRun.objects.all(), enqueue=enqueued.append, now=later) == 2
    assert sorted(enqueued) == sorted([expired.pk, pending.pk])
    assert ScheduledRun.objects.get(pk=expired.pk).state == WorkState.PENDING
    assert ScheduledRun.objects.get(pk=exhausted.pk).state == WorkState.FAILED
    # A second sweep right after finds them dispatched and enqueues nothing more...
    assert lease_sweep(ScheduledRun.objects.all(), enqueue=enqueued.append, now=later) == 0
    # ...until the dispatch went stale without anyone claiming the unit.
    stale = later + timedelta(seconds=ScheduledRun.redispatch_after_seconds)
    assert lease_sweep(ScheduledRun.objects.all(), enqueue=enqueued.append, now=stale) == 3
