"""Every hook list of every app, as filled at start-up: each registered function takes the
list's arguments; and core's own: /health/'s app checks and the worker's declared loops."""

from __future__ import annotations

import importlib
import inspect
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from ascolto.core import hooks
from ascolto.core.jobs import worker_loops
from ascolto.core.testing import run_pending_tasks
from ascolto.lib.hooks import Hooks


def _hook_lists() -> list[Hooks]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ascolto."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.hooks")
        except ModuleNotFoundError:
            continue
        found += [value for value in vars(module).values() if isinstance(value, Hooks)]
    return found


def test_every_registered_hook_takes_its_list_s_arguments():
    lists = _hook_lists()
    assert {h.name for h in lists} >= {
        "background_checks",
        "workspace_created",
        "interaction_saved",
        "staff_signal_recorded",
        "interaction_measures",
        "survey_answer_texts_saved",
        "cadence_quiet_customers",
        "detractor_answered",
        "crises_opened",
        "crises_closed",
    }
    for hook_list in lists:
        assert len(hook_list) > 0, f"nothing fills {hook_list.name}"
        for function in hook_list:
            signature = inspect.signature(function)
            try:
                signature.bind(**dict.fromkeys(hook_list.arguments))
            except TypeError as exc:
                pytest.fail(f"{function.__qualname__} cannot take {hook_list.arguments}: {exc}")


@pytest.mark.django_db
def test_an_app_s_background_check_reaches_health(client, settings):
    settings.SCHEDULE_MODULE = "ascolto.core.tests.schedule_for_tests"
    settings.HEALTH_STALE_MINUTES = 10
    seen = []

    def check(*, now, limit):
        seen.append(now - limit)
        return ["Cases are waiting."]

    hooks.background_checks.register(check)
    try:
        response = client.get("/health/")
    finally:
        hooks.background_checks.unregister(check)
    assert response.status_code == 503
    assert response.json()["problems"] == ["Cases are waiting."]
    assert seen == [timedelta(minutes=10)]
    assert client.get("/health/").status_code == 200


def test_the_schedule_declares_the_worker_s_loops():
    [loop] = worker_loops()
    assert loop.name == "submissions"
    assert callable(loop.function) and callable(loop.batch_function)
    assert list(inspect.signature(loop.function).parameters)[0] == "stop"


_batches: list[str] = []


def record_batch() -> None:
    _batches.append("ran")


@pytest.mark.django_db
def test_run_pending_tasks_does_the_loops_work_first(settings):
    """The tests' worker does what the real one's threads do, through the same declaration."""
    settings.SCHEDULE_MODULE = "ascolto.core.tests.schedule_with_loops"
    _batches.clear()
    assert run_pending_tasks(now=timezone.now()) == 0
    assert _batches == ["ran"]
