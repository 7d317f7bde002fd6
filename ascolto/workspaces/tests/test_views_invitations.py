"""Inviting people to a workspace: mail, sign-up, acceptance and unusable links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from ascolto.core.testing import run_pending_tasks
from ascolto.workspaces.models import MemberInvitation, Membership, Role
from ascolto.workspaces.services import member_invite, token_hash
from ascolto.workspaces.tests.factories import UserFactory, WorkspaceFactory

JOIN = re.compile(r"https?://[^\s\"<>]+/account/join/([^\s\"<>/]+)/")
NEW_PASSWORD = "the-river-is-wide-today"


def _invite(client: Client, email: str, role: str = Role.AGENT, language: str = "en"):
    """Invite through the team page, then let the worker send what was queued."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("workspaces:member-invite"),
            {"email": email, "role": role},
            HTTP_ACCEPT_LANGUAGE=language,
        )
    run_pending_tasks()
    return response


def _token_from_mail(smtp_server, index: int = -1) -> str:
    text = smtp_server.text(smtp_server.messages[index])
    match = JOIN.search(text)
    assert match, text
    return match.group(1)


def _signup(client: Client, token: str, first_name: str = "Dora"):
    return client.post(
        reverse("workspaces:invitation-accept", args=[token]),
        {"first_name": first_name, "last_name": "Neri", "password": NEW_PASSWORD},
    )


@pytest.mark.django_db(transaction=True)
def test_new_person_joins_through_the_mailed_link_with_the_invited_role(
    smtp_server, carol_client, workspace_a, settings
):
    """GIVEN carol (manager) invites dora as manager WHEN dora opens the link from the mail and
    sets her name and password THEN she is logged in, in workspace A, as a manager."""
    settings.SITE_URL = "https://ascolto.example.com"
    response = _invite(carol_client, "Dora@Example.com", Role.MANAGER)
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["X-Envelope-To"] == "dora@example.com"
    # Workspace A speaks Italian: the mail does too, whatever language carol's browser uses.
    assert workspace_a.language == "it"
    assert '<html lang="it">' in smtp_server.html(message)
    token = _token_from_mail(smtp_server)
    assert f"https://ascolto.example.com/account/join/{token}/" in smtp_server.html(message)

    dora = Client()
    page = dora.get(reverse("workspaces:invitation-accept", args=[token]))
    assert page.status_code == 200
    assert "workspaces/invitation_signup.html" in [t.name for t in page.templates]
    response = _signup(dora, token)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-list")

    membership = Membership.objects.get(user__email="dora@example.com")
    assert membership.workspace == workspace_a
    assert membership.role == Role.MANAGER
    assert membership.user.first_name == "Dora"
    team = dora.get(reverse("workspaces:member-list"))
    assert team.status_code == 200
    assert team.context["current_workspace"] == workspace_a


@pytest.mark.django_db(transaction=True)
def test_invitation_mail_is_in_the_workspace_language(smtp_server):
    english = WorkspaceFactory(name="Rentals Ltd", language="en")
    owner = Client()
    owner.force_login(english.memberships.get().user)
    _invite(owner, "new.person@example.com", language="it")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["Subject"] == "You are invited to join Rentals Ltd on Ascolto"
    assert "has invited you to join Rentals Ltd on Ascolto as Agent" in smtp_server.text(message)
    assert '<html lang="en">' in smtp_server.html(message)


@pytest.mark.django_db(transaction=True)
def test_existing_user_accepts_while_logged_in(smtp_server, alice_client, mallory, workspace_a):
    _invite(alice_client, mallory.user.email, Role.AGENT)
    token = _token_from_mail(smtp_server)
    mallory_client = Client()
    mallory_client.force_login(mallory.user)
    url = reverse("workspaces:invitation-accept", args=[token])

    page = mallory_client.get(url)
    assert "workspaces/invitation_accept.html" in [t.name for t in page.templates]
    assert not Membership.objects.filter(user=mallory.user, workspace=workspace_a).exists()

    response = mallory_client.post(url)
    assert response.status_code == 302
    joined = Membership.objects.get(user=mallory.user, workspace=workspace_a)
    assert joined.role == Role.AGENT
    # The new workspace becomes the current one.
    assert mallory_client.get(reverse("workspaces:member-list")).context["current_workspace"] == (
        workspace_a
    )


