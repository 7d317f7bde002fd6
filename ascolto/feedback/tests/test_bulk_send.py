"""A survey sent to many customers at once: the preview's counts by hand, the held back and
why (the cadence's own rules), the send as durable work, and its pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ascolto.core.leases import WorkState
from ascolto.core.testing import run_pending_tasks
from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.feedback.models import BulkSend, Invitation
from ascolto.feedback.services import bulk, survey_invitation_create
from ascolto.feedback.services.bulk import BulkChoice, survey_bulk_preview, survey_bulk_send_create
from ascolto.feedback.services.cadence import cadence_periodic_run, cadence_rule_create
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.promises.services import promise_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(workspace_a, alice, bob, survey_a):
    """Twelve customers of workspace A, each kind of held back once, and five to ask."""
    shops = SegmentFactory(workspace=workspace_a, name="Negozi")
    now = timezone.now()

    def customer(name, **fields):
        fields.setdefault("email", f"{name.lower()}@esempio.it")
        return CustomerFactory(workspace=workspace_a, name=name, **fields)

    ask = [customer(f"Cliente{n}", segment=shops) for n in range(5)]
    ask.append(customer("Interno", kind=Customer.Kind.INTERNAL))
    customer("Contrario", surveys_opted_out_at=timezone.now())
    customer("SenzaMail", email="")
    complaining = customer("Arrabbiato")
    interaction_record(
        customer=complaining,
        by=alice,
        touchpoint=Touchpoint.objects.get(workspace=workspace_a, code="reclamo"),
        occurred_at=now - timedelta(days=1),
    )
    crisis = customer("Deluso")
    promise_create(
        workspace=workspace_a,
        by=alice,
        name_it="Intervento entro 24 ore",
        wording_it="Entro 24 ore",
        dimension="timeliness",
        touchpoint=Touchpoint.objects.get(workspace=workspace_a, code="intervento"),
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=24,
        unit="hours",
    )
    interaction_record(
        customer=crisis,
        by=alice,
        touchpoint=Touchpoint.objects.get(workspace=workspace_a, code="intervento"),
        occurred_at=now - timedelta(days=2),
        requested_at=now - timedelta(days=2),
        started_at=now - timedelta(hours=1),
    )
    open_here = customer("GiàInvitato")
    survey_invitation_create(survey=survey_a, customer=open_here, by=alice)
    tired = customer("Stanco")
    other = SurveyFactory(workspace=workspace_a, by=alice, name="CSAT")
    survey_invitation_create(survey=other, customer=tired, by=alice)
    lost = customer("Perso", status=Customer.Status.LOST)
    customer("Prospetto", status=Customer.Status.PROSPECT)
    return {"ask": ask, "segment": shops, "lost": lost}


def _choice(survey, **fields) -> BulkChoice:
    return BulkChoice(survey=survey, **fields)


def test_preview_counts_by_hand(workspace_a, survey_a, crowd, django_assert_max_num_queries):
    """GIVEN 13 active customers: 6 who may be asked and one of each reason to hold back
    WHEN the preview is asked for every active customer
    THEN 6 are asked and each reason counts one, named on the held back's line."""
    with django_assert_max_num_queries(8):
        preview = survey_bulk_preview(workspace=workspace_a, choice=_choice(survey_a))
    assert preview.to_ask == 6
    assert preview.held_counts == {
        "opted_out": 1,
        "no_email": 1,
        "complaint": 1,
        "quiet": 1,
        "open_invitation": 1,
        "fatigue": 1,
    }
    assert {c.name: c.hold_reason for c in preview.held} == {
        "Contrario": "opted_out",
        "SenzaMail": "no_email",
        "Arrabbiato": "complaint",
        "Deluso": "quiet",
        "GiàInvitato": "open_invitation",
        "Stanco": "fatigue",
    }


