"""One check that a row's foreign keys stay in its workspace (`SameWorkspaceMixin`), declared
per model, with a translated message per field."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.feedback.models import CadenceRule
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import Interaction
from ascolto.workspaces.tenancy import SameWorkspaceMixin


def _checked_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, SameWorkspaceMixin)]


def test_every_declared_key_points_to_a_workspace_row_and_has_an_italian_message():
    checked = {m.__name__: m for m in _checked_models()}
    assert set(checked) >= {
        "Customer",
        "LostRecord",
        "Interaction",
        "StaffSignal",
        "Question",
        "Invitation",
        "CadenceRule",
        "Notification",
        "Promise",
        "Expectation",
    }
    declared = 0
    for model in checked.values():
        fields = model.same_workspace_fields
        overrides = fields if isinstance(fields, dict) else {}
        for name in fields:
            field = model._meta.get_field(name)
            assert field.many_to_one or field.one_to_one, f"{model.__name__}.{name} is not a key"
            related = field.related_model
            related._meta.get_field("workspace")
            message = overrides.get(name) or related.other_workspace_message
            with translation.override("it"):
                italian = str(message)
            with translation.override("en"):
                english = str(message)
            assert italian != english, f"{model.__name__}.{name}: no Italian for {english!r}"
            declared += 1
    assert declared >= 21  # the 21 checks once written out by hand in each clean(), and newer ones


@pytest.mark.django_db
def test_keys_of_another_workspace_are_refused_each_with_its_message(
    workspace_a, workspace_b, bob, mallory
):
    interaction = Interaction(
        workspace=workspace_a,
        customer=CustomerFactory(workspace=workspace_b),
        touchpoint=workspace_b.touchpoints.first(),
        member=mallory,
        started_at=None,
    )
    with pytest.raises(ValidationError) as error:
        interaction.full_clean()
    with translation.override("it"):
        assert {k: v for k, v in error.value.message_dict.items() if k != "occurred_at"} == {
            "customer": ["Questo cliente appartiene a un'altra azienda."],
            "touchpoint": [_italian(Interaction, "touchpoint")],
            "member": [_italian(Interaction, "member")],
        }
    interaction.customer = CustomerFactory(workspace=workspace_a)
    interaction.touchpoint = workspace_a.touchpoints.first()
    interaction.member = bob
    interaction.full_clean()


def _italian(model, name: str) -> str:
    with translation.override("it"):
        return str(model._meta.get_field(name).related_model.other_workspace_message)


@pytest.mark.django_db
def test_a_model_may_word_a_field_s_message_its_own_way(workspace_a, workspace_b, alice):
    rule = CadenceRule(
        workspace=workspace_a,
        name="Ogni 90 giorni",
        survey=SurveyFactory(workspace=workspace_b),
        segment=SegmentFactory(workspace=workspace_b),
        every_days=90,
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    with translation.override("en"):
        assert error.value.message_dict["survey"] == ["Choose a survey of this workspace."]
        assert error.value.message_dict["segment"] == ["Choose a segment of this workspace."]
