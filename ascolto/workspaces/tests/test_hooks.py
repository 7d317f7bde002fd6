"""A new workspace gets the catalogues the apps install through `workspace_created`, in the
same transaction."""

from __future__ import annotations

import pytest

from ascolto.workspaces import hooks
from ascolto.workspaces.models import Workspace
from ascolto.workspaces.services import workspace_create
from ascolto.workspaces.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_apps_install_their_catalogues_in_a_new_workspace():
    assert [f.__module__ for f in hooks.workspace_created] == [
        "ascolto.customers.services",
        "ascolto.interactions.services",
        "ascolto.voice.drafts",
        "ascolto.cases.services.defaults",
    ]
    workspace = workspace_create(name="Studio Verdi", owner=UserFactory())
    assert workspace.touchpoints.filter(code="reclamo", is_negative=True).exists()
    assert workspace.lost_reasons.exists()
    assert workspace.case_categories.filter(code="promessa-non-mantenuta").exists()
    assert workspace.case_categories.filter(code="ritardo").exists()
    assert workspace.memberships.get().role == "owner"


def test_a_failing_hook_leaves_no_half_made_workspace():
    def broken(*, workspace):
        assert workspace.pk is not None
        raise RuntimeError("catalogue unavailable")

    hooks.workspace_created.register(broken)
    try:
        with pytest.raises(RuntimeError):
            workspace_create(name="Studio Verdi", owner=UserFactory())
    finally:
        hooks.workspace_created.unregister(broken)
    assert not Workspace.objects.filter(name="Studio Verdi").exists()