@pytest.mark.django_db(transaction=True)
def test_existing_user_who_is_logged_out_is_sent_to_log_in(smtp_server, alice_client, mallory):
    _invite(alice_client, mallory.user.email)
    token = _token_from_mail(smtp_server)
    url = reverse("workspaces:invitation-accept", args=[token])
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workspaces:login"))
    assert "next=" in response["Location"]
    assert get_user_model().objects.filter(email=mallory.user.email).count() == 1


def _make_invitation(workspace, by, email="eve@example.com", **overrides):
    invitation, token = member_invite(workspace=workspace, by=by, email=email, role=Role.AGENT)
    if overrides:
        MemberInvitation.objects.filter(pk=invitation.pk).update(**overrides)
    return token


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["used", "expired", "forged", "empty-ish"])
def test_unusable_links_get_the_same_404_page(state, alice, workspace_a):
    if state == "used":
        token = _make_invitation(workspace_a, alice, accepted_at=timezone.now())
    elif state == "expired":
        token = _make_invitation(
            workspace_a, alice, expires_at=timezone.now() - timedelta(minutes=1)
        )
    elif state == "forged":
        _make_invitation(workspace_a, alice)
        token = "A" * 43
    else:
        token = "-"
    url = reverse("workspaces:invitation-accept", args=[token])
    for method in ("get", "post"):
        response = getattr(Client(), method)(url, {"first_name": "Eve", "password": NEW_PASSWORD})
        assert response.status_code == 404
        assert "workspaces/invitation_invalid.html" in [t.name for t in response.templates]
    assert not get_user_model().objects.filter(email="eve@example.com").exists()
    assert Membership.objects.filter(workspace=workspace_a).count() == 1


@pytest.mark.django_db
def test_double_post_creates_one_membership(alice, workspace_a):
    """GIVEN a new person double-clicks "create my account" THEN one user and one membership
    exist and the second submit gets the invalid-link page."""
    token = _make_invitation(workspace_a, alice)
    first = _signup(Client(), token)
    second = _signup(Client(), token)
    assert first.status_code == 302
    assert second.status_code in (302, 404)
    assert get_user_model().objects.filter(email="eve@example.com").count() == 1
    assert (
        Membership.objects.filter(workspace=workspace_a, user__email="eve@example.com").count() == 1
    )
    assert MemberInvitation.objects.get().accepted_at is not None


@pytest.mark.django_db
def test_double_post_by_a_logged_in_user_creates_one_membership(alice, mallory, workspace_a):
    token = _make_invitation(workspace_a, alice, email=mallory.user.email)
    client = Client()
    client.force_login(mallory.user)
    url = reverse("workspaces:invitation-accept", args=[token])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(workspace=workspace_a, user=mallory.user).count() == 1


@pytest.mark.django_db
def test_only_the_token_hash_is_stored(alice, workspace_a):
    token = _make_invitation(workspace_a, alice)
    invitation = MemberInvitation.objects.get()
    assert invitation.token_hash == token_hash(token)
    assert len(token) >= 43  # 32 random bytes
    table = MemberInvitation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table name)
        rows = cursor.fetchall()
    assert rows
    assert all(token not in str(value) for row in rows for value in row)


