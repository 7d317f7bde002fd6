"""The demo's surveys: invitations and answers over the history, plausible and deterministic."""

from __future__ import annotations

from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from ascolto.feedback.models import Answer, Invitation, Response, Survey, token_hash_of
from ascolto.workspaces.models import Workspace

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 16)
END = datetime.combine(TODAY, time(0), tzinfo=ZoneInfo("Europe/Rome"))


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, "--today", TODAY.isoformat(), stdout=out, stderr=StringIO())
    return out.getvalue()


def nps(workspace: Workspace) -> float:
    counts = Response.objects.filter(workspace=workspace, survey__kind=Survey.Kind.NPS).aggregate(
        total=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=9)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    return 100 * (counts["promoters"] - counts["detractors"]) / counts["total"]


def test_demo_has_answered_surveys_with_a_plausible_nps(workspace_b):
    output = run_demo("--customers", "120", "--years", "2", "--workspace-name", "Demo")
    workspace = Workspace.objects.get(name="Demo")
    assert set(Survey.objects.filter(workspace=workspace).values_list("kind", flat=True)) == {
        "nps",
        "csat",
    }
    invitations = Invitation.objects.filter(workspace=workspace)
    responses = Response.objects.filter(workspace=workspace)
    from django.utils import translation
    from django.utils.text import capfirst

    with translation.override("it"):  # the command speaks the installation's language
        label = capfirst(Response._meta.verbose_name_plural)
    assert f"{label}: {responses.count()}" in output

    # Everything belongs to the demo workspace.
    for model in (Invitation, Response):
        rows = model.objects.all()
        assert rows.count() == rows.filter(workspace=workspace).count()
        assert not rows.exclude(customer__workspace=workspace).exists()
        assert not rows.exclude(survey__workspace=workspace).exists()
    assert not Answer.objects.exclude(question__survey__workspace=workspace).exists()
    assert not Answer.objects.exclude(response__survey=models_f("question__survey")).exists()

    # Roughly quarterly, about a third answer, and the score is plausible.
    assert invitations.count() > 120 * 4
    rate = responses.count() / invitations.count()
    assert 0.25 < rate < 0.45
    assert -40 < nps(workspace) < 60
    assert responses.filter(all_good=True).exists()
    assert Answer.objects.filter(response__workspace=workspace).exclude(text="").exists()

    # Lost customers answered worse than the others.
    lost = responses.filter(survey__kind="nps", customer__status="lost")
    others = responses.filter(survey__kind="nps", customer__status="active")
    average = lambda qs: sum(qs.values_list("score", flat=True)) / qs.count()  # noqa: E731
    assert average(lost) < average(others)

    # Timestamps are ordered and in the past; every response has its invitation.
    for invitation in invitations.order_by("?")[:200]:
        invitation.full_clean()
        assert invitation.created_at < invitation.sent_at < END
        if invitation.answered_at:
            assert invitation.sent_at < invitation.opened_at < invitation.answered_at < END
            assert invitation.response.submitted_at == invitation.answered_at
        assert token_hash_of(invitation.token) == invitation.token_hash
    assert responses.filter(invitation__isnull=True).count() == 0
    # At most one open invitation per customer and survey (the database enforces it too).
    assert not (
        invitations.filter(closed_at__isnull=True)
        .values("survey", "customer")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )


def models_f(name: str):
    from django.db.models import F

    return F(name)


def survey_digest(workspace: Workspace) -> list:
    return list(
        Response.objects.filter(workspace=workspace)
        .order_by("customer__email", "submitted_at")
        .values_list("customer__email", "survey__name", "submitted_at", "score", "band", "all_good")
    ) + list(
        Answer.objects.filter(response__workspace=workspace)
        .order_by("response__customer__email", "response__submitted_at", "question__position")
        .values_list("response__customer__email", "number", "text")
    )


def test_the_demo_surveys_are_deterministic():
    run_demo("--customers", "30", "--years", "1")
    run_demo("--customers", "30", "--years", "1")
    first, second = Workspace.objects.order_by("pk")
    assert Response.objects.filter(workspace=first).exists()
    assert survey_digest(first) == survey_digest(second)
