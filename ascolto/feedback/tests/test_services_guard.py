"""Every writing service of feedback that a member calls, called directly as the wrong member:
refused, nothing changed (see ascolto/workspaces/tests/guards.py and docs/tenancy.md). The
public page's and the system's services take no member at all."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.models import Invitation, Question, SendState
from ascolto.feedback.services import cadence
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.lib.updates import UnknownFields
from ascolto.workspaces.models import Role
from ascolto.workspaces.tests.guards import Row, check_row, database_snapshot, row_ids


@pytest.fixture
def world(workspace_a, alice, bob):
    survey = SurveyFactory(workspace=workspace_a, by=alice, name="Soddisfazione")
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    failed = services.survey_invitation_create(
        survey=survey, customer=CustomerFactory(workspace=workspace_a), by=alice
    )
    Invitation.objects.filter(pk=failed.pk).update(state=SendState.FAILED)
    failed.refresh_from_db()
    return SimpleNamespace(
        workspace=workspace_a,
        survey=survey,
        customer=customer,
        failed=failed,
        question=services.question_add(
            survey=survey, by=alice, kind=Question.Kind.TEXT, text_it="Altro da dirci?"
        ),
        link=services.open_link_create(survey=survey, by=alice, label="Bancone"),
        rule=cadence.cadence_rule_create(
            workspace=workspace_a, by=alice, name="Trimestrale", survey=survey, every_days=90
        ),
    )


ROWS: list[Row] = [
    (
        "survey_create",
        Role.MANAGER,
        lambda w, by: services.survey_create(workspace=w.workspace, by=by, name="CES", kind="ces"),
    ),
    (
        "survey_update",
        Role.MANAGER,
        lambda w, by: services.survey_update(survey=w.survey, by=by, title_it="Nuovo titolo"),
    ),
    (
        "question_add",
        Role.MANAGER,
        lambda w, by: services.question_add(
            survey=w.survey, by=by, kind=Question.Kind.TEXT, text_it="Come ci ha conosciuto?"
        ),
    ),
    (
        "question_update",
        Role.MANAGER,
        lambda w, by: services.question_update(question=w.question, by=by, text_it="Altro?"),
    ),
    (
        "question_delete",
        Role.MANAGER,
        lambda w, by: services.question_delete(question=w.question, by=by),
    ),
    (
        "open_link_create",
        Role.MANAGER,
        lambda w, by: services.open_link_create(survey=w.survey, by=by, label="Vetrina"),
    ),
    (
        "open_link_set_active",
        Role.MANAGER,
        lambda w, by: services.open_link_set_active(open_link=w.link, by=by, active=False),
    ),
    (
        "cadence_rule_create",
        Role.MANAGER,
        lambda w, by: cadence.cadence_rule_create(
            workspace=w.workspace, by=by, name="Mensile", survey=w.survey, every_days=30
        ),
    ),
    (
        "cadence_rule_update",
        Role.MANAGER,
        lambda w, by: cadence.cadence_rule_update(rule=w.rule, by=by, every_days=60),
    ),
    (
        "survey_invitation_create",
        Role.AGENT,
        lambda w, by: services.survey_invitation_create(
            survey=w.survey, customer=w.customer, by=by, channel=Invitation.Channel.LINK
        ),
    ),
    (
        "survey_invitation_resend",
        Role.AGENT,
        lambda w, by: services.survey_invitation_resend(invitation=w.failed, by=by),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), ROWS, ids=row_ids(ROWS))
def test_refused_below_the_role_and_from_another_workspace(request, world, name, role, call):
    check_row(request, world, role, call)


UNKNOWN: list[Row] = [
    (
        "survey_create",
        Role.MANAGER,
        lambda w, by: services.survey_create(
            workspace=w.workspace, by=by, name="X", kind="nps", workspace_id=1
        ),
    ),
    (
        "survey_update",
        Role.MANAGER,
        lambda w, by: services.survey_update(survey=w.survey, by=by, name="X", kind="ces"),
    ),
    (
        "question_add",
        Role.MANAGER,
        lambda w, by: services.question_add(
            survey=w.survey, by=by, kind=Question.Kind.TEXT, text_it="X", position=1
        ),
    ),
    (
        "question_update of its kind",
        Role.MANAGER,
        lambda w, by: services.question_update(
            question=w.question, by=by, text_it="X", kind=Question.Kind.SCALE
        ),
    ),
    (
        "question_update of a range it has not",
        Role.MANAGER,
        lambda w, by: services.question_update(question=w.question, by=by, min_value=0),
    ),
    (
        "cadence_rule_create",
        Role.MANAGER,
        lambda w, by: cadence.cadence_rule_create(
            workspace=w.workspace, by=by, name="X", survey=w.survey, every_days=30, every_week=1
        ),
    ),
    (
        "cadence_rule_update",
        Role.MANAGER,
        lambda w, by: cadence.cadence_rule_update(rule=w.rule, by=by, workspace=None),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), UNKNOWN, ids=row_ids(UNKNOWN))
def test_unknown_fields_are_refused_not_dropped(request, world, name, role, call):
    member = request.getfixturevalue({"agent": "bob", "manager": "carol"}[role])
    before = database_snapshot()
    with pytest.raises(UnknownFields):
        call(world, member)
    assert database_snapshot() == before


def test_a_questions_role_moves_between_dimension_and_other_only(world, carol):
    question = services.question_update(
        question=world.question, by=carol, role=Question.Role.DIMENSION, dimension="timeliness"
    )
    assert (question.role, question.dimension) == (Question.Role.DIMENSION, "timeliness")
    with pytest.raises(ValidationError) as error:
        services.question_update(question=world.question, by=carol, role=Question.Role.MAIN)
    assert "role" in error.value.message_dict
    assert Question.objects.get(pk=world.question.pk).role == Question.Role.DIMENSION


@pytest.mark.parametrize(
    "service",
    [
        services.survey_invitation_send,
        services.survey_reminders_queue,
        services.survey_invitations_sweep,
        services.survey_invitation_open,
        services.survey_invitation_create_for_rule,
        services.response_submit,
        services.open_link_hit,
        cadence.cadence_run,
        cadence.cadence_trigger_complaint_resolved,
    ],
)
def test_the_systems_services_take_no_member(service):
    """The system acts by itself: no `by` to leave out or to pass as None (docs/tenancy.md)."""
    assert "by" not in inspect.signature(service).parameters


def test_a_members_invitation_needs_a_member():
    assert inspect.signature(services.survey_invitation_create).parameters["by"].default is (
        inspect.Parameter.empty
    )
