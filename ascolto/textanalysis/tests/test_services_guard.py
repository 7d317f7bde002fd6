"""The writing service of text analysis that a member calls, called directly as the wrong
member: refused, nothing changed. Analysing, training and sweeping are the system's."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.services import interaction_record
from ascolto.textanalysis import services
from ascolto.workspaces.models import Role
from ascolto.workspaces.tests.guards import Row, check_row, row_ids


@pytest.fixture
def world(workspace_a, bob):
    interaction = interaction_record(
        customer=CustomerFactory(workspace=workspace_a),
        by=bob,
        touchpoint=workspace_a.touchpoints.get(code="telefonata"),
        occurred_at=datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
        text="Il tecnico è arrivato tardi, siamo molto arrabbiati",
    )
    analysis = services.text_analysis_store(
        workspace_id=workspace_a.pk, source_kind="interaction", source_id=interaction.pk
    )
    assert analysis is not None
    return SimpleNamespace(analysis=analysis)


ROWS: list[Row] = [
    (
        "text_correction_record",
        Role.AGENT,
        lambda w, by: services.text_correction_record(
            analysis=w.analysis,
            by=by,
            sentiment="negative",
            emotion="anger",
            aspects=["timeliness"],
        ),
    ),
]


@pytest.mark.parametrize(("name", "role", "call"), ROWS, ids=row_ids(ROWS))
def test_refused_below_the_role_and_from_another_workspace(request, world, name, role, call):
    check_row(request, world, role, call)
    assert world.analysis.corrections.get().member == request.getfixturevalue("bob")


@pytest.mark.parametrize(
    "service",
    [
        services.text_analysis_request,
        services.text_analysis_store,
        services.text_analysis_backfill,
        services.text_analyses_sweep,
        services.text_model_train,
    ],
)
def test_the_systems_services_take_no_member(service):
    assert "by" not in inspect.signature(service).parameters
