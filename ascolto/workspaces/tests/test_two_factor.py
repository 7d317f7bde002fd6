"""Two-step sign-in (test plan S08): an authenticator app's codes, recovery codes, and an owner
requiring it of owners and managers.

The codes are computed here from the secret shown on the set-up page, with RFC 6238 written
out (HMAC-SHA1, 30-second steps, six digits), the way a phone's app computes them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from ascolto.workspaces.models import RecoveryCode
from ascolto.workspaces.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SETUP = "/account/two-step/setup/"
VERIFY = "/account/two-step/code/"
CUSTOMERS = "/customers/"


def totp(secret: str, at: float | None = None, step: int = 30) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _secret_on_page(html: str) -> str:
    return re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', html).group(1)


def _enrol(client: Client) -> tuple[str, list[str]]:
    """Set up the app through the pages; returns the secret and the recovery codes shown."""
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn on the server
    secret = _secret_on_page(html)
    shown = client.post(SETUP, {"code": totp(secret)})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", shown.content.decode())
    return secret, codes


def _login(user) -> Client:
    client = Client()
    response = client.post(
        "/account/login/", {"username": user.username, "password": PASSWORD}, follow=False
    )
    assert response.status_code == 302
    return client


def test_enrol_with_a_real_code_shows_ten_recovery_codes_once_stored_hashed(alice, alice_client):
    secret, codes = _enrol(alice_client)
    assert len(codes) == 10 and len(set(codes)) == 10
    device = TOTPDevice.objects.get(user=alice.user)
    assert device.confirmed
    stored = list(RecoveryCode.objects.filter(user=alice.user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert all(plain not in value for value in stored)
    # The codes are not shown again: the status page only counts them.
    status = alice_client.get("/account/two-step/").content.decode()
    assert codes[0] not in status
    assert "10" in status


def test_a_wrong_code_does_not_turn_it_on(alice, alice_client):
    html = alice_client.get(SETUP).content.decode()
    secret = _secret_on_page(html)
    wrong = f"{(int(totp(secret)) + 1) % 1_000_000:06d}"
    response = alice_client.post(SETUP, {"code": wrong})
    assert response.status_code == 400
    assert "Il codice non è giusto" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=alice.user, confirmed=True).exists()
    assert not RecoveryCode.objects.exists()


def test_after_the_password_the_app_code_is_asked_before_anything_else(alice, alice_client):
    secret, _codes = _enrol(alice_client)
    client = _login(alice.user)
    response = client.get(CUSTOMERS)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    # Every private page waits for the code, not only the first.
    assert client.get("/dashboard/").status_code == 302

    # An earlier step's code (used at set-up) is refused; the current one lets them in.
    bad = client.post(VERIFY, {"code": totp(secret, time.time() - 300), "next": CUSTOMERS})
    assert bad.status_code == 400
    # A wrong code slows the device down: even the right one waits a second after it.
    assert client.post(VERIFY, {"code": totp(secret, time.time() + 30)}).status_code == 400
    time.sleep(2.1)  # two wrong tries: 2 s
    # (The next step's code: the set-up used this one's, and apps may run a little fast.)
    good = client.post(VERIFY, {"code": totp(secret, time.time() + 30), "next": CUSTOMERS})
    assert good.status_code == 302 and good["Location"] == CUSTOMERS
    assert client.get(CUSTOMERS).status_code == 200


def test_a_code_is_accepted_once(alice, alice_client):
    secret, _codes = _enrol(alice_client)
    code = totp(secret, time.time() + 30)  # a step the set-up did not use
    first, second = _login(alice.user), _login(alice.user)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    assert second.post(VERIFY, {"code": code}).status_code == 400
    assert second.get(CUSTOMERS).status_code == 302


def test_recovery_code_works_once(alice, alice_client):
    _secret, codes = _enrol(alice_client)
    first, second = _login(alice.user), _login(alice.user)
    assert first.post(VERIFY, {"code": codes[3].upper()}).status_code == 302
    assert first.get(CUSTOMERS).status_code == 200
    assert second.post(VERIFY, {"code": codes[3]}).status_code == 400
    assert RecoveryCode.objects.filter(user=alice.user, used_at__isnull=False).count() == 1


@pytest.mark.parametrize(
    "shape", ["{}{}", "{}0", "١٢٣٤٥٦", "1_2345", " {}\x00", "x" * 500, "\u202e{}"]
)
def test_codes_of_other_shapes_are_refused(alice, alice_client, shape):
    secret, _codes = _enrol(alice_client)
    client = _login(alice.user)
    current = totp(secret, time.time() + 30)
    code = shape.replace("{}", current)
    if code.strip() == current:
        pytest.fail("the shape must differ from the plain code")
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert client.get(CUSTOMERS).status_code == 302


def test_owner_requires_it_and_managers_are_sent_to_set_it_up(
    alice, alice_client, carol, carol_client, bob_client
):
    # The owner enrols first (the setting applies to owners too), then turns the rule on.
    _enrol(alice_client)
    response = alice_client.post(
        "/account/workspace/",
        {
            "name": alice.workspace.name,
            "language": "it",
            "time_zone": "Europe/Rome",
            "currency": "EUR",
            "require_two_factor": "on",
        },
    )
    assert response.status_code == 302
    alice.workspace.refresh_from_db()
    assert alice.workspace.require_two_factor

    # A manager without an app goes to the set-up page from any page, and can set it up.
    response = carol_client.get(CUSTOMERS)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    _secret, codes = _enrol(carol_client)
    assert len(codes) == 10
    assert carol_client.get(CUSTOMERS).status_code == 200
    # An agent is not asked.
    assert bob_client.get(CUSTOMERS).status_code == 200
    # While it is required, a manager cannot turn theirs off.
    carol_client.post("/account/two-step/off/", {"code": "000000"})
    assert TOTPDevice.objects.filter(user=carol.user, confirmed=True).exists()


def test_only_an_owner_sets_the_requirement(carol, carol_client):
    response = carol_client.post(
        "/account/workspace/",
        {
            "name": "X",
            "language": "it",
            "time_zone": "Europe/Rome",
            "currency": "EUR",
            "require_two_factor": "on",
        },
    )
    assert response.status_code == 403
    carol.workspace.refresh_from_db()
    assert not carol.workspace.require_two_factor


def test_turning_it_off_needs_a_current_code(alice, alice_client):
    secret, _codes = _enrol(alice_client)
    alice_client.post("/account/two-step/off/", {"code": "123456"})
    assert TOTPDevice.objects.filter(user=alice.user).exists()
    time.sleep(1.1)  # the wrong code slowed the device down for a second
    alice_client.post("/account/two-step/off/", {"code": totp(secret, time.time() + 30)})
    assert not TOTPDevice.objects.filter(user=alice.user).exists()
    assert not RecoveryCode.objects.filter(user=alice.user).exists()


@pytest.mark.parametrize("target", ["0001-01-01", "//evil.example/", "https://evil.example/"])
def test_the_code_page_goes_on_only_to_a_page_of_this_site(alice_client, target):
    # Without an authenticator the code page sends on at once: to the page asked for, if ours.
    response = alice_client.get(VERIFY, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
