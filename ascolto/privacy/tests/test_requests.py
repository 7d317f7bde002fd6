"""The request log: due in one month, late ones flagged, closed by the export or erasure that
answers them or by hand; owners only."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.privacy import services
from ascolto.privacy.models import DataRequest, one_month_after, shift_months

ROME = ZoneInfo("Europe/Rome")


def test_one_month_is_the_same_day_or_the_months_last():
    assert one_month_after(datetime(2026, 1, 31, 9, tzinfo=ROME)) == datetime(
        2026, 2, 28, 9, tzinfo=ROME
    )
    assert one_month_after(datetime(2026, 12, 15, tzinfo=ROME)) == datetime(
        2027, 1, 15, tzinfo=ROME
    )
    assert shift_months(datetime(2026, 3, 31, tzinfo=ROME), -13) == datetime(
        2025, 2, 28, tzinfo=ROME
    )


@pytest.mark.django_db
def test_logged_request_is_due_in_a_month_and_closed_by_the_erasure(workspace_a, alice):
    customer = CustomerFactory(workspace=workspace_a, email="anna@example.it")
    received = timezone.now() - timedelta(days=40)
    logged = services.data_request_log(
        workspace=workspace_a,
        by=alice,
        kind="erasure",
        received_at=received,
        channel="lettera",
        email="ANNA@example.it",
    )
    assert logged.customer == customer
    assert logged.due_at == one_month_after(received)
    assert logged.is_late
    assert "anna" not in logged.subject_key
    services.person_erase(workspace=workspace_a, by=alice, customer=customer)
    logged.refresh_from_db()
    assert logged.done_at is not None and logged.handled_by == alice
    assert DataRequest.objects.count() == 1


@pytest.mark.django_db
def test_owner_logs_and_closes_requests_on_the_page(alice_client, alice, workspace_a):
    url = reverse("privacy:data-request-create")
    response = alice_client.post(
        url, {"kind": "rectification", "received_on": "2026-11-30", "channel": "telefono"}
    )
    assert response.status_code == 302
    logged = DataRequest.objects.get()
    html = alice_client.get(reverse("privacy:privacy-home")).content.decode()
    assert "telefono" in html and reverse("privacy:data-request-done", args=[logged.pk]) in html
    alice_client.post(reverse("privacy:data-request-done", args=[logged.pk]))
    logged.refresh_from_db()
    assert logged.done_at is not None


@pytest.mark.django_db
def test_bad_request_form_is_a_message(alice_client):
    url = reverse("privacy:data-request-create")
    for data in (
        {"kind": "erasure", "received_on": "0001-01-01"},
        {"kind": "nonsense", "received_on": "2026-11-30"},
        {"kind": "erasure", "received_on": "2099-01-01"},
    ):
        assert alice_client.post(url, data).status_code == 400
    assert not DataRequest.objects.exists()


@pytest.mark.django_db
def test_requests_are_owners_only_and_per_workspace(
    workspace_a, workspace_b, alice, carol, mallory, carol_client, mallory_client
):
    theirs = services.data_request_log(
        workspace=workspace_b, by=mallory, kind="access", received_at=timezone.now()
    )
    with pytest.raises(PermissionDenied):
        services.data_request_log(
            workspace=workspace_a, by=carol, kind="access", received_at=timezone.now()
        )
    with pytest.raises(PermissionDenied):
        services.data_request_close(data_request=theirs, by=alice)
    assert carol_client.get(reverse("privacy:privacy-home")).status_code == 403
    ours = services.data_request_log(
        workspace=workspace_a, by=alice, kind="access", received_at=timezone.now()
    )
    response = mallory_client.post(reverse("privacy:data-request-done", args=[ours.pk]))
    assert response.status_code == 404
    ours.refresh_from_db()
    assert ours.done_at is None