@pytest.mark.django_db
def test_signup_with_a_weak_password_saves_nothing(alice, workspace_a):
    token = _make_invitation(workspace_a, alice)
    response = Client().post(
        reverse("workspaces:invitation-accept", args=[token]),
        {"first_name": "Eve", "password": "password"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not get_user_model().objects.filter(email="eve@example.com").exists()
    assert MemberInvitation.objects.get().accepted_at is None


@pytest.mark.django_db(transaction=True)
def test_inviting_an_existing_member_is_refused(smtp_server, alice_client, bob):
    response = _invite(alice_client, bob.user.email.upper())
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "This person is already a member of the workspace."
    ]
    assert not MemberInvitation.objects.exists()
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_invitation_survives_a_mail_server_failure(alice_client, settings):
    """GIVEN the mail server is down WHEN a manager invites THEN the page answers (no 500) and
    the invitation stays pending in the team page."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: connection refused
    settings.EMAIL_TIMEOUT = 2
    response = _invite(alice_client, "someone@example.com")
    assert response.status_code == 302
    assert MemberInvitation.objects.filter(email="someone@example.com").exists()
    team = alice_client.get(reverse("workspaces:member-list"))
    assert "someone@example.com" in team.content.decode()


@pytest.mark.django_db
def test_new_user_for_invitation_is_a_real_account(alice, workspace_a):
    token = _make_invitation(workspace_a, alice)
    client = Client()
    _signup(client, token)
    client.post(reverse("workspaces:logout"))
    response = client.post(
        reverse("workspaces:login"), {"username": "eve@example.com", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert UserFactory._meta.model.objects.get(email="eve@example.com").check_password(NEW_PASSWORD)


# --- The invited address must be the account's --------------------------------------------------


@pytest.mark.django_db
def test_invitation_opened_by_another_logged_in_account_joins_nobody(alice, mallory, workspace_b):
    """GIVEN B's owner invites another address as owner WHEN A's owner, logged in, opens the
    link and posts THEN she is refused (403), no membership of B is created and the invitation
    stays usable for the person it was sent to."""
    invitation, token = member_invite(
        workspace=workspace_b, by=mallory, email="partner@example.com", role=Role.OWNER
    )
    client = Client()
    client.force_login(alice.user)
    url = reverse("workspaces:invitation-accept", args=[token])

    page = client.get(url)
    assert page.status_code == 403
    assert "workspaces/invitation_wrong_account.html" in [t.name for t in page.templates]
    response = client.post(url)
    assert response.status_code == 403
    assert not Membership.objects.filter(workspace=workspace_b, user=alice.user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_wrong_account_page_is_translated(alice, mallory, workspace_b):
    _invitation, token = member_invite(
        workspace=workspace_b, by=mallory, email="partner@example.com", role=Role.AGENT
    )
    client = Client()
    client.force_login(alice.user)
    page = client.get(
        reverse("workspaces:invitation-accept", args=[token]), HTTP_ACCEPT_LANGUAGE="it"
    )
    assert "è stato inviato a un altro indirizzo email" in page.content.decode()


@pytest.mark.django_db
def test_the_service_refuses_an_account_with_another_address(alice, mallory, workspace_b):
    from ascolto.workspaces.services import InvitationForAnotherAccount, invitation_accept

    invitation, _token = member_invite(
        workspace=workspace_b, by=mallory, email="partner@example.com", role=Role.OWNER
    )
    with pytest.raises(InvitationForAnotherAccount):
        invitation_accept(invitation=invitation, user=alice.user)
    assert not Membership.objects.filter(workspace=workspace_b, user=alice.user).exists()


@pytest.mark.django_db
def test_invited_address_matches_the_account_whatever_its_case(mallory, workspace_a, alice):
    token = _make_invitation(workspace_a, alice, email=mallory.user.email.upper())
    client = Client()
    client.force_login(mallory.user)
    assert client.post(reverse("workspaces:invitation-accept", args=[token])).status_code == 302
    assert Membership.objects.filter(workspace=workspace_a, user=mallory.user).exists()


# --- Withdraw and send again -------------------------------------------------------------------


def _pending(workspace, by, email="eve@example.com", role=Role.AGENT):
    return member_invite(workspace=workspace, by=by, email=email, role=role)


@pytest.mark.django_db
def test_manager_withdraws_a_pending_invitation_and_its_link_dies(alice, carol_client, workspace_a):
    invitation, token = _pending(workspace_a, alice)
    response = carol_client.post(reverse("workspaces:invitation-revoke", args=[invitation.pk]))
    assert response.status_code == 302
    assert not MemberInvitation.objects.filter(pk=invitation.pk).exists()
    assert Client().get(reverse("workspaces:invitation-accept", args=[token])).status_code == 404
    assert run_pending_tasks() >= 0  # nothing left to send for it
    team = carol_client.get(reverse("workspaces:member-list")).content.decode()
    assert reverse("workspaces:invitation-resend", args=[invitation.pk]) not in team


@pytest.mark.django_db
def test_manager_cannot_withdraw_an_owner_invitation(alice, carol_client, workspace_a):
    invitation, _token = _pending(workspace_a, alice, role=Role.OWNER)
    for name in ("workspaces:invitation-revoke", "workspaces:invitation-resend"):
        response = carol_client.post(reverse(name, args=[invitation.pk]))
        assert response.status_code == 403
    assert MemberInvitation.objects.filter(pk=invitation.pk).exists()
    html = carol_client.get(reverse("workspaces:member-list")).content.decode()
    assert reverse("workspaces:invitation-revoke", args=[invitation.pk]) not in html


@pytest.mark.django_db
def test_agent_cannot_withdraw_or_send_again(alice, bob_client, workspace_a):
    invitation, _token = _pending(workspace_a, alice)
    for name in ("workspaces:invitation-revoke", "workspaces:invitation-resend"):
        assert bob_client.post(reverse(name, args=[invitation.pk])).status_code == 403
    assert MemberInvitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.django_db
def test_outsider_gets_404_on_withdraw_and_send_again(alice, mallory_client, workspace_a):
    invitation, _token = _pending(workspace_a, alice)
    for name in ("workspaces:invitation-revoke", "workspaces:invitation-resend"):
        assert mallory_client.post(reverse(name, args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.attempts == 0


@pytest.mark.django_db
def test_withdraw_and_send_again_need_post(alice, alice_client, workspace_a):
    invitation, _token = _pending(workspace_a, alice)
    for name in ("workspaces:invitation-revoke", "workspaces:invitation-resend"):
        assert alice_client.get(reverse(name, args=[invitation.pk])).status_code == 405
    assert MemberInvitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.django_db
def test_an_accepted_invitation_cannot_be_withdrawn(alice, alice_client, workspace_a):
    invitation, _token = _pending(workspace_a, alice)
    MemberInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    alice_client.post(reverse("workspaces:invitation-revoke", args=[invitation.pk]))
    assert MemberInvitation.objects.filter(pk=invitation.pk).exists()


# --- Sent by the worker, retried, sent again -------------------------------------------------


def _smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: connection refused
    settings.EMAIL_TIMEOUT = 2


@pytest.mark.django_db(transaction=True)
def test_invitation_mail_is_retried_until_the_mail_server_takes_it(
    alice_client, settings, time_machine
):
    """GIVEN the mail server is down WHEN a manager invites THEN the page says the mail is on its
    way, the worker's attempt fails and is kept; WHEN the server is back and the sweeper runs
    after the back-off THEN the mail arrives once, with a working link."""
    from ascolto.core.sweep import sweep_all
    from ascolto.workspaces.services import member_invitations_sweep

    _smtp_down(settings)
    response = _invite(alice_client, "someone@example.com")
    assert response.status_code == 302
    invitation = MemberInvitation.objects.get(email="someone@example.com")
    assert invitation.state == "pending"
    assert invitation.attempts == 1
    assert invitation.sent_at is None
    team = alice_client.get(reverse("workspaces:member-list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "delayed, trying again" in team.content.decode()

    server = _start_smtp(settings)
    try:
        time_machine.move_to(timezone.now() + timedelta(hours=1))
        assert member_invitations_sweep() == 1
        run_pending_tasks()
        assert len(server.messages) == 1
        invitation.refresh_from_db()
        assert invitation.state == "done" and invitation.sent_at is not None
        token = _token_from_mail(server)
        assert token_hash(token) == invitation.token_hash
        sweep_all(now=timezone.now())
        run_pending_tasks()
        assert len(server.messages) == 1  # sent once
    finally:
        server.controller.stop()


def _start_smtp(settings):
    import socket

    from aiosmtpd.controller import Controller

    from conftest import SmtpServer, _CollectingSmtpHandler

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    messages: list = []
    controller = Controller(_CollectingSmtpHandler(messages), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_PORT = port
    return SmtpServer(controller, messages, {})


@pytest.mark.django_db(transaction=True)
def test_send_again_mails_the_same_link_and_extends_it(smtp_server, alice_client, time_machine):
    _invite(alice_client, "someone@example.com")
    assert len(smtp_server.messages) == 1
    first_token = _token_from_mail(smtp_server)
    invitation = MemberInvitation.objects.get()
    time_machine.move_to(timezone.now() + timedelta(days=8))  # expired
    assert (
        Client().get(reverse("workspaces:invitation-accept", args=[first_token])).status_code == 404
    )
    html = alice_client.get(reverse("workspaces:member-list")).content.decode()
    assert "someone@example.com" in html

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = alice_client.post(reverse("workspaces:invitation-resend", args=[invitation.pk]))
    assert response.status_code == 302
    run_pending_tasks()
    assert len(smtp_server.messages) == 2
    assert _token_from_mail(smtp_server) == first_token
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert (
        Client().get(reverse("workspaces:invitation-accept", args=[first_token])).status_code == 200
    )