def test_filters_narrow_the_choice(workspace_a, survey_a, crowd, alice):
    by_segment = _choice(survey_a, segment_id=crowd["segment"].pk)
    assert survey_bulk_preview(workspace=workspace_a, choice=by_segment).to_ask == 5
    internal = _choice(survey_a, kind=Customer.Kind.INTERNAL)
    assert survey_bulk_preview(workspace=workspace_a, choice=internal).to_ask == 1
    prospects = _choice(survey_a, status=Customer.Status.PROSPECT)
    assert survey_bulk_preview(workspace=workspace_a, choice=prospects).to_ask == 1
    no_fatigue = _choice(survey_a, fatigue_days=0)
    assert survey_bulk_preview(workspace=workspace_a, choice=no_fatigue).to_ask == 7


def test_not_heard_from_leaves_out_who_answered_lately(workspace_a, survey_a, crowd, alice):
    from ascolto.feedback.models import Response

    first = crowd["ask"][0]
    Response.objects.create(
        workspace=workspace_a, survey=survey_a, customer=first, kind="nps", score=9
    )
    choice = _choice(survey_a, silent_days=30, segment_id=crowd["segment"].pk)
    assert survey_bulk_preview(workspace=workspace_a, choice=choice).to_ask == 4


def test_the_cadence_leaves_out_who_opted_out(workspace_a, alice, survey_a):
    willing = CustomerFactory(workspace=workspace_a, email="si@esempio.it")
    CustomerFactory(
        workspace=workspace_a, email="no@esempio.it", surveys_opted_out_at=timezone.now()
    )
    rule = cadence_rule_create(
        workspace=workspace_a, by=alice, name="Ogni 90", survey=survey_a, every_days=90
    )
    assert cadence_periodic_run(rule=rule, now=timezone.now()) == 1
    assert list(Invitation.objects.values_list("customer_id", flat=True)) == [willing.pk]


def test_no_invitation_by_hand_to_who_opted_out(workspace_a, alice, survey_a):
    customer = CustomerFactory(
        workspace=workspace_a, email="no@esempio.it", surveys_opted_out_at=timezone.now()
    )
    with pytest.raises(ValidationError):
        survey_invitation_create(survey=survey_a, customer=customer, by=alice)


