"""Two-step sign-in: a code from an authenticator app (TOTP, through django-otp) after the
password, or one of ten recovery codes. An owner can require it of owners and managers.

See docs/security.md. Secrets never leave these functions except the two things a person must
see once: the app's set-up link (as a QR code) and the fresh recovery codes.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets

import segno
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from ascolto.workspaces import hooks
from ascolto.workspaces.models import Membership, RecoveryCode, Role

logger = logging.getLogger("ascolto.security")

RECOVERY_CODES = 10
# 10 characters of an alphabet without look-alikes (no i, l, o, 0, 1): 49 bits each.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_APP_CODE = re.compile(r"[0-9]{6}")
_RECOVERY = re.compile(r"[a-z0-9]{10}")
_HEX_KEY = re.compile(r"[0-9a-f]{40}")


def two_factor_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def two_factor_required(membership: Membership) -> bool:
    """True when the workspace asks this member's role for two-step sign-in."""
    return membership.workspace.require_two_factor and membership.has_role(Role.MANAGER)


def two_factor_enrol_start(*, user: User, pending_key: str | None) -> TOTPDevice:
    """An authenticator being set up, not saved: the key lives in the person's session until
    they type a code it made (`pending_key`, hex; a new one when None), so opening the page
    writes nothing."""
    if two_factor_device(user) is not None:
        raise ValidationError(_("Two-step sign-in is already on."))
    key = pending_key if pending_key and _HEX_KEY.fullmatch(pending_key) else default_key()
    return TOTPDevice(user=user, name="app", key=key, confirmed=False)


def two_factor_qr_svg(device: TOTPDevice) -> str:
    """The set-up link as a QR code, an SVG data URI drawn here (nothing is fetched)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def two_factor_secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _app_code(code: str) -> str | None:
    """Six plain digits, spaces allowed between them; anything else is not a code."""
    compact = "".join((code or "").split())
    return compact if _APP_CODE.fullmatch(compact) else None


def _verify_app_code(device: TOTPDevice, code: str) -> bool:
    digits = _app_code(code)
    if digits is None:
        return False
    with transaction.atomic():
        # Locked, so one code is accepted once even when two requests bring it together.
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return bool(locked.verify_token(digits))


def _recovery_hash(code: str) -> str:
    return salted_hmac("ascolto.recovery-code", code, algorithm="sha256").hexdigest()


def _recovery_codes_new(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_recovery_hash(code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def two_factor_enrol_confirm(*, user: User, pending_key: str | None, code: str) -> list[str]:
    """Turn on the authenticator whose key the person's session holds, once they typed a code
    it made; return the recovery codes, which are shown once and then exist only as hashes."""
    if not pending_key or not _HEX_KEY.fullmatch(pending_key):
        raise ValidationError(_("Start the set-up again: the page was out of date."))
    device = TOTPDevice(user=user, name="app", key=pending_key, confirmed=True)
    digits = _app_code(code)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if digits is None or not totp.verify(int(digits), device.tolerance):
        raise ValidationError(_("That code is not right. Check the phone's clock and try again."))
    device.last_t = totp.t()  # the code just typed cannot be used again to sign in
    with transaction.atomic():
        if two_factor_device(user) is not None:
            raise ValidationError(_("Two-step sign-in is already on."))
        TOTPDevice.objects.filter(user=user).delete()
        device.save()
        codes = _recovery_codes_new(user)
        hooks.two_factor_changed.call(action="two_factor.enabled", user=user)
    logger.info("two-factor enrolled: user=%s", user.pk)
    return codes


def two_factor_verify(*, user: User, code: str) -> TOTPDevice | None:
    """Check a code from the app or a recovery code (used up by this call). Returns the device
    to mark the session with, or None when the code is wrong."""
    device = two_factor_device(user)
    if device is None:
        return None
    if _verify_app_code(device, code):
        return device
    compact = "".join(ch for ch in (code or "").lower() if ch not in " -")
    if _RECOVERY.fullmatch(compact):
        with transaction.atomic():
            used = RecoveryCode.objects.filter(
                user=user, code_hash=_recovery_hash(compact), used_at__isnull=True
            ).update(used_at=timezone.now())
            if used:
                hooks.two_factor_changed.call(action="two_factor.recovery_used", user=user)
        if used:
            logger.info("recovery code used: user=%s", user.pk)
            return device
    logger.warning("two-factor code refused: user=%s", user.pk)
    return None


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), for someone who proves the app."""
    device = two_factor_device(user)
    if device is None or not _verify_app_code(device, code):
        raise ValidationError(_("That code is not right. Check the phone's clock and try again."))
    with transaction.atomic():
        codes = _recovery_codes_new(user)
        hooks.two_factor_changed.call(action="two_factor.recovery_renewed", user=user)
        return codes


def two_factor_disable(*, user: User, code: str) -> None:
    """Turn two-step sign-in off (with a current code), unless a workspace requires it."""
    required = [
        m.workspace.name
        for m in Membership.objects.select_related("workspace").filter(user=user)
        if two_factor_required(m)
    ]
    if required:
        raise PermissionDenied
    device = two_factor_device(user)
    if device is None or not _verify_app_code(device, code):
        raise ValidationError(_("That code is not right. Check the phone's clock and try again."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        hooks.two_factor_changed.call(action="two_factor.disabled", user=user)
    logger.info("two-factor disabled: user=%s", user.pk)
