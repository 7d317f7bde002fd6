"""The feedback app's hook lists: filled by the higher apps at start-up, and a higher app's
reason to wait keeps a customer out of the cadence."""

from __future__ import annotations

from datetime import datetime

import pytest

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import hooks
from ascolto.feedback.models import Invitation
from ascolto.feedback.services.cadence import cadence_rule_create, cadence_run

pytestmark = pytest.mark.django_db

START = datetime.fromisoformat("2026-01-05T09:00:00+01:00")


def _names(hook_list) -> list[str]:
    return [f"{f.__module__}.{f.__name__}" for f in hook_list]


def test_the_higher_apps_fill_the_hooks_at_start_up():
    assert _names(hooks.survey_answer_texts_saved) == [
        "ascolto.textanalysis.services.survey_answer_texts_analyse"
    ]
    assert _names(hooks.cadence_quiet_customers) == [
        "ascolto.promises.selectors.customer_ids_after_broken_promise",
        "ascolto.cases.selectors.customer_ids_with_open_case",
    ]
    assert _names(hooks.detractor_answered) == ["ascolto.cases.services.moments.case_for_detractor"]


def test_a_higher_app_s_quiet_customers_are_not_asked(workspace_a, alice, survey_a):
    """GIVEN a higher app that asks the cadence to leave one customer alone at `now`
    WHEN the cadence runs THEN every other customer is invited, that one is not."""
    quiet, asked = CustomerFactory(workspace=workspace_a), CustomerFactory(workspace=workspace_a)
    seen = []

    def open_case_customers(*, workspace, now):
        seen.append((workspace.pk, now))
        return Customer.objects.filter(pk=quiet.pk).values("pk")

    cadence_rule_create(
        workspace=workspace_a, by=alice, survey=survey_a, name="Ogni 90 giorni", every_days=90
    )
    hooks.cadence_quiet_customers.register(open_case_customers)
    try:
        cadence_run(now=START)
    finally:
        hooks.cadence_quiet_customers.unregister(open_case_customers)
    assert list(Invitation.objects.values_list("customer_id", flat=True)) == [asked.pk]
    assert seen == [(workspace_a.pk, START)]
