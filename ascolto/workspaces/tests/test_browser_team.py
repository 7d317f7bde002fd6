"""The team page in a real browser: roles, removal with confirmation, invitations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ascolto.core.testing import run_pending_tasks
from ascolto.workspaces.models import MemberInvitation, Membership, Role
from ascolto.workspaces.tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_manages_the_team(page, alice, bob, carol, smtp_server, artifacts_dir):
    """
    GIVEN alice owns a workspace with bob (agent) and carol (manager)
    WHEN she logs in, promotes bob, cancels and then confirms carol's removal, and invites someone
    THEN each change is saved once, the invitation mail leaves, and no CSP error occurs.
    """
    page.goto("/account/login/")
    expect(page.locator("input[name=username]")).to_be_focused()
    page.fill("input[name=username]", alice.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))

    page.goto("/account/team/")
    page.select_option(f"#role-{bob.pk}", Role.MANAGER)
    page.locator(f"#member-{bob.pk} form[action$='/role/'] button").click()
    expect(page.locator(".message-success")).to_be_visible()
    bob.refresh_from_db()
    assert bob.role == Role.MANAGER

    remove = page.locator(f"#member-{carol.pk} button.btn-danger")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    assert Membership.objects.filter(pk=carol.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(page.locator(f"#member-{carol.pk}")).to_have_count(0)
    assert not Membership.objects.filter(pk=carol.pk).exists()

    page.fill("input[name=email]", "nuova@example.com")
    page.locator("form[action$='/team/invite/'] button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("body")).to_contain_text("nuova@example.com")
    assert MemberInvitation.objects.filter(email="nuova@example.com").count() == 1
    run_pending_tasks()  # the worker sends the invitation
    assert len(smtp_server.messages) == 1
    page.screenshot(path=str(artifacts_dir / "team.png"), full_page=True)
