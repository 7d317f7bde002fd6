"""Words an Italian (or English) reader trips over: each sentence reads right in its language.
One test per item of the review: English in the English interface, plurals, months, the
coverage line, the double full stop, the team page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.notifications.models import Notification
from ascolto.promises.services import promise_create

pytestmark = pytest.mark.django_db


def test_dashboard_in_english_has_english_day_choices(alice_client):
    html = alice_client.get(
        reverse("dashboards:overview"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "90 days" in html and "giorni" not in html


def test_italian_month_is_lower_case_mid_sentence(alice_client):
    html = alice_client.get(reverse("dashboards:overview")).content.decode()
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).month
    with translation.override("it"):
        from django.utils.dates import MONTHS

        name = str(MONTHS[last_month])
    assert name.lower() in html
    assert f"per {name.capitalize()} " not in html


def test_coverage_line_reads_forwards(alice_client):
    html = alice_client.get(reverse("dashboards:overview")).content.decode()
    assert "Negli ultimi 90 giorni ci siamo sentiti con" in html


def test_team_page_marks_the_current_user_with_tu(alice_client):
    html = alice_client.get(reverse("workspaces:member-list")).content.decode()
    assert '<span class="badge">tu</span>' in html
    assert '<span class="badge">Lei</span>' not in html


def test_broken_promise_alert_has_no_double_full_stop(workspace_a, alice, bob):
    touchpoint = Touchpoint.objects.get(workspace=workspace_a, code="intervento")
    promise_create(
        workspace=workspace_a,
        by=alice,
        name_it="Intervento entro 24 ore",
        wording_it="Un tecnico da Lei entro 24 ore.",
        dimension="timeliness",
        touchpoint=touchpoint,
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=24,
        unit="hours",
    )
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    asked = timezone.now() - timedelta(days=2)
    interaction_record(
        customer=customer,
        by=bob,
        touchpoint=touchpoint,
        occurred_at=asked,
        requested_at=asked,
        started_at=asked + timedelta(hours=31),
    )
    alert = Notification.objects.filter(kind="broken_promise").first()
    assert ".." not in alert.body
    assert "24 ore. Cosa è successo" in alert.body
