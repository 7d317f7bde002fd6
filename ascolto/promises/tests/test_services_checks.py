"""Checks, crises and their alerts: exactly one alert per broken check, none on recomputation,
real emails, quiet crises for old history found by a recheck, and staff corrections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ascolto.core.testing import run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record, interaction_update
from ascolto.notifications.models import Notification
from ascolto.promises.models import Crisis, PromiseCheck
from ascolto.promises.services import (
    RECENT_FOR_ALERT,
    crisis_close,
    crisis_step_tick,
    crisis_step_untick,
    promise_check_set,
    promise_checks_run,
    promise_create,
    promise_recheck,
    promise_update,
)

pytestmark = pytest.mark.django_db


def alerts() -> int:
    return Notification.objects.filter(kind="broken_promise").count()


def _touchpoint(workspace, code="intervento") -> Touchpoint:
    return Touchpoint.objects.get(workspace=workspace, code=code)


def make_promise(workspace, by, **fields):
    values = {
        "name_it": "Intervento entro 24 ore",
        "wording_it": "Un tecnico da lei entro 24 ore",
        "dimension": "timeliness",
        "touchpoint": _touchpoint(workspace),
        "target_type": "duration",
        "start_moment": "requested_at",
        "end_moment": "started_at",
        "limit": 24,
        "unit": "hours",
    }
    values.update(fields)
    return promise_create(workspace=workspace, by=by, **values)


def late_visit(customer, by, *, hours=30, asked=None, **fields):
    asked = asked or timezone.now() - timedelta(days=2)
    return interaction_record(
        customer=customer,
        by=by,
        touchpoint=_touchpoint(customer.workspace),
        occurred_at=asked,
        requested_at=asked,
        started_at=asked + timedelta(hours=hours),
        **fields,
    )


def test_broken_check_raises_exactly_one_alert_per_recipient_and_recomputation_none(
    workspace_a, alice, bob, carol
):
    """GIVEN a 24 h promise WHEN a visit comes after 30 h THEN one crisis and one alert for each
    owner/manager/account owner; running the checks twice, or saving the interaction unchanged,
    raises no further alert."""
    make_promise(workspace_a, alice)
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    visit = late_visit(customer, bob)
    check = PromiseCheck.objects.get(interaction=visit)
    assert check.outcome == "broken"
    assert Crisis.objects.filter(promise_check=check).count() == 1
    assert alerts() == 3  # alice (owner), carol (manager), bob (account owner)

    first = promise_checks_run(workspace=workspace_a)
    second = promise_checks_run(workspace=workspace_a)
    assert first.alerts_raised == second.alerts_raised == 0
    interaction_update(interaction=visit, by=bob)
    interaction_update(interaction=visit, by=bob, text=visit.text)
    assert alerts() == 3
    assert Crisis.objects.count() == 1
    assert PromiseCheck.objects.count() == 1


def test_alert_emails_reach_the_smtp_server(
    workspace_a, alice, bob, smtp_server, django_capture_on_commit_callbacks
):
    """GIVEN a broken promise WHEN the queued emails are sent THEN the SMTP server receives one
    mail per recipient, linking to the crisis on the customer page."""
    make_promise(workspace_a, alice)
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob, name="Bar Centrale")
    with django_capture_on_commit_callbacks(execute=True):
        late_visit(customer, bob)
    run_pending_tasks()
    crisis = Crisis.objects.get()
    # The staff's alerts (the customer also gets the case's acknowledgement).
    staff = {alice.user.email, bob.user.email}
    to_staff = [m for m in smtp_server.messages if m["X-Envelope-To"] in staff]
    received = sorted(m["X-Envelope-To"] for m in to_staff)
    assert received == sorted(staff)
    body = smtp_server.text(to_staff[0])
    assert f"/customers/{customer.pk}/#crisis-{crisis.pk}" in body
    assert "Bar Centrale" in to_staff[0]["Subject"] + body

    run_pending_tasks()
    promise_checks_run(workspace=workspace_a)
    run_pending_tasks()
    assert len([m for m in smtp_server.messages if m["X-Envelope-To"] in staff]) == 2


def test_new_promise_rechecks_history_in_the_background_quietly_for_old_breaks(
    workspace_a, alice, bob, django_capture_on_commit_callbacks
):
    """GIVEN interactions recorded before the promise existed, one broken 30 days ago and one
    broken yesterday WHEN the promise is created THEN the background recheck stores their checks
    and opens both crises, but only yesterday's sounds the alert."""
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    now = timezone.now()
    old = late_visit(customer, bob, asked=now - timedelta(days=30))
    recent = late_visit(customer, bob, asked=now - timedelta(days=1, hours=6))
    fine = late_visit(customer, bob, hours=2, asked=now - timedelta(days=3))
    assert PromiseCheck.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        promise = make_promise(workspace_a, alice)
    assert PromiseCheck.objects.count() == 0  # not within the request
    assert run_pending_tasks() >= 1
    outcomes = dict(PromiseCheck.objects.values_list("interaction_id", "outcome"))
    assert outcomes == {old.pk: "broken", recent.pk: "broken", fine.pk: "kept"}
    assert set(Crisis.objects.values_list("promise_check__interaction_id", flat=True)) == {
        old.pk,
        recent.pk,
    }
    assert alerts() == 2  # yesterday's, for alice and bob; none for the one of 30 days ago
    assert set(
        Notification.objects.filter(kind="broken_promise").values_list("url", flat=True)
    ) == {
        f"/customers/{customer.pk}/#crisis-{Crisis.objects.get(promise_check__interaction=recent).pk}"
    }

    # Editing the promise rechecks again without new alerts; loosening it withdraws crises.
    with django_capture_on_commit_callbacks(execute=True):
        promise_update(promise=promise, by=alice, limit=48, unit="hours")
    run_pending_tasks()
    assert PromiseCheck.objects.filter(outcome="kept").count() == 3
    assert Crisis.objects.filter(closed_at__isnull=True).count() == 0
    assert alerts() == 2


