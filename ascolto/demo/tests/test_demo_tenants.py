"""`ascolto demo --workspaces N`: many small businesses on one installation, in bulk."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count

from ascolto.customers.models import Customer
from ascolto.dashboards.models import DailyScore
from ascolto.feedback.models import Response
from ascolto.interactions.models import Interaction
from ascolto.workspaces.models import Role, Workspace


@pytest.mark.django_db(transaction=True)
def test_many_small_workspaces_each_with_its_owner_survey_and_history():
    call_command("demo", "--workspaces", "6", "--big", "700", "--password", "x" * 12, "-v0")
    sizes = dict(
        Customer.objects.values("workspace_id")
        .annotate(n=Count("pk"))
        .values_list("workspace_id", "n")
    )
    assert Workspace.objects.count() == 7
    assert sorted(sizes.values())[-1] == 700
    assert all(50 <= n <= 500 for n in sorted(sizes.values())[:-1])
    for workspace in Workspace.objects.all():
        owner = workspace.memberships.get()
        assert owner.role == Role.OWNER and owner.user.email
        assert workspace.surveys.filter(active=True).count() == 1
    # Every row stays in its own workspace.
    assert not Interaction.objects.exclude(workspace_id=models_f("customer__workspace_id")).exists()
    assert not Response.objects.exclude(workspace_id=models_f("customer__workspace_id")).exists()
    # The dashboards' counts were kept by their triggers as the rows went in.
    assert sum(DailyScore.objects.values_list("n", flat=True)) == Response.objects.count() > 0


def models_f(name: str):
    from django.db.models import F

    return F(name)
