"""The Django admin asks for the second step of the sign-in (docs/security.md): a staff
account with an authenticator signs in to /admin/ with its password and a code (or a recovery
code); one whose workspace requires the step and has no authenticator is refused until it sets
one up; a session signed in with the password alone does not open the admin."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from ascolto.workspaces.tests.factories import PASSWORD
from ascolto.workspaces.tests.test_two_factor import _enrol, totp

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
LOGIN = "/admin/login/"


def _staff(member):
    member.user.is_staff = True
    member.user.is_superuser = True
    member.user.save()
    return member.user


def _admin_login(user, code: str = "") -> tuple[Client, int]:
    client = Client()
    response = client.post(
        f"{LOGIN}?next={ADMIN}",
        {"username": user.username, "password": PASSWORD, "code": code, "next": ADMIN},
    )
    return client, response.status_code


def test_a_staff_account_without_an_authenticator_signs_in_with_its_password(alice):
    user = _staff(alice)
    client, status = _admin_login(user)
    assert status == 302
    assert client.get(ADMIN).status_code == 200


def test_with_an_authenticator_the_admin_wants_its_code(alice, alice_client):
    user = _staff(alice)
    secret, codes = _enrol(alice_client)
    # The login form shows the code field.
    assert 'name="code"' in Client().get(LOGIN).content.decode()

    # Password alone: refused, with the form's message; the admin stays closed.
    client, status = _admin_login(user)
    assert status == 200
    assert client.get(ADMIN).status_code == 302
    # A wrong code: the same.
    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
    client, status = _admin_login(user, wrong)
    assert status == 200 and client.get(ADMIN).status_code == 302

    # A session signed in on the main site with the password only does not open the admin.
    site = Client()
    assert site.post("/account/login/", {"username": user.username, "password": PASSWORD})[
        "Location"
    ]
    assert site.get(ADMIN).status_code == 302

    # A recovery code opens it, once.
    time.sleep(2.1)  # the wrong code slowed the device down
    client, status = _admin_login(user, codes[0])
    assert status == 302 and client.get(ADMIN).status_code == 200
    again, status = _admin_login(user, codes[0])
    assert status == 200 and again.get(ADMIN).status_code == 302

    # The app's next code opens it too.
    client, status = _admin_login(user, totp(secret, time.time() + 30))
    assert status == 302 and client.get(ADMIN).status_code == 200


def test_a_workspace_that_requires_it_keeps_the_admin_closed_until_it_is_set_up(alice, workspace_a):
    user = _staff(alice)
    workspace_a.require_two_factor = True
    workspace_a.save(update_fields=["require_two_factor"])
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD, "next": ADMIN})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors().as_data()
    assert [e.code for e in errors] == ["two_factor_setup"]
    assert client.get(ADMIN).status_code == 302