def test_recheck_alerts_only_within_the_recent_window(workspace_a, alice, bob):
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    now = timezone.now()
    late_visit(customer, bob, asked=now - RECENT_FOR_ALERT - timedelta(days=1, hours=6))
    promise = make_promise(workspace_a, alice)
    tally = promise_recheck(promise=promise)
    assert (tally.broken, tally.alerts_raised) == (1, 0)
    assert Crisis.objects.filter(closed_at__isnull=True).count() == 1
    assert alerts() == 0
    assert promise_recheck(promise=promise).alerts_raised == 0


def test_recheck_is_limited_to_its_promise_and_touchpoint(workspace_a, alice, bob):
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    other = make_promise(
        workspace_a,
        alice,
        name_it="Consegna puntuale",
        touchpoint=_touchpoint(workspace_a, "consegna"),
    )
    visit = late_visit(customer, bob)
    promise = make_promise(workspace_a, alice)
    promise_recheck(promise=promise)
    assert list(PromiseCheck.objects.values_list("promise_id", "interaction_id")) == [
        (promise.pk, visit.pk)
    ]
    assert not PromiseCheck.objects.filter(promise=other).exists()


def test_segment_promise_checks_only_that_segment(workspace_a, alice, bob):
    vip = SegmentFactory(workspace=workspace_a)
    promise = make_promise(workspace_a, alice, segment=vip)
    late_visit(CustomerFactory(workspace=workspace_a), bob)
    in_segment = late_visit(CustomerFactory(workspace=workspace_a, segment=vip), bob)
    promise_recheck(promise=promise)
    assert list(PromiseCheck.objects.values_list("interaction_id", flat=True)) == [in_segment.pk]


def test_inactive_promise_is_not_rechecked(workspace_a, alice, bob):
    customer = CustomerFactory(workspace=workspace_a)
    promise = make_promise(workspace_a, alice)
    promise_update(promise=promise, by=alice, active=False)
    late_visit(customer, bob)
    assert promise_recheck(promise=promise).as_dict()["broken"] == 0
    assert PromiseCheck.objects.count() == 0


