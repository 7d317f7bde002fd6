"""The audit log (test plan S18): who, workspace, address, UTC time and action for sign-ins,
lockouts, refused cross-workspace access, member changes, exports and check overrides; no
secrets, no full addresses; CR/LF in what a user types cannot forge a log line; append-only;
a page for owners."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from ascolto.audit.models import Action, AuditEntry
from ascolto.audit.services import audit_record, mask_email
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.workspaces import services as workspace_services
from ascolto.workspaces.tests.factories import PASSWORD

LOGIN = "/account/login/"


def test_mask_email_keeps_first_letter_and_domain_only():
    assert mask_email("mario.rossi@example.it") == "m***@example.it"
    assert mask_email("Mario") == "M***"
    assert mask_email("") == ""
    assert mask_email("\r\nx@y.it") == "x***@y.it"


@pytest.mark.django_db
def test_login_and_failed_login_are_recorded_with_address_and_masked_name(alice, caplog):
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.post(LOGIN, {"username": alice.user.username, "password": "wrong-password"})
    client.post(LOGIN, {"username": alice.user.username, "password": PASSWORD})
    failed = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    login = AuditEntry.objects.get(action=Action.LOGIN)
    for entry in (failed, login):
        assert entry.user == alice.user
        assert entry.ip == "203.0.113.7"
        assert entry.who == mask_email(alice.user.email)
        assert alice.user.email not in entry.who
        assert entry.at.utcoffset().total_seconds() == 0
    assert "wrong-password" not in caplog.text
    assert alice.user.email not in caplog.text


@pytest.mark.django_db
def test_crlf_in_a_typed_username_cannot_forge_a_log_line(db, caplog):
    forged = "eve\r\n2026-01-01 INFO ascolto.audit audit action=login user=1"
    with caplog.at_level(logging.INFO, logger="ascolto.audit"):
        Client(REMOTE_ADDR="198.51.100.1").post(
            LOGIN, {"username": forged, "password": "whatever-123"}
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "ascolto.audit"]
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\r" not in lines[0]
    assert "action=login.failed" in lines[0]
    entry = AuditEntry.objects.get()
    assert "\n" not in entry.who and "\r" not in entry.who
    assert entry.who == "e***"


@pytest.mark.django_db
def test_lockout_is_recorded(alice, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        client.post(LOGIN, {"username": alice.user.username, "password": "wrong-password"})
    lockout = AuditEntry.objects.filter(action=Action.LOCKOUT).order_by("pk").first()
    assert lockout is not None
    assert lockout.user == alice.user
    assert lockout.ip == "203.0.113.9"


@pytest.mark.django_db
def test_another_workspaces_id_is_a_404_and_recorded(alice_client, alice, workspace_b):
    theirs = CustomerFactory(workspace=workspace_b)
    response = alice_client.get(reverse("customers:customer-detail", args=[theirs.pk]))
    assert response.status_code == 404
    entry = AuditEntry.objects.get(action=Action.ACCESS_REFUSED)
    assert entry.workspace_id == alice.workspace_id
    assert entry.user == alice.user
    assert (entry.object_type, entry.object_id) == ("customer", str(theirs.pk))
    assert theirs.name not in entry.detail


@pytest.mark.django_db
def test_a_missing_id_is_a_404_and_not_recorded(alice_client):
    response = alice_client.get(reverse("customers:customer-detail", args=[987654]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=Action.ACCESS_REFUSED).exists()


@pytest.mark.django_db
def test_member_changes_are_recorded_without_addresses(alice, bob, workspace_a):
    invitation, _token = workspace_services.member_invite(
        workspace=workspace_a, by=alice, email="nuovo.collega@example.it", role="agent"
    )
    workspace_services.member_invitation_revoke(invitation=invitation, by=alice)
    workspace_services.member_role_change(membership=bob, by=alice, role="manager")
    workspace_services.member_remove(membership=bob, by=alice)
    entries = AuditEntry.objects.filter(workspace=workspace_a).order_by("pk")
    assert [e.action for e in entries] == [
        Action.INVITATION_CREATED,
        Action.INVITATION_REVOKED,
        Action.ROLE_CHANGED,
        Action.MEMBER_REMOVED,
    ]
    assert all(e.user_id == alice.user_id for e in entries)
    assert entries[2].detail == "agent → manager"
    assert not any("nuovo.collega" in f"{e.who}{e.detail}{e.object_id}" for e in entries)


@pytest.mark.django_db
def test_a_rolled_back_role_change_leaves_no_entry(alice, workspace_a):
    with pytest.raises(Exception):  # noqa: B017 (the last owner cannot be demoted)
        workspace_services.member_role_change(membership=alice, by=alice, role="agent")
    assert not AuditEntry.objects.filter(action=Action.ROLE_CHANGED).exists()


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted(alice):
    entry = audit_record(action=Action.EXPORT, member=alice, object_type="table", object_id="x")
    entry.detail = "changed"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="changed")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().detail == ""


@pytest.mark.django_db
def test_export_download_is_recorded(carol_client, carol):
    response = carol_client.get(reverse("dashboards:export", args=["silent", "csv"]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert (entry.user, entry.workspace_id, entry.object_id) == (
        carol.user,
        carol.workspace_id,
        "silent",
    )


@pytest.mark.django_db
def test_owner_page_lists_this_workspace_only_and_filters(
    alice_client, alice, bob, mallory, workspace_a
):
    audit_record(action=Action.EXPORT, member=alice, object_type="table", object_id="summary")
    audit_record(action=Action.LOGIN, user=bob.user, ip="192.0.2.4")
    audit_record(action=Action.EXPORT, member=mallory, object_type="table", object_id="theirs")
    audit_record(action=Action.LOGIN, user=mallory.user, ip="192.0.2.99")
    url = reverse("audit:audit-list")
    html = alice_client.get(url).content.decode()
    assert "summary" in html and "192.0.2.4" in html
    assert "theirs" not in html and "192.0.2.99" not in html
    html = alice_client.get(url, {"action": Action.LOGIN}).content.decode()
    assert "192.0.2.4" in html and "summary" not in html
    html = alice_client.get(url, {"member": bob.pk}).content.decode()
    assert "192.0.2.4" in html and "summary" not in html


@pytest.mark.django_db
def test_owner_page_refuses_bad_filters_with_a_message(alice_client):
    url = reverse("audit:audit-list")
    response = alice_client.get(url, {"start": "0001-01-01", "member": "99999999999999999999"})
    assert response.status_code == 400
    assert alice_client.get(url, {"ip": "not-an-ip"}).status_code == 400


@pytest.mark.django_db
def test_owner_page_is_for_owners_only(bob_client, carol_client):
    url = reverse("audit:audit-list")
    assert bob_client.get(url).status_code == 403
    assert carol_client.get(url).status_code == 403


@pytest.mark.django_db
def test_overriding_a_measured_check_is_recorded_recording_a_first_outcome_is_not(
    alice, bob, workspace_a
):
    from ascolto.promises.models import PromiseCheck
    from ascolto.promises.services import promise_check_set
    from ascolto.promises.tests.test_services_checks import late_visit, make_promise

    make_promise(workspace_a, alice)
    customer = CustomerFactory(workspace=workspace_a)
    check = PromiseCheck.objects.get(interaction=late_visit(customer, bob, hours=30))
    assert check.outcome == "broken"
    promise_check_set(check=check, by=alice, outcome="kept")
    entry = AuditEntry.objects.get(action=Action.CHECK_OVERRIDE)
    assert (entry.user, entry.object_type, entry.object_id) == (
        alice.user,
        "promisecheck",
        str(check.pk),
    )
    assert entry.detail == "broken → kept"
