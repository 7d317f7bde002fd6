"""One place for every moment of truth: a broken promise, a detractor answer and a complaint on
the timeline each open a case (or join one); the surveys wait while a case is open; resolving
it asks the recovery survey; open crises of an existing database become cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ascolto.cases import selectors, services
from ascolto.cases.models import Case, CaseEvent
from ascolto.cases.services.moments import complaint_category_code
from ascolto.cases.tests.factories import open_case
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback.models import CadenceTrigger
from ascolto.feedback.services.cadence import cadence_rule_create
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.promises import services as promises
from ascolto.promises.models import Crisis, CrisisStep


@pytest.fixture
def customer(workspace_a, bob):
    return CustomerFactory(workspace=workspace_a, account_owner=bob)


def _late_repair(workspace, alice, bob, customer):
    promise = promises.Promise.objects.filter(workspace=workspace).first() or promises.promise_create(
        workspace=workspace, by=alice, name_it="Intervento entro 24 ore",
        wording_it="Un tecnico da lei entro 24 ore", dimension="timeliness",
        touchpoint=Touchpoint.objects.get(workspace=workspace, code="intervento"),
        target_type="duration", start_moment="requested_at", end_moment="started_at",
        limit=24, unit="hours",
    )  # fmt: skip
    asked = timezone.now() - timedelta(days=2)
    interaction = interaction_record(
        customer=customer, by=bob, touchpoint=promise.touchpoint, occurred_at=asked,
        requested_at=asked, started_at=asked + timedelta(hours=30),
    )  # fmt: skip
    return Crisis.objects.get(promise_check__interaction=interaction)


def test_a_broken_promise_opens_one_case(workspace_a, alice, bob, customer):
    crisis = _late_repair(workspace_a, alice, bob, customer)
    case = Case.objects.get(crisis=crisis)
    assert case.category.code == "promessa-non-mantenuta" and case.severity == "high"
    assert case.owner == bob
    assert list(case.promise_checks.all()) == [crisis.promise_check]
    assert list(case.interactions.all()) == [crisis.promise_check.interaction]
    promises.promise_checks_run(workspace=workspace_a)  # a recheck opens nothing more
    assert Case.objects.filter(customer=customer).count() == 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("La fattura di marzo è sbagliata", "errore-fattura"),
        ("Il tecnico è arrivato in ritardo", "ritardo"),
        ("La caldaia è di nuovo rotta", "guasto"),
        ("Ci ha risposto in modo sgarbato", "scortesia"),
        ("Non siamo contenti", "altro"),
    ],
)
def test_complaint_categories_from_words(text, code):
    assert complaint_category_code(text) == code


def test_a_complaint_opens_a_case_or_joins_the_open_one(workspace_a, bob, customer):
    complaint = Touchpoint.objects.get(workspace=workspace_a, code="reclamo")
    first = interaction_record(customer=customer, by=bob, touchpoint=complaint,
                               text="La fattura è sbagliata", channel="email")  # fmt: skip
    case = Case.objects.get(customer=customer)
    assert (case.category.code, case.channel, case.owner) == ("errore-fattura", "email", bob)
    second = interaction_record(customer=customer, by=bob, touchpoint=complaint,
                                text="Ancora la fattura sbagliata!")  # fmt: skip
    other = interaction_record(customer=customer, by=bob, touchpoint=complaint,
                               text="E il tecnico era in ritardo")  # fmt: skip
    assert Case.objects.filter(customer=customer).count() == 2
    assert set(case.interactions.all()) == {first, second}
    assert other.cases.get().category.code == "ritardo"
    assert CaseEvent.objects.filter(case=case, kind="linked").count() == 1


def _detractor(survey, customer, by, why=""):
    from ascolto.feedback.models import Question
    from ascolto.feedback.services import response_submit, survey_invitation_create

    invitation = survey_invitation_create(survey=survey, customer=customer, by=by)
    data = {}
    for q in survey.questions.all():
        if q.role == Question.Role.MAIN:
            data[f"q{q.pk}"] = "3"
        elif q.role == Question.Role.WHY:
            data[f"q{q.pk}"] = why
    return response_submit(survey=survey, data=data, language="it", invitation=invitation)


def test_a_detractor_opens_a_call_back_case_unless_turned_off(workspace_a, alice, bob, customer):
    survey = SurveyFactory(workspace=workspace_a, by=alice)
    response = _detractor(survey, customer, bob, why="Nessuno mi ha richiamato")
    case = Case.objects.get(customer=customer)
    assert (case.category.code, case.owner, case.description) == (
        "richiamare",
        bob,
        "Nessuno mi ha richiamato",
    )
    assert list(case.responses.all()) == [response]
    services.case_settings_update(workspace=workspace_a, by=alice, detractor_callback=False)
    _detractor(survey, CustomerFactory(workspace=workspace_a), bob)
    assert Case.objects.count() == 1


def test_the_cadence_waits_while_a_case_is_open(workspace_a, bob, customer):
    other = CustomerFactory(workspace=workspace_a)
    case = open_case(customer, bob)
    quiet = selectors.customer_ids_with_open_case(workspace=workspace_a)
    assert [row["customer_id"] for row in quiet] == [customer.pk]
    services.case_status_change(case=case, by=bob, status="resolved")
    assert not selectors.customer_ids_with_open_case(workspace=workspace_a).exists()
    assert other.pk not in [r["customer_id"] for r in quiet]


def test_resolving_fires_the_complaint_resolved_trigger_once_per_resolution(
    workspace_a, alice, bob, customer, django_capture_on_commit_callbacks
):
    survey = SurveyFactory(workspace=workspace_a, by=alice)
    cadence_rule_create(workspace=workspace_a, by=alice, survey=survey,
                        name="Dopo un reclamo", after_complaint_resolved=True, fatigue_days=1)  # fmt: skip
    case = open_case(customer, bob)
    services.case_status_change(case=case, by=bob, status="resolved")
    services.case_reopen(case=case, by=bob)
    services.case_status_change(case=case, by=bob, status="resolved")
    keys = sorted(
        CadenceTrigger.objects.filter(source_kind="complaint").values_list("source_key", flat=True)
    )
    assert keys == [f"case-{case.pk}-0", f"case-{case.pk}-1"]


@pytest.mark.django_db(transaction=True)
def test_open_crises_of_an_existing_database_become_cases(workspace_a, alice, bob, carol):
    """GIVEN a database with two open crises (one with two ticked steps) and a handled one,
    from before cases existed WHEN the migration runs THEN each open crisis is one case with
    its ticks in its history, and the handled one none."""
    customers = [CustomerFactory(workspace=workspace_a, account_owner=bob) for _ in range(3)]
    ticked, fresh, handled = (_late_repair(workspace_a, alice, bob, c) for c in customers)
    promises.crisis_step_tick(crisis=ticked, step="call", by=bob)
    promises.crisis_step_tick(crisis=ticked, step="apologise", by=carol, note="Scuse fatte")
    promises.crisis_close(crisis=handled, by=carol)

    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0005_case_crisis")])
    Case.objects.all().delete()  # the database as it was before cases
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Case.objects.count() == 2
    assert not Case.objects.filter(crisis=handled).exists()
    case = Case.objects.get(crisis=ticked)
    assert case.status == "in_progress" and case.category.code == "promessa-non-mantenuta"
    steps = CaseEvent.objects.filter(case=case, kind="step").order_by("at", "pk")
    assert [(e.data["step"], e.by_id, e.note) for e in steps] == [
        ("call", bob.pk, ""),
        ("apologise", carol.pk, "Scuse fatte"),
    ]
    assert CrisisStep.objects.filter(crisis=ticked).count() == 2  # the ticks stay
    new = Case.objects.get(crisis=fresh)
    assert new.status == "new" and new.acknowledged_at is None
    assert list(new.promise_checks.all()) == [fresh.promise_check]
