"""Periodic job definitions and their periods, and the worker's extra loops (the tables
themselves are in `ascolto/schedule.py`)."""

from __future__ import annotations

import calendar
import importlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class Job:
    """One periodic job. Give exactly one of `every`, `daily` ("HH:MM") or `monthly`
    ((day, "HH:MM"); a day past the month's end means its last day). Times are in the server
    `TIME_ZONE`. `inline` jobs run inside the scheduler process; the others are enqueued on
    `queue` and run by a worker."""

    name: str
    func: str
    every: timedelta | None = None
    daily: str | None = None
    monthly: tuple[int, str] | None = None
    inline: bool = False
    queue: str = "default"
    fan_out: str | None = None
    """Dotted path of `func(*, now) -> list[int]`: the workspaces the job works for. The
    period's run then only creates one run per workspace (`<period>@w<id>`), each leased and
    run by a worker on its own, calling the job's function with `workspace_id=`; a large
    workspace does not hold up the others, and the runs spread over every worker."""

    def __post_init__(self) -> None:
        given = [x for x in (self.every, self.daily, self.monthly) if x is not None]
        if len(given) != 1:
            raise ValueError(f"Job {self.name!r}: give exactly one of every, daily, monthly")
        if self.every is not None and self.every < timedelta(minutes=1):
            raise ValueError(f"Job {self.name!r}: every must be at least one minute")
        if self.daily is not None:
            _parse_hhmm(self.daily)
        if self.monthly is not None:
            day, at = self.monthly
            if not 1 <= day <= 31:
                raise ValueError(f"Job {self.name!r}: monthly day must be 1-31")
            _parse_hhmm(at)

    @property
    def function(self) -> Callable[..., Any]:
        return import_string(self.func)

    @property
    def fan_out_function(self) -> Callable[..., list[int]] | None:
        return import_string(self.fan_out) if self.fan_out else None

    def latest_period(self, now: datetime) -> tuple[str, datetime]:
        """The period that started most recently at or before `now`: (key, start)."""
        if self.every is not None:
            slots = (now - _EPOCH) // self.every
            start = _EPOCH + slots * self.every
            return start.strftime("%Y-%m-%dT%H:%MZ"), start
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local_now = now.astimezone(tz)
        if self.daily is not None:
            at = _parse_hhmm(self.daily)
            day = local_now.date()
            start = datetime.combine(day, at, tzinfo=tz)
            if start > now:
                day -= timedelta(days=1)
                start = datetime.combine(day, at, tzinfo=tz)
            return day.isoformat(), start.astimezone(UTC)
        assert self.monthly is not None
        wanted_day, hhmm = self.monthly
        at = _parse_hhmm(hhmm)
        year, month = local_now.year, local_now.month
        start = _monthly_start(year, month, wanted_day, at, tz)
        if start > now:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            start = _monthly_start(year, month, wanted_day, at, tz)
        return f"{year:04d}-{month:02d}", start.astimezone(UTC)


@dataclass(frozen=True)
class WorkerLoop:
    """Work `ascolto worker` does beside its tasks, each in a thread of its own.

    `func` (a dotted path) is called as `func(stop)` and runs until the `threading.Event`
    `stop` is set, then returns (the worker waits up to 30 seconds for it on shutdown).
    `batch` (a dotted path) is called with no arguments and does the same work once, until
    none is left: `ascolto worker --batch` and the tests' `run_pending_tasks()` call it."""

    name: str
    func: str
    batch: str

    @property
    def function(self) -> Callable[..., Any]:
        return import_string(self.func)

    @property
    def fan_out_function(self) -> Callable[..., list[int]] | None:
        return import_string(self.fan_out) if self.fan_out else None

    @property
    def batch_function(self) -> Callable[[], Any]:
        return import_string(self.batch)


def _monthly_start(year: int, month: int, day: int, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    last = calendar.monthrange(year, month)[1]
    return datetime.combine(date(year, month, min(day, last)), at, tzinfo=tz)


def _schedule_module():
    return importlib.import_module(getattr(settings, "SCHEDULE_MODULE", "ascolto.schedule"))


def jobs() -> list[Job]:
    return list(_schedule_module().JOBS)


def job_get(name: str) -> Job | None:
    return next((job for job in jobs() if job.name == name), None)


def sweepers() -> list[str]:
    return list(_schedule_module().SWEEPERS)


def worker_loops() -> list[WorkerLoop]:
    """The schedule's `WORKER_LOOPS` (none when it declares none)."""
    return list(getattr(_schedule_module(), "WORKER_LOOPS", []))
