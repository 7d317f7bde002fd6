"""Inviting people to a workspace: mail, sign-up, acceptance and unusable links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ascolto.workspaces.models import MemberInvitation, Membership, Role
from ascolto.workspaces.services import member_invite, token_hash
from ascolto.workspaces.tests.factories import UserFactory, WorkspaceFactory

JOIN = re.compile(r"https?://[^\s\"<>]+/account/join/([^\s\"<>/]+)/")
NEW_PASSWORD = "the-river-is-wide-today"


def _invite(client: Client, email: str, role: str = Role.AGENT, language: str = "en"):
    return client.post(
        reverse("workspaces:member-invite"),
        {"email": email, "role": role},
        HTTP_ACCEPT_LANGUAGE=language,
    )


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


def _make_invitation(workspace, by, **overrides):
    invitation, token = member_invite(
        workspace=workspace, by=by, email="eve@example.com", role=Role.AGENT
    )
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
    token = _make_invitation(workspace_a, alice)
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
