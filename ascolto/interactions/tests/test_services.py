from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions import services
from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.lib.updates import UnknownFields


@pytest.mark.django_db
def test_interaction_record_defaults_the_member_to_its_author(workspace_a, bob):
    customer = CustomerFactory(workspace=workspace_a)
    interaction = services.interaction_record(
        customer=customer,
        by=bob,
        touchpoint=workspace_a.touchpoints.get(code="reclamo"),
        occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert (interaction.member, interaction.workspace_id) == (bob, workspace_a.pk)


@pytest.mark.django_db
def test_interaction_record_refuses_a_field_a_caller_may_not_set(workspace_a, bob):
    customer = CustomerFactory(workspace=workspace_a)
    with pytest.raises(UnknownFields, match="workspace_id"):
        services.interaction_record(
            customer=customer,
            by=bob,
            touchpoint=workspace_a.touchpoints.get(code="reclamo"),
            occurred_at=datetime(2025, 1, 1, tzinfo=UTC),
            workspace_id=12345,
        )
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_interaction_with_a_foreign_touchpoint_is_refused(workspace_a, workspace_b, bob):
    customer = CustomerFactory(workspace=workspace_a)
    with pytest.raises(ValidationError) as error:
        services.interaction_record(
            customer=customer, by=bob, touchpoint=workspace_b.touchpoints.first()
        )
    assert "touchpoint" in error.value.message_dict
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_interaction_delete_needs_a_manager(workspace_a, bob, carol):
    interaction = InteractionFactory(customer=CustomerFactory(workspace=workspace_a))
    with pytest.raises(PermissionDenied):
        services.interaction_delete(interaction=interaction, by=bob)
    services.interaction_delete(interaction=interaction, by=carol)
    assert not Interaction.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "polarity"), [("", "negative"), ("  ", "positive"), ("ok", "angry")]
)
def test_staff_signal_record_refuses_bad_input(workspace_a, bob, text, polarity):
    customer = CustomerFactory(workspace=workspace_a)
    with pytest.raises(ValidationError):
        services.staff_signal_record(customer=customer, by=bob, text=text, polarity=polarity)
    assert not StaffSignal.objects.exists()
