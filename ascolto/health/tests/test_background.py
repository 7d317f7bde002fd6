"""The score in the background: recomputed by the real task worker after a customer's events
change, the nightly job as the scheduler runs it, and the weekly digest through a real SMTP
server (aiosmtpd)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ascolto.core.jobs import job_get
from ascolto.core.leases import WorkState
from ascolto.core.testing import run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.health import services
from ascolto.health.models import HealthDigest, HealthScore
from ascolto.health.tests import fixtures as f
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record


def test_the_jobs_are_in_the_schedule():
    nightly = job_get("health-scores")
    assert nightly is not None and nightly.daily
    digest = job_get("health-digests")
    assert digest is not None and digest.daily


@pytest.mark.django_db(transaction=True)
def test_an_interaction_recomputes_the_customer_s_score_in_the_background(workspace_a, alice):
    """
    GIVEN a customer who answered 10 a week ago and has a scored day
    WHEN a complaint is recorded through the service and the worker runs
    THEN today's score is recomputed with the complaint in it.
    """
    customer = CustomerFactory(workspace=workspace_a, created_at=timezone.now() - timedelta(400))
    f.nps(customer, 10, timezone.now() - timedelta(days=7))
    f.interaction(customer, timezone.now() - timedelta(days=30))
    services.health_scores_compute(workspace=workspace_a)
    before = HealthScore.objects.get(customer=customer)
    assert before.score == 100
    interaction_record(
        customer=customer,
        by=alice,
        touchpoint=Touchpoint.objects.get(workspace=workspace_a, code="reclamo"),
        text="Il furgone è arrivato sporco",
        occurred_at=timezone.now(),
    )
    run_pending_tasks()
    after = HealthScore.objects.get(customer=customer)
    assert after.score < 100
    assert "complaint" in after.flags
    assert any(c["measure"] == "complaints" and c["points"] for c in after.contributions)


@pytest.mark.django_db(transaction=True)
def test_weekly_digest_through_a_real_smtp_server(
    workspace_a, workspace_b, alice, bob, carol, mallory, smtp_server, client
):
    """
    GIVEN workspace A (Italian) with a critical customer owned by bob (an agent) and a healthy
          one; carol picked English with the language switch
    WHEN the digest job runs twice in the same week and the worker sends
    THEN alice (owner), carol (manager) and bob (owns a customer) each get one digest naming
         the critical customer and why, each in their own language (carol's in English, the
         others in the workspace's Italian); mallory's workspace B says nothing of A's customers.
    """
    client.force_login(carol.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    carol.refresh_from_db()
    assert carol.language == "en"
    now = timezone.now()
    risky = CustomerFactory(
        workspace=workspace_a,
        name="Rossi & Figli",
        account_owner=bob,
        created_at=now - timedelta(400),
    )
    f.nps(risky, 9, now - timedelta(days=60))
    f.nps(risky, 2, now - timedelta(days=2))
    f.interaction(risky, now - timedelta(days=3), code="reclamo")
    f.interaction(risky, now - timedelta(days=4), code="ritardo")
    fine = CustomerFactory(
        workspace=workspace_a, name="Bianchi Srl", created_at=now - timedelta(400)
    )
    f.nps(fine, 10, now - timedelta(days=5))
    f.interaction(fine, now - timedelta(days=5))
    other = CustomerFactory(
        workspace=workspace_b, name="Segreto Spa", created_at=now - timedelta(400)
    )
    f.nps(other, 0, now - timedelta(days=1))
    f.interaction(other, now - timedelta(days=1), code="reclamo")
    for workspace in (workspace_a, workspace_b):
        services.health_scores_nightly(now=now, workspace_id=workspace.pk)

    created = services.health_digests_schedule(now=now)
    assert services.health_digests_schedule(now=now + timedelta(hours=1)) == 0
    run_pending_tasks()
    assert created == 4  # alice, carol, bob in A; mallory in B
    assert set(HealthDigest.objects.values_list("state", flat=True)) == {WorkState.DONE}
    to = {m["X-Envelope-To"]: m for m in smtp_server.messages}
    assert set(to) == {alice.user.email, carol.user.email, bob.user.email, mallory.user.email}
    for member in (alice, carol, bob):
        text = smtp_server.text(to[member.user.email])
        assert "Rossi & Figli" in text and "Bianchi Srl" not in text
        assert "Segreto" not in text
        assert "1" in to[member.user.email]["Subject"]
    assert "customer at risk this week" in to[carol.user.email]["Subject"]
    for member in (alice, bob):
        assert "cliente a rischio questa settimana" in to[member.user.email]["Subject"]
    mallory_text = smtp_server.text(to[mallory.user.email])
    assert "Segreto Spa" in mallory_text and "Rossi" not in mallory_text
    html = smtp_server.html(to[alice.user.email])
    assert "Rossi &amp; Figli" in html
    assert len(smtp_server.messages) == 4
    assert HealthDigest.objects.get(recipient=alice).week <= date.today()


@pytest.mark.django_db(transaction=True)
def test_the_nightly_scores_run_once_per_workspace_each_on_its_own(workspace_a, workspace_b):
    """GIVEN two workspaces with customers
    WHEN the scheduler claims the health-scores period and a worker runs what it queued
    THEN the period's run only created one run per workspace (none twice when retried), and
         each workspace's run stored that workspace's scores."""
    from ascolto.core.models import ScheduledRun
    from ascolto.core.services import scheduled_runs_fan_out, scheduler_tick

    now = timezone.now()
    for workspace in (workspace_a, workspace_b):
        customer = CustomerFactory(workspace=workspace, created_at=now - timedelta(400))
        f.nps(customer, 9, now - timedelta(days=3))
    tick = scheduler_tick(now=now)
    parent = next(run for run in tick.claimed if run.job == "health-scores")
    run_pending_tasks()
    runs = dict(ScheduledRun.objects.filter(job="health-scores").values_list("period_key", "state"))
    assert runs == {
        parent.period_key: WorkState.DONE,
        f"{parent.period_key}@w{workspace_a.pk}": WorkState.DONE,
        f"{parent.period_key}@w{workspace_b.pk}": WorkState.DONE,
    }
    assert set(HealthScore.objects.values_list("workspace_id", flat=True)) == {
        workspace_a.pk,
        workspace_b.pk,
    }
    # A retried fan-out finds every workspace's run there already: nothing is queued again.
    job = job_get("health-scores")
    assert (
        scheduled_runs_fan_out(job=job, run=parent, workspace_ids=[workspace_a.pk, workspace_b.pk])
        == 0
    )
