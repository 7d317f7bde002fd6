"""GIVEN a promise "on site within 24 h" WHEN interactions are recorded THEN checks and one alert."""

from datetime import UTC, datetime, timedelta

import pytest

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record, interaction_update
from ascolto.notifications.models import Notification
from ascolto.promises.models import Crisis, PromiseCheck
from ascolto.promises.services import promise_checks_run, promise_create

pytestmark = pytest.mark.django_db


def test_broken_duration_opens_one_crisis_and_alerts_once(workspace_a, alice, bob, carol):
    touchpoint = Touchpoint.objects.get(workspace=workspace_a, code="intervento")
    promise = promise_create(
        workspace=workspace_a,
        by=alice,
        name_it="Intervento entro 24 ore",
        wording_it="Un tecnico da lei entro 24 ore dalla chiamata",
        dimension="timeliness",
        touchpoint=touchpoint,
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=24,
        unit="hours",
    )
    assert promise.limit == 24 * 60
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    asked = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    on_time = interaction_record(
        customer=customer,
        by=bob,
        touchpoint=touchpoint,
        requested_at=asked,
        started_at=asked + timedelta(hours=5),
    )
    late = interaction_record(
        customer=customer,
        by=bob,
        touchpoint=touchpoint,
        requested_at=asked,
        started_at=asked + timedelta(hours=31, minutes=20),
    )
    assert PromiseCheck.objects.get(interaction=on_time).outcome == "kept"
    broken = PromiseCheck.objects.get(interaction=late)
    assert (broken.outcome, broken.measured) == ("broken", 31 * 60 + 20)
    assert Crisis.objects.filter(promise_check=broken).count() == 1
    recipients = set(
        Notification.objects.filter(kind="broken_promise").values_list("recipient", flat=True)
    )
    assert recipients == {alice.pk, bob.pk, carol.pk}

    tally = promise_checks_run(workspace=workspace_a)
    assert tally.as_dict() == {"kept": 1, "broken": 1, "not_measurable": 0, "alerts_raised": 0}
    assert Notification.objects.filter(kind="broken_promise").count() == 3

    interaction_update(interaction=late, by=bob, started_at=asked + timedelta(hours=3))
    crisis = Crisis.objects.get(promise_check=broken)
    assert crisis.withdrawn and crisis.closed_at is not None
