"""Every writing service of promises that a member calls, called directly as the wrong member:
refused, nothing changed (see ascolto/workspaces/tests/guards.py and docs/tenancy.md). Checks,
crises opening and their alerts are the system's and take no member."""

from __future__ import annotations

import inspect
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.lib.updates import UnknownFields
from ascolto.promises import services
from ascolto.promises.models import Crisis, PromiseCheck
from ascolto.workspaces.models import Role
from ascolto.workspaces.tests.guards import Row, check_row, database_snapshot, row_ids


def _promise_fields(workspace, **fields):
    return {
        "name_it": "Intervento entro 24 ore",
        "wording_it": "Un tecnico da lei entro 24 ore",
        "dimension": "timeliness",
        "touchpoint": Touchpoint.objects.get(workspace=workspace, code="intervento"),
        "target_type": "duration",
        "start_moment": "requested_at",
        "end_moment": "started_at",
        "limit": 24,
        "unit": "hours",
        **fields,
    }


@pytest.fixture
def world(workspace_a, alice, bob):
    promise = services.promise_create(
        workspace=workspace_a, by=alice, **_promise_fields(workspace_a)
    )
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    asked = timezone.now() - timedelta(days=2)
    touchpoint = promise.touchpoint
    late = interaction_record(
        customer=customer,
        by=bob,
        touchpoint=touchpoint,
        occurred_at=asked,
        requested_at=asked,
        started_at=asked + timedelta(hours=30),
    )
    waiting = interaction_record(
        customer=customer, by=bob, touchpoint=touchpoint, occurred_at=asked, requested_at=asked
    )
    prospect = CustomerFactory(workspace=workspace_a, status=Customer.Status.PROSPECT)
    need = services.expectation_create(
        customer=prospect, by=bob, text="Entro un giorno", dimension="timeliness",
        target_type="duration", limit=48, unit="hours", touchpoint=touchpoint,
    )  # fmt: skip
    broken = PromiseCheck.objects.get(interaction=late)
    crisis = Crisis.objects.get(promise_check=broken)
    services.crisis_step_tick(crisis=crisis, step="apologise", by=bob)
    return SimpleNamespace(
        workspace=workspace_a,
        promise=promise,
        customer=customer,
        prospect=prospect,
        need=need,
        broken=broken,
        waiting=PromiseCheck.objects.get(interaction=waiting),
        crisis=crisis,
    )


def test_world_is_what_the_rows_expect(world):
    assert world.broken.outcome == "broken" and world.crisis.is_open
    assert world.waiting.outcome == "not_measurable"


ROWS: list[Row] = [
    (
        "promise_create",
        Role.MANAGER,
        lambda w, by: services.promise_create(
            workspace=w.workspace, by=by, **_promise_fields(w.workspace, name_it="Altra")
        ),
    ),
    (
        "promise_update",
        Role.MANAGER,
        lambda w, by: services.promise_update(promise=w.promise, by=by, limit=48, unit="hours"),
    ),
    (
        "promise_update (deactivate)",
        Role.MANAGER,
        lambda w, by: services.promise_update(promise=w.promise, by=by, active=False),
    ),
    (
        "promise_check_set overriding a broken check",
        Role.MANAGER,
        lambda w, by: services.promise_check_set(check=w.broken, by=by, outcome="kept"),
    ),
    (
        "promise_check_set of a check nothing measured",
        Role.AGENT,
        lambda w, by: services.promise_check_set(check=w.waiting, by=by, outcome="kept"),
    ),
    (
        "crisis_step_tick",
        Role.AGENT,
        lambda w, by: services.crisis_step_tick(crisis=w.crisis, step="call", by=by),
    ),
    (
        "crisis_step_untick",
        Role.AGENT,
        lambda w, by: services.crisis_step_untick(crisis=w.crisis, step="apologise", by=by),
    ),
    (
        "crisis_close",
        Role.MANAGER,
        lambda w, by: services.crisis_close(crisis=w.crisis, by=by, note="Sconto offerto"),
    ),
    (
        "expectation_create",
        Role.AGENT,
        lambda w, by: services.expectation_create(
            customer=w.prospect, by=by, text="Gentilezza", dimension="courtesy", target_type="flag"
        ),
    ),
    (
        "expectation_delete",
        Role.MANAGER,
        lambda w, by: services.expectation_delete(expectation=w.need, by=by),
    ),
    (
        "customer_convert",
        Role.AGENT,
        lambda w, by: services.customer_convert(customer=w.prospect, by=by),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), ROWS, ids=row_ids(ROWS))
def test_refused_below_the_role_and_from_another_workspace(request, world, name, role, call):
    check_row(request, world, role, call)


def test_an_override_is_judged_on_the_stored_outcome(world, bob):
    """The object in hand may say "not measurable"; the database says "broken": refused."""
    world.broken.outcome = PromiseCheck.Outcome.NOT_MEASURABLE
    with pytest.raises(PermissionDenied):
        services.promise_check_set(check=world.broken, by=bob, outcome="kept")
    assert PromiseCheck.objects.get(pk=world.broken.pk).outcome == "broken"


UNKNOWN: list[Row] = [
    (
        "promise_create",
        Role.MANAGER,
        lambda w, by: services.promise_create(
            workspace=w.workspace, by=by, **_promise_fields(w.workspace, created_at=None)
        ),
    ),
    (
        "promise_update",
        Role.MANAGER,
        lambda w, by: services.promise_update(promise=w.promise, by=by, limit=1, workspace=None),
    ),
    (
        "expectation_create",
        Role.AGENT,
        lambda w, by: services.expectation_create(
            customer=w.prospect,
            by=by,
            text="X",
            dimension="courtesy",
            target_type="flag",
            customer_id=1,
        ),
    ),  # fmt: skip
]


@pytest.mark.parametrize(("name", "role", "call"), UNKNOWN, ids=row_ids(UNKNOWN))
def test_unknown_fields_are_refused_not_dropped(request, world, name, role, call):
    member = request.getfixturevalue({"agent": "bob", "manager": "carol"}[role])
    before = database_snapshot()
    with pytest.raises(UnknownFields):
        call(world, member)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "service",
    [
        services.promise_checks_for_interaction,
        services.promise_recheck,
        services.promise_checks_run,
        services.crisis_open,
        services.crisis_reopen,
    ],
)
def test_the_systems_services_take_no_member(service):
    assert "by" not in inspect.signature(service).parameters