def test_staff_correction_to_broken_opens_a_crisis_with_one_alert_and_to_kept_withdraws_it(
    workspace_a, alice, bob
):
    """GIVEN a flag promise "the van was clean" waiting for staff WHEN bob marks it not kept THEN
    a crisis opens with one alert per recipient; marked kept THEN it is withdrawn; marked not
    kept again THEN it opens again with one more alert, and "set by bob" is recorded."""
    make_promise(
        workspace_a,
        alice,
        name_it="Furgone pulito",
        target_type="flag",
        start_moment="",
        end_moment="",
        limit=None,
        unit="",
    )
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    visit = late_visit(customer, bob, hours=1)
    check = PromiseCheck.objects.get(interaction=visit)
    assert (check.outcome, check.reason) == ("not_measurable", "waiting_staff")
    assert alerts() == 0

    promise_check_set(check=check, by=bob, outcome="broken")
    check.refresh_from_db()
    assert (check.manual, check.set_by_id, check.measured) == (True, bob.pk, 0.0)
    crisis = Crisis.objects.get(promise_check=check)
    assert crisis.is_open
    assert alerts() == 2
    promise_check_set(check=check, by=alice, outcome="broken")
    assert alerts() == 2
    # Once it has a result, only a manager or an owner changes it.
    with pytest.raises(PermissionDenied):
        promise_check_set(check=check, by=bob, outcome="kept")
    assert Crisis.objects.get(promise_check=check).is_open

    promise_check_set(check=check, by=alice, outcome="kept")
    crisis.refresh_from_db()
    assert crisis.withdrawn and crisis.closed_at is not None and crisis.closed_by_id == alice.pk

    promise_check_set(check=check, by=alice, outcome="broken")
    crisis.refresh_from_db()
    assert crisis.is_open and not crisis.withdrawn
    assert alerts() == 4
    # Automatic rechecks leave a staff decision alone.
    promise_checks_run(workspace=workspace_a)
    check.refresh_from_db()
    assert (check.outcome, check.manual) == ("broken", True)


def test_interaction_broken_again_after_a_fix_reopens_its_crisis(workspace_a, alice, bob):
    make_promise(workspace_a, alice)
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    visit = late_visit(customer, bob)
    assert alerts() == 2
    interaction_update(
        interaction=visit, by=bob, started_at=visit.requested_at + timedelta(hours=3)
    )
    crisis = Crisis.objects.get()
    assert crisis.withdrawn
    interaction_update(
        interaction=visit, by=bob, started_at=visit.requested_at + timedelta(hours=40)
    )
    crisis.refresh_from_db()
    assert crisis.is_open and not crisis.withdrawn
    assert alerts() == 4


def test_handled_crisis_stays_handled_on_recheck(workspace_a, alice, bob):
    make_promise(workspace_a, alice)
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    late_visit(customer, bob)
    crisis = Crisis.objects.get()
    crisis_step_tick(crisis=crisis, step="call", by=bob)
    crisis_step_tick(crisis=crisis, step="call", by=alice)  # ticked twice: one row, first wins
    assert list(crisis.steps.values_list("step", "done_by")) == [("call", bob.pk)]
    crisis_step_untick(crisis=crisis, step="call", by=bob)
    assert not crisis.steps.exists()
    with pytest.raises(PermissionDenied):  # agents tick the steps; managers close
        crisis_close(crisis=crisis, by=bob)
    crisis_close(crisis=crisis, by=alice, note="Sconto del 10% sulla prossima fattura")
    promise_checks_run(workspace=workspace_a)
    crisis.refresh_from_db()
    assert crisis.closed_at is not None and not crisis.withdrawn
    assert alerts() == 2


def test_threshold_measures_from_the_interaction(workspace_a, alice, bob):
    make_promise(
        workspace_a,
        alice,
        name_it="Consegna senza difetti",
        touchpoint=_touchpoint(workspace_a, "consegna"),
        target_type="threshold",
        start_moment="",
        end_moment="",
        measure="defects",
        comparison="at_most",
        limit=0,
        unit="",
    )
    customer = CustomerFactory(workspace=workspace_a)
    now = timezone.now()
    touchpoint = _touchpoint(workspace_a, "consegna")
    ok = interaction_record(
        customer=customer, by=bob, touchpoint=touchpoint, occurred_at=now, measures={"defects": 0}
    )
    bad = interaction_record(
        customer=customer, by=bob, touchpoint=touchpoint, occurred_at=now, measures={"defects": 2}
    )
    unknown = interaction_record(customer=customer, by=bob, touchpoint=touchpoint, occurred_at=now)
    outcomes = dict(PromiseCheck.objects.values_list("interaction_id", "outcome"))
    assert outcomes == {ok.pk: "kept", bad.pk: "broken", unknown.pk: "not_measurable"}
    assert Crisis.objects.get().promise_check.interaction_id == bad.pk
