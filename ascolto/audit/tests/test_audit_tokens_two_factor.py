"""API tokens and two-step sign-in in the audit log (test plan S18): a token made or revoked,
an authenticator turned on or off, a recovery code used, new recovery codes; never a secret;
the owners' page lists them, and in a real browser."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import default_key
from playwright.sync_api import expect

from ascolto.api.services.tokens import api_token_create, api_token_revoke
from ascolto.audit.models import Action, AuditEntry
from ascolto.workspaces.tests.factories import PASSWORD
from ascolto.workspaces.tests.test_two_factor import VERIFY, _enrol, _login, totp
from ascolto.workspaces.twofactor import two_factor_enrol_confirm


def _actions(**filters) -> list[str]:
    return list(
        AuditEntry.objects.filter(**filters).order_by("pk").values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_token_made_and_revoked_are_recorded_without_the_token(alice, workspace_a, caplog):
    new = api_token_create(workspace=workspace_a, by=alice, name="Gestionale", role="manager")
    api_token_revoke(token=new.token, by=alice)
    api_token_revoke(token=new.token, by=alice)  # twice changes nothing, records nothing
    entries = list(AuditEntry.objects.filter(object_type="apitoken").order_by("pk"))
    assert [e.action for e in entries] == [Action.TOKEN_CREATED, Action.TOKEN_REVOKED]
    assert all(
        (e.workspace_id, e.user_id, e.object_id)
        == (workspace_a.pk, alice.user_id, str(new.token.pk))
        for e in entries
    )
    assert entries[0].detail == "manager"
    secret = new.raw.rsplit("_", 1)[1]
    stored = " ".join(f"{e.who} {e.detail} {e.object_id}" for e in entries)
    assert secret not in stored and secret not in caplog.text


@pytest.mark.django_db
def test_two_factor_changes_are_recorded(alice, alice_client):
    secret, codes = _enrol(alice_client)
    client = _login(alice.user)
    assert client.post(VERIFY, {"code": codes[0], "next": "/"}).status_code == 302
    assert alice_client.post(
        "/account/two-step/recovery-codes/", {"code": totp(secret, time.time() + 30)}
    )
    time.sleep(0.1)
    assert alice_client.post("/account/two-step/off/", {"code": totp(secret, time.time() + 60)})
    assert [a for a in _actions(user=alice.user) if a.startswith("two_factor.")] == [
        Action.TWO_FACTOR_ENABLED,
        Action.RECOVERY_CODE_USED,
        Action.RECOVERY_CODES_RENEWED,
        Action.TWO_FACTOR_DISABLED,
    ]
    assert AuditEntry.objects.filter(
        action=Action.RECOVERY_CODE_USED, ip="127.0.0.1", workspace=None
    ).exists()
    stored = " ".join(AuditEntry.objects.values_list("detail", flat=True))
    assert codes[0] not in stored and codes[0].replace("-", "") not in stored


def _rows(response) -> str:
    """The table's rows (the filter's list names every action)."""
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


@pytest.mark.django_db
def test_the_owners_page_lists_them(alice, alice_client, workspace_a, mallory_client, mallory):
    _enrol(alice_client)
    api_token_create(workspace=workspace_a, by=alice, name="Gestionale")
    html = _rows(alice_client.get(reverse("audit:audit-list")))
    assert "Token API creato" in html
    assert "Accesso in due passaggi attivato" in html  # alice's own, outside any workspace
    # Another workspace's owner sees neither.
    theirs = _rows(mallory_client.get(reverse("audit:audit-list")))
    assert "Token API creato" not in theirs
    assert "Accesso in due passaggi attivato" not in theirs
    assert not AuditEntry.objects.filter(user=mallory.user, action__startswith="token.").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_owner_reads_token_and_two_factor_entries_in_a_browser(
    page, alice, workspace_a, artifacts_dir
):
    """GIVEN an owner who turned on two-step sign-in, made and revoked an API token WHEN they
    open the audit log and filter it by "API token revoked" THEN the rows are there, in words,
    with who and when."""
    key = default_key()
    secret = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    two_factor_enrol_confirm(user=alice.user, pending_key=key, code=totp(secret))
    new = api_token_create(workspace=workspace_a, by=alice, name="Gestionale")
    api_token_revoke(token=new.token, by=alice)
    page.goto("/account/login/")
    page.fill("input[name=username]", alice.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action$='/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/two-step/code/"))
    page.fill("input[name=code]", totp(secret, time.time() + 30))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    page.goto("/audit/")
    table = page.locator("main table")
    expect(table).to_contain_text("API token created")
    expect(table).to_contain_text("API token revoked")
    expect(table).to_contain_text("Two-step sign-in turned on")
    page.screenshot(path=artifacts_dir / "audit-log.png", full_page=True)
    page.select_option("select[name=action]", Action.TOKEN_REVOKED.value)
    page.locator("form.filters button[type=submit]").click()
    expect(table).to_contain_text("API token revoked")
    expect(table).not_to_contain_text("API token created")
