"""Helpers for the tests that call every writing service as the wrong member
(`<app>/tests/test_services_guard.py`).

A row of such a table is (name, role the service needs, call), where `call(world, by)` really
calls the service on objects of workspace A with `by` as the member acting. For each row the
table tests that the lowest role allowed succeeds (so the call itself is a valid one) and that
every member below that role, the owner of workspace B, and no member at all are refused with
PermissionDenied and change nothing in any table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from ascolto.workspaces.models import Role

# conftest personas: bob is an agent, carol a manager and alice the owner of workspace A;
# mallory owns workspace B.
ALLOWED = {Role.AGENT: "bob", Role.MANAGER: "carol", Role.OWNER: "alice"}
BELOW = {Role.AGENT: [], Role.MANAGER: ["bob"], Role.OWNER: ["bob", "carol"]}

Row = tuple[str, str, Callable[[Any, Any], Any]]


def database_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the project's models own (and the accounts'), in primary-key
    order: two snapshots are equal when nothing was written."""
    snapshot = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if not (model.__module__.startswith("ascolto.") or meta.label == "auth.User"):
            continue
        snapshot[meta.label] = list(model._base_manager.order_by("pk").values())
    return snapshot


def assert_refused(call: Callable[[], Any]) -> None:
    """`call()` raises PermissionDenied and no table changes."""
    before = database_snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert database_snapshot() == before


def refused_members(request: pytest.FixtureRequest, role: str) -> list[tuple[str, Any]]:
    """The members that must be refused a service needing `role`: each persona of workspace A
    below it, the owner of workspace B, and nobody (`None`)."""
    names = [*BELOW[role], "mallory"]
    return [(name, request.getfixturevalue(name)) for name in names] + [("nobody", None)]


def check_row(request: pytest.FixtureRequest, world: Any, role: str, call: Callable) -> None:
    """The whole contract of one row: refused for every wrong member, then allowed for the
    lowest role that may (which also proves the refused calls were valid ones)."""
    for name, member in refused_members(request, role):
        try:
            assert_refused(lambda member=member: call(world, member))
        except (AssertionError, pytest.fail.Exception) as error:  # say which member
            pytest.fail(f"{name} was not refused, or changed something: {error}")
    allowed = request.getfixturevalue(ALLOWED[role])
    call(world, allowed)


def row_ids(rows: list[Row]) -> list[str]:
    return [name for name, _role, _call in rows]
