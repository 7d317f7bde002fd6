"""Cadence rules over simulated months: who is asked, when, and never too often."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import ContractFactory, CustomerFactory, SegmentFactory
from ascolto.feedback.models import CadenceRule, CadenceTrigger, Invitation
from ascolto.feedback.services import survey_invitation_create
from ascolto.feedback.services.cadence import (
    cadence_rule_create,
    cadence_rule_update,
    cadence_run,
    cadence_trigger_complaint_resolved,
)
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.services import interaction_record, interaction_update
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.promises.models import Crisis
from ascolto.promises.selectors import customer_ids_after_broken_promise
from ascolto.promises.services import crisis_close, promise_create

START = datetime.fromisoformat("2026-01-05T09:00:00+01:00")


def make_rule(workspace, by, survey, **fields) -> CadenceRule:
    fields.setdefault("name", "Regola")
    return cadence_rule_create(workspace=workspace, by=by, survey=survey, **fields)


def run_days(time_machine, days: int, start: datetime = START) -> None:
    """Run the job once a day (twice on the same moment, to prove it idempotent)."""
    for day in range(days):
        moment = start + timedelta(days=day)
        time_machine.move_to(moment, tick=False)
        cadence_run(now=moment)
        assert cadence_run(now=moment) == 0


def invitation_days(customer, survey=None) -> list[int]:
    qs = Invitation.objects.filter(customer=customer)
    if survey is not None:
        qs = qs.filter(survey=survey)
    return sorted((i.created_at - START).days for i in qs)


@pytest.fixture
def at_start(time_machine):
    time_machine.move_to(START, tick=False)
    return START


def test_each_customer_asked_on_schedule_and_only_eligible_ones(
    at_start, time_machine, workspace_a, alice, survey_a
):
    customers = [CustomerFactory(workspace=workspace_a) for _ in range(3)]
    prospect = CustomerFactory(workspace=workspace_a, status=Customer.Status.PROSPECT)
    lost = CustomerFactory(workspace=workspace_a, status=Customer.Status.LOST)
    no_email = CustomerFactory(workspace=workspace_a, email="")
    make_rule(workspace_a, alice, survey_a, every_days=90, fatigue_days=30)

    run_days(time_machine, 200)

    for customer in customers:
        assert invitation_days(customer) == [0, 90, 180]
    for customer in (prospect, lost, no_email):
        assert invitation_days(customer) == []


def test_never_twice_within_the_fatigue_window_across_surveys(
    at_start, time_machine, workspace_a, alice, survey_a
):
    other = SurveyFactory(workspace=workspace_a, by=alice, name="CSAT")
    customers = [CustomerFactory(workspace=workspace_a) for _ in range(4)]
    make_rule(workspace_a, alice, survey_a, every_days=20, fatigue_days=30)
    make_rule(workspace_a, alice, other, every_days=10, fatigue_days=45)

    run_days(time_machine, 180)

    for customer in customers:
        days = invitation_days(customer)
        assert len(days) >= 4
        gaps = [b - a for a, b in zip(days, days[1:], strict=False)]
        assert min(gaps) >= 30, days


def test_touchpoint_trigger_fires_once_after_completion(
    at_start, time_machine, workspace_a, alice, survey_a, customer_a
):
    intervento = workspace_a.touchpoints.get(code="intervento")
    make_rule(workspace_a, alice, survey_a, after_touchpoint=intervento, fatigue_days=30)
    job = InteractionFactory(
        customer=customer_a,
        touchpoint=intervento,
        scheduled_for=START + timedelta(days=1),
    )
    run_days(time_machine, 3)
    assert invitation_days(customer_a) == []  # scheduled, not done yet

    job.started_at = START + timedelta(days=3)
    job.completed_at = START + timedelta(days=3, hours=2)
    job.save()
    run_days(time_machine, 10, start=START + timedelta(days=3, hours=3))
    assert invitation_days(customer_a) == [3]
    trigger = CadenceTrigger.objects.get(source_key=str(job.pk))
    assert trigger.invitation.customer == customer_a

    # A second repair within the fatigue window is recorded, not asked, and never retried.
    second = InteractionFactory(
        customer=customer_a, touchpoint=intervento, occurred_at=START + timedelta(days=15)
    )
    run_days(time_machine, 30, start=START + timedelta(days=15, hours=1))
    assert invitation_days(customer_a) == [3]
    assert CadenceTrigger.objects.get(source_key=str(second.pk)).invitation is None

    third = InteractionFactory(
        customer=customer_a, touchpoint=intervento, occurred_at=START + timedelta(days=50)
    )
    run_days(time_machine, 5, start=START + timedelta(days=50, hours=1))
    assert invitation_days(customer_a) == [3, 50]
    assert CadenceTrigger.objects.filter(source_key=str(third.pk)).count() == 1


@pytest.mark.slow  # 420 simulated days, the cadence job run twice on each
def test_renewal_trigger_fires_once_per_renewal(
    at_start, time_machine, workspace_a, alice, survey_a, customer_a
):
    contract = ContractFactory(
        customer=customer_a, start_date=date(2025, 3, 1), renewal_date=date(2026, 3, 1)
    )
    make_rule(workspace_a, alice, survey_a, days_before_renewal=30, fatigue_days=30)

    run_days(time_machine, 120)
    asked = invitation_days(customer_a)
    assert asked == [(date(2026, 1, 30) - START.date()).days]

    # The contract is renewed for another year: the new renewal date asks once more.
    contract.renewal_date = date(2027, 3, 1)
    contract.save()
    run_days(time_machine, 300, start=START + timedelta(days=120))
    assert invitation_days(customer_a) == asked + [(date(2027, 1, 30) - START.date()).days]
    assert CadenceTrigger.objects.filter(source_kind="renewal").count() == 2


def test_no_periodic_survey_during_an_open_complaint(
    at_start, time_machine, workspace_a, alice, survey_a
):
    """GIVEN a customer whose complaint yesterday opened a case WHEN the cadence runs daily
    THEN they are asked only once the case is resolved (day 6), the others at once."""
    from ascolto.cases.models import Case
    from ascolto.cases.services import case_status_change

    complaining = CustomerFactory(workspace=workspace_a)
    delayed = CustomerFactory(workspace=workspace_a)
    calm = CustomerFactory(workspace=workspace_a)
    interaction_record(
        customer=complaining,
        by=alice,
        touchpoint=workspace_a.touchpoints.get(code="reclamo"),
        occurred_at=START - timedelta(days=1),
        text="Il noleggio non è arrivato",
    )
    # A delay alone is no broken promise: only the promises' checks decide that.
    InteractionFactory(
        customer=delayed,
        touchpoint=workspace_a.touchpoints.get(code="ritardo"),
        occurred_at=START - timedelta(days=2),
    )
    make_rule(workspace_a, alice, survey_a, every_days=90)

    run_days(time_machine, 6)
    case = Case.objects.get(customer=complaining)
    case_status_change(case=case, by=alice, status="resolved")
    run_days(time_machine, 14, start=START + timedelta(days=6))

    assert invitation_days(calm) == [0]
    assert invitation_days(delayed) == [0]
    assert invitation_days(complaining) == [6]  # once the case is resolved


def _late_repair(workspace, by, customer, *, hours: int):
    """Record a repair that started `hours` after the call, now (frozen time)."""
    touchpoint = workspace.touchpoints.get(code="intervento")
    asked = START - timedelta(hours=hours + 1)
    return interaction_record(
        customer=customer,
        by=by,
        touchpoint=touchpoint,
        requested_at=asked,
        started_at=asked + timedelta(hours=hours),
    )


def test_no_periodic_survey_while_a_broken_promise_is_open_nor_in_the_quiet_days(
    at_start, time_machine, workspace_a, alice, survey_a
):
    """GIVEN a promise "on site within 24 h" broken today for two customers (one crisis handled
    within the hour, one left open for ten days), a third whose siren was withdrawn and a calm
    one, WHEN the cadence runs every day THEN the open crisis holds the survey until it is
    handled, the handled one until the quiet days have passed, and the others are asked at
    once."""
    promise_create(
        workspace=workspace_a,
        by=alice,
        name_it="Intervento entro 24 ore",
        wording_it="Un tecnico entro 24 ore",
        dimension="timeliness",
        touchpoint=workspace_a.touchpoints.get(code="intervento"),
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=24,
        unit="hours",
    )
    left_open = CustomerFactory(workspace=workspace_a)
    handled = CustomerFactory(workspace=workspace_a)
    false_alarm = CustomerFactory(workspace=workspace_a)
    calm = CustomerFactory(workspace=workspace_a)
    _late_repair(workspace_a, alice, left_open, hours=50)
    _late_repair(workspace_a, alice, handled, hours=30)
    corrected = _late_repair(workspace_a, alice, false_alarm, hours=40)
    _late_repair(workspace_a, alice, calm, hours=3)
    assert Crisis.objects.filter(closed_at__isnull=True).count() == 3
    interaction_update(
        interaction=corrected, by=alice, started_at=corrected.requested_at + timedelta(hours=2)
    )
    assert Crisis.objects.get(customer=false_alarm).withdrawn
    time_machine.move_to(START + timedelta(minutes=40), tick=False)
    crisis_close(crisis=Crisis.objects.get(customer=handled), by=alice)
    make_rule(workspace_a, alice, survey_a, every_days=90)

    run_days(time_machine, 10, start=START + timedelta(hours=1))

    assert invitation_days(calm) == [0]
    assert invitation_days(false_alarm) == [0]
    assert invitation_days(handled) == [7]  # handled at once, then the quiet days
    assert invitation_days(left_open) == []  # still open after ten days

    later = START + timedelta(days=10, hours=2)
    time_machine.move_to(later, tick=False)
    crisis_close(crisis=Crisis.objects.get(customer=left_open), by=alice)
    run_days(time_machine, 5, start=later + timedelta(hours=1))

    assert invitation_days(left_open) == [10]
    assert invitation_days(handled) == [7]


def test_the_broken_promise_selector_is_a_subquery_of_this_workspace(
    at_start, workspace_a, workspace_b, alice, mallory
):
    """GIVEN open crises in two workspaces WHEN workspace A's suppression is read THEN it is one
    query of customer ids of workspace A only, judged at the moment given."""
    customers = {}
    for workspace, member in ((workspace_a, alice), (workspace_b, mallory)):
        promise_create(
            workspace=workspace,
            by=member,
            name_it="Intervento entro 24 ore",
            wording_it="Un tecnico entro 24 ore",
            dimension="timeliness",
            touchpoint=workspace.touchpoints.get(code="intervento"),
            target_type="duration",
            start_moment="requested_at",
            end_moment="started_at",
            limit=24,
            unit="hours",
        )
        customers[workspace.pk] = CustomerFactory(workspace=workspace)
        _late_repair(workspace, member, customers[workspace.pk], hours=30)

    ids = customer_ids_after_broken_promise(workspace=workspace_a, now=START)
    before = customer_ids_after_broken_promise(
        workspace=workspace_a, now=START - timedelta(minutes=1)
    )

    assert list(ids) == [{"customer_id": customers[workspace_a.pk].pk}]
    assert list(before) == []  # the crisis did not exist yet


def test_internal_customers_follow_their_own_rule(
    at_start, time_machine, workspace_a, alice, survey_a
):
    internal_survey = SurveyFactory(workspace=workspace_a, by=alice, name="Clienti interni")
    external = CustomerFactory(workspace=workspace_a)
    internal = CustomerFactory(workspace=workspace_a, kind=Customer.Kind.INTERNAL)
    make_rule(workspace_a, alice, survey_a, every_days=90)
    make_rule(
        workspace_a,
        alice,
        internal_survey,
        customer_kind=Customer.Kind.INTERNAL,
        every_days=30,
        fatigue_days=30,
    )

    run_days(time_machine, 100)

    assert invitation_days(external) == [0, 90]
    assert invitation_days(external, internal_survey) == []
    assert invitation_days(internal) == [0, 30, 60, 90]
    assert invitation_days(internal, survey_a) == []


def test_segment_limits_the_rule(at_start, time_machine, workspace_a, alice, survey_a):
    edilizia = SegmentFactory(workspace=workspace_a, name="Edilizia")
    inside = CustomerFactory(workspace=workspace_a, segment=edilizia)
    outside = CustomerFactory(workspace=workspace_a)
    make_rule(workspace_a, alice, survey_a, every_days=60, segment=edilizia)

    run_days(time_machine, 2)

    assert invitation_days(inside) == [0]
    assert invitation_days(outside) == []


def test_a_rule_in_one_workspace_never_invites_another_workspace(
    at_start, time_machine, workspace_a, workspace_b, alice, mallory, survey_a
):
    in_b = [CustomerFactory(workspace=workspace_b) for _ in range(3)]
    in_a = CustomerFactory(workspace=workspace_a)
    ContractFactory(customer=in_b[0], start_date=date(2025, 1, 1), renewal_date=date(2026, 1, 20))
    InteractionFactory(
        customer=in_b[1],
        touchpoint=workspace_b.touchpoints.get(code="intervento"),
        occurred_at=START,
    )
    make_rule(
        workspace_a,
        alice,
        survey_a,
        every_days=30,
        days_before_renewal=30,
        after_touchpoint=workspace_a.touchpoints.get(code="intervento"),
        after_complaint_resolved=True,
    )
    run_days(time_machine, 40)
    assert cadence_trigger_complaint_resolved(customer=in_b[2]) == []

    assert Invitation.objects.filter(workspace=workspace_b).count() == 0
    assert invitation_days(in_a) == [0, 30]


def test_running_twice_for_the_same_moment_creates_nothing(
    at_start, workspace_a, alice, survey_a, customer_a
):
    make_rule(
        workspace_a,
        alice,
        survey_a,
        every_days=30,
        after_touchpoint=workspace_a.touchpoints.get(code="intervento"),
    )
    InteractionFactory(
        customer=CustomerFactory(workspace=workspace_a),
        touchpoint=workspace_a.touchpoints.get(code="intervento"),
        occurred_at=START - timedelta(hours=1),
    )
    first = cadence_run(now=START)
    assert first == 2
    assert cadence_run(now=START) == 0
    assert Invitation.objects.count() == first


def test_invitations_are_queued_for_sending(
    at_start, workspace_a, alice, survey_a, customer_a, django_capture_on_commit_callbacks
):
    from ascolto.core.testing import failed_tasks, run_pending_tasks

    make_rule(workspace_a, alice, survey_a, every_days=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert cadence_run(now=START) == 1
    assert run_pending_tasks() == 1
    assert failed_tasks() == []
    assert Invitation.objects.get(customer=customer_a).sent_at is not None


def test_complaint_resolved_hook_invites_once_and_respects_fatigue(
    at_start, time_machine, workspace_a, alice, survey_a, customer_a
):
    recovery = SurveyFactory(workspace=workspace_a, by=alice, name="Dopo il reclamo")
    make_rule(workspace_a, alice, recovery, after_complaint_resolved=True, fatigue_days=30)
    internal = CustomerFactory(workspace=workspace_a, kind=Customer.Kind.INTERNAL)

    invited = cadence_trigger_complaint_resolved(customer=customer_a, source_key="case-1")
    assert [i.survey for i in invited] == [recovery]
    assert cadence_trigger_complaint_resolved(customer=customer_a, source_key="case-1") == []
    # Another complaint resolved a week later: recorded, but the fatigue rule holds.
    time_machine.move_to(START + timedelta(days=7), tick=False)
    assert cadence_trigger_complaint_resolved(customer=customer_a, source_key="case-2") == []
    assert CadenceTrigger.objects.filter(source_kind="complaint").count() == 2
    # The rule is for external customers.
    assert cadence_trigger_complaint_resolved(customer=internal, source_key="case-3") == []
    assert Invitation.objects.filter(customer=customer_a).count() == 1


def test_rule_validation(workspace_a, workspace_b, alice, mallory, survey_a):
    survey_b = SurveyFactory(workspace=workspace_b, by=mallory)
    cases = [
        ({"every_days": 0}, "every_days"),
        ({"every_days": 30, "fatigue_days": 0}, "fatigue_days"),
        ({"days_before_renewal": 0}, "days_before_renewal"),
        ({}, "every_days"),  # no way to ask
        (
            {"after_touchpoint": workspace_b.touchpoints.get(code="intervento")},
            "after_touchpoint",
        ),
        ({"every_days": 30, "segment": SegmentFactory(workspace=workspace_b)}, "segment"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as exc:
            make_rule(workspace_a, alice, survey_a, **fields)
        assert field in exc.value.message_dict, fields
    with pytest.raises(ValidationError) as exc:
        make_rule(workspace_a, alice, survey_b, every_days=30)
    assert "survey" in exc.value.message_dict
    assert CadenceRule.objects.count() == 0

    rule = make_rule(workspace_a, alice, survey_a, every_days=30)
    with pytest.raises(PermissionDenied):
        cadence_rule_update(rule=rule, by=mallory, every_days=10)
    rule.refresh_from_db()
    assert rule.every_days == 30


def test_cadence_job_is_scheduled():
    from django.utils.module_loading import import_string

    from ascolto.schedule import JOBS

    job = next(j for j in JOBS if j.name == "cadence")
    assert import_string(job.func) is cadence_run
    assert job.every == timedelta(hours=1)


def test_scheduler_runs_the_cadence_job_and_the_invitation_is_sent(
    at_start,
    workspace_a,
    alice,
    survey_a,
    customer_a,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    from ascolto.core.services import scheduler_tick
    from ascolto.core.testing import failed_tasks, run_pending_tasks

    make_rule(workspace_a, alice, survey_a, every_days=30)
    scheduler_tick(now=START)
    with django_capture_on_commit_callbacks(execute=True):  # the job enqueues the send at commit
        run_pending_tasks(now=START)
    run_pending_tasks(now=START)

    assert failed_tasks() == []
    invitation = Invitation.objects.get(customer=customer_a)
    assert invitation.sent_at is not None
    assert len([m for m in mailoutbox if m.to == [customer_a.email]]) == 1


def test_selecting_due_customers_does_not_grow_with_the_customer_base(
    at_start,
    workspace_a,
    alice,
    survey_a,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    """Customers who are not due cost no queries of their own: selection is set-based."""
    rule = make_rule(
        workspace_a,
        alice,
        survey_a,
        every_days=30,
        days_before_renewal=30,
        after_touchpoint=workspace_a.touchpoints.get(code="intervento"),
    )
    customers = CustomerFactory.create_batch(40, workspace=workspace_a)
    for customer in customers:
        ContractFactory(
            customer=customer, start_date=date(2025, 1, 1), renewal_date=date(2026, 6, 1)
        )
    assert cadence_run(now=START) == 40  # everyone asked once

    later = START + timedelta(days=3)
    with django_assert_max_num_queries(15) as counted:
        assert cadence_run(now=later) == 0
    CustomerFactory.create_batch(40, workspace=workspace_a)  # not due: fatigued below
    for customer in Customer.objects.filter(workspace=workspace_a):
        if not customer.survey_invitations.exists():
            survey_invitation_create(survey=survey_a, customer=customer, by=alice)
    with django_assert_num_queries(len(counted.captured_queries)):
        assert cadence_run(now=later) == 0
    assert rule.active