def test_send_invites_those_shown_and_shows_progress(
    workspace_a, alice, survey_a, crowd, django_capture_on_commit_callbacks
):
    """GIVEN the preview of 6 WHEN sent THEN the worker invites exactly those 6 by email,
    the progress reaches 6 of 6, and running the task again changes nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        sent = survey_bulk_send_create(workspace=workspace_a, by=alice, choice=_choice(survey_a))
    assert (sent.total, sent.processed) == (6, 0)
    run_pending_tasks()
    sent.refresh_from_db()
    assert (sent.processed, sent.invited, sent.skipped) == (6, 6, 0)
    assert sent.state == WorkState.DONE and sent.finished_at is not None
    asked = set(
        Invitation.objects.filter(survey=survey_a, created_by=alice)
        .exclude(customer__name="GiàInvitato")
        .values_list("customer_id", flat=True)
    )
    assert asked == {c.pk for c in crowd["ask"]}
    assert bulk.survey_bulk_send_run(bulk_id=sent.pk) == 0
    assert Invitation.objects.filter(survey=survey_a).count() == 7


def test_a_customer_held_back_after_the_preview_is_skipped(
    workspace_a, alice, survey_a, crowd, django_capture_on_commit_callbacks
):
    sent = survey_bulk_send_create(workspace=workspace_a, by=alice, choice=_choice(survey_a))
    late = crowd["ask"][0]
    late.surveys_opted_out_at = timezone.now()
    late.save()
    bulk.survey_bulk_send_run(bulk_id=sent.pk)
    sent.refresh_from_db()
    assert (sent.processed, sent.invited, sent.skipped) == (6, 5, 1)
    assert not Invitation.objects.filter(customer=late).exists()


def test_a_worker_dying_mid_send_leaves_no_half_chunk_and_no_double(
    workspace_a, alice, survey_a, crowd, monkeypatch
):
    """GIVEN chunks of 2 and a worker that dies on the 5th customer
    WHEN the lease expires and the sweeper hands the row to another worker
    THEN the first two chunks stay counted, the third is redone, and everyone is invited once."""
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 2)
    sent = survey_bulk_send_create(workspace=workspace_a, by=alice, choice=_choice(survey_a))
    real = bulk.survey_invitation_create
    calls = {"n": 0}

    def dies_on_the_fifth(**kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise SystemExit("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(bulk, "survey_invitation_create", dies_on_the_fifth)
    with pytest.raises(SystemExit):
        bulk.survey_bulk_send_run(bulk_id=sent.pk, owner="worker-1")
    sent.refresh_from_db()
    assert sent.processed == 4 and sent.state == WorkState.RUNNING
    assert Invitation.objects.filter(survey=survey_a, created_by=alice).count() == 1 + 4

    monkeypatch.setattr(bulk, "survey_invitation_create", real)
    BulkSend.objects.filter(pk=sent.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert bulk.survey_bulk_send_run(bulk_id=sent.pk, owner="worker-2") == 2
    sent.refresh_from_db()
    assert (sent.processed, sent.invited, sent.state) == (6, 6, WorkState.DONE)
    per_customer = Invitation.objects.filter(survey=survey_a).values_list("customer_id", flat=True)
    assert len(per_customer) == len(set(per_customer)) == 7


def test_the_sweeper_enqueues_a_forgotten_send(workspace_a, alice, survey_a, crowd):
    sent = survey_bulk_send_create(workspace=workspace_a, by=alice, choice=_choice(survey_a))
    BulkSend.objects.filter(pk=sent.pk).update(dispatched_at=timezone.now() - timedelta(hours=1))
    assert bulk.survey_bulk_sends_sweep() == 1
    run_pending_tasks()
    sent.refresh_from_db()
    assert sent.processed == 6


def test_only_managers_send_and_nobody_to_ask_is_refused(workspace_a, alice, bob, survey_a):
    CustomerFactory(workspace=workspace_a, email="a@esempio.it")
    with pytest.raises(PermissionDenied):
        survey_bulk_send_create(workspace=workspace_a, by=bob, choice=_choice(survey_a))
    with pytest.raises(ValidationError):
        survey_bulk_send_create(
            workspace=workspace_a, by=alice, choice=_choice(survey_a, kind="internal")
        )
    assert not BulkSend.objects.exists()


def test_another_workspace_s_survey_is_refused(workspace_a, alice, mallory, workspace_b):
    theirs = SurveyFactory(workspace=workspace_b, by=mallory, name="Loro")
    with pytest.raises(ValidationError):
        survey_bulk_send_create(workspace=workspace_a, by=alice, choice=_choice(theirs))


# --- pages ---------------------------------------------------------------------------------


def test_page_preview_lists_the_held_back_in_italian(alice_client, survey_a, crowd):
    response = alice_client.get(
        "/feedback/send/",
        {"survey": survey_a.pk, "status": "active", "fatigue_days": 30},
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "6 clienti riceveranno la domanda" in text
    assert "non vuole sondaggi" in text
    assert "Invia a 6 clienti" in text


def test_page_send_then_progress(alice_client, survey_a, crowd, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            "/feedback/send/", {"survey": survey_a.pk, "status": "active", "fatigue_days": 30}
        )
    assert response.status_code == 302
    run_pending_tasks()
    page = alice_client.get(response.url, HTTP_ACCEPT_LANGUAGE="it")
    assert 'data-finished="yes"' in page.content.decode()
    assert "6 di 6 clienti gestiti" in page.content.decode()


def test_page_bad_input_says_why(alice_client, survey_a):
    response = alice_client.get(
        "/feedback/send/",
        {"survey": "999999", "fatigue_days": "-3"},
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 400
    assert not BulkSend.objects.exists()


def test_agents_may_not_and_outsiders_get_404(bob_client, mallory_client, alice, survey_a, crowd):
    assert bob_client.get("/feedback/send/").status_code == 403
    sent = survey_bulk_send_create(workspace=survey_a.workspace, by=alice, choice=_choice(survey_a))
    assert mallory_client.get(f"/feedback/send/{sent.pk}/").status_code == 404
    assert bob_client.get(f"/feedback/send/{sent.pk}/").status_code == 403
