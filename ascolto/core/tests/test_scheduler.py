"""The scheduler: one run per job and period, whoever ticks and however late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ascolto.core.leases import WorkState
from ascolto.core.models import ScheduledRun
from ascolto.core.services import scheduler_tick
from ascolto.core.sweep import housekeeping
from ascolto.core.testing import run_pending_tasks
from ascolto.core.tests import jobs_for_tests

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 10, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def test_schedule(settings):
    settings.SCHEDULE_MODULE = "ascolto.core.tests.schedule_for_tests"
    settings.TIME_ZONE = "Europe/Rome"
    jobs_for_tests.CALLS.clear()


def runs(job: str) -> list[ScheduledRun]:
    return list(ScheduledRun.objects.filter(job=job).order_by("created_at"))


def test_two_schedulers_ticking_the_same_period_run_each_job_once():
    first = scheduler_tick(now=T0, owner="scheduler-1")
    second = scheduler_tick(now=T0 + timedelta(seconds=20), owner="scheduler-2")
    assert {r.job for r in first.claimed} == {
        "sweeper",
        "record-inline",
        "record-queued",
        "explode",
    }
    assert second.claimed == []
    assert set(second.skipped) == {"sweeper", "record-inline", "record-queued", "explode"}
    assert [c[0] for c in jobs_for_tests.CALLS] == ["record"]  # the inline job, once
    run_pending_tasks()
    assert [c[0] for c in jobs_for_tests.CALLS] == ["record", "record", "explode"]
    assert ScheduledRun.objects.filter(job="record-queued").count() == 1


def test_after_two_days_down_each_job_runs_once_for_the_latest_period():
    scheduler_tick(now=T0)
    run_pending_tasks()
    jobs_for_tests.CALLS.clear()
    later = T0 + timedelta(days=2, minutes=7)
    result = scheduler_tick(now=later)
    run_pending_tasks()
    assert sorted(r.job for r in result.claimed) == ["record-inline", "record-queued", "sweeper"]
    assert len(runs("sweeper")) == 2
    assert [r.period_key for r in runs("record-inline")] == ["2026-05-04", "2026-05-06"]
    assert runs("record-queued")[-1].period_key == "2026-05-06T10:00Z"
    assert [c[0] for c in jobs_for_tests.CALLS] == ["record", "record"]
    assert all(c[1] == later for c in jobs_for_tests.CALLS)


def test_queued_job_is_run_by_a_worker_and_completed():
    scheduler_tick(now=T0)
    [run] = runs("record-queued")
    assert run.state == WorkState.PENDING
    assert DBTaskResult.objects.count() == 2  # record-queued and explode
    run_pending_tasks()
    run.refresh_from_db()
    assert run.state == WorkState.DONE
    assert run.finished_at is not None


def test_failing_job_backs_off_and_the_sweeper_retries_it_until_failed(time_machine):
    time_machine.move_to(T0, tick=False)
    scheduler_tick()
    run_pending_tasks()
    [run] = runs("explode")
    assert (run.state, run.attempts) == (WorkState.PENDING, 1)
    assert "job exploded" in run.last_error
    # The sweeper (inline, every minute) re-enqueues it once its back-off has passed.
    waits = []
    for _ in range(10):
        waits.append(run.next_attempt_at - timezone.now())
        time_machine.move_to(run.next_attempt_at + timedelta(seconds=1), tick=False)
        scheduler_tick()
        run_pending_tasks()
        run.refresh_from_db()
        if run.state == WorkState.FAILED:
            break
    assert run.state == WorkState.FAILED
    assert run.attempts == ScheduledRun.max_attempts
    assert [c[0] for c in jobs_for_tests.CALLS].count("explode") == ScheduledRun.max_attempts
    assert timedelta(seconds=30) <= waits[0] <= timedelta(seconds=60)
    assert timedelta(seconds=60) <= waits[1] <= timedelta(seconds=120)


def test_scheduler_once_command(capsys):
    call_command("scheduler", once=True, now="2026-05-04T12:00:30+02:00")
    out = capsys.readouterr().out
    assert "sweeper 2026-05-04T10:00Z" in out
    call_command("scheduler", "--once", "--now", "2026-05-04T12:00:40+02:00")
    assert ScheduledRun.objects.filter(job="sweeper").count() == 1
    with pytest.raises(CommandError):
        call_command("scheduler", once=True, now="yesterday")


def test_run_job_by_hand(capsys):
    call_command("run-job", "record-inline")
    assert [c[0] for c in jobs_for_tests.CALLS] == ["record"]
    [run] = runs("record-inline")
    assert run.period_key.startswith("manual:")
    assert run.state == WorkState.DONE
    with pytest.raises(CommandError, match="job exploded"):
        call_command("run-job", "explode")
    assert runs("explode")[0].state == WorkState.FAILED  # not retried by the sweeper
    with pytest.raises(CommandError, match="No job named"):
        call_command("run-job", "nope")


def test_housekeeping_forgets_old_finished_runs_only():
    scheduler_tick(now=T0)
    run_pending_tasks()
    ScheduledRun.objects.update(created_at=T0 - timedelta(days=15))
    counts = housekeeping(now=T0)
    assert counts["scheduled_runs"] == 3  # sweeper, record-inline, record-queued
    assert list(ScheduledRun.objects.values_list("job", "state")) == [("explode", "pending")]
