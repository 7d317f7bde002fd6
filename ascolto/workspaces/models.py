from __future__ import annotations

import hashlib
import hmac
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork
from ascolto.lib.business_calendar import (
    DEFAULT_OPENING_HOURS,
    BusinessCalendar,
    parse_closed_days,
    parse_day_hours,
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def default_opening_hours() -> list[str]:
    return list(DEFAULT_OPENING_HOURS)


class Language(models.TextChoices):
    ITALIAN = "it", _("Italian")
    ENGLISH = "en", _("English")


class Workspace(models.Model):
    """One business. Everything a business owns hangs from its workspace and never crosses it."""

    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ITALIAN
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Rome", validators=[validate_time_zone]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # How the business addresses its customers in Italian (survey texts written for them):
    # "Lei" by default, as most Italian businesses do; "tu" for those on first-name terms.
    customer_address = models.CharField(
        _("address customers as"),
        max_length=3,
        choices=[("lei", _("Lei (formal)")), ("tu", _("tu (informal)"))],
        default="lei",
        help_text=_("In Italian, for the texts customers read in new surveys."),
    )
    require_two_factor = models.BooleanField(
        _("owners and managers must use two-step sign-in"),
        default=False,
        help_text=_(
            "Owners and managers without it are asked to set it up before they can do anything else."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # When the business is open (see ascolto/lib/business_calendar.py): promises "in business
    # hours" count only these minutes. Seven lines, Monday first, as the owner typed them.
    opening_hours = models.JSONField(_("opening hours"), default=default_opening_hours)
    closed_days = models.TextField(
        _("closed days"),
        blank=True,
        max_length=5_000,
        help_text=_(
            "One a line: a day (08/12/2026) or a period (24/12/2026 - 06/01/2027); "
            "without the year it repeats every year (10/08 - 23/08 summer closure)."
        ),
    )
    public_holidays = models.BooleanField(_("closed on Italian public holidays"), default=True)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.currency = (self.currency or "").upper()
        errors: dict[str, list[ValidationError]] = {}
        if len(self.currency) != 3 or not self.currency.isalpha():
            errors["currency"] = [
                ValidationError(_("Use a three-letter currency code such as EUR."))
            ]
        hours = self.opening_hours
        if not isinstance(hours, list) or len(hours) != 7:
            errors["opening_hours"] = [ValidationError(_("Give the hours of all seven days."))]
        else:
            for line in hours:
                try:
                    parse_day_hours(str(line))
                except ValidationError as exc:
                    errors.setdefault("opening_hours", []).append(exc)
        try:
            parse_closed_days(self.closed_days)
        except ValidationError as exc:
            errors["closed_days"] = [exc]
        if errors:
            raise ValidationError(errors)

    @property
    def calendar(self) -> BusinessCalendar:
        """When the business is open, for promises in business hours."""
        return BusinessCalendar.from_settings(
            opening_hours=self.opening_hours,
            closed_days=self.closed_days,
            public_holidays=self.public_holidays,
        )


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")


ROLE_RANK = {Role.AGENT: 1, Role.MANAGER: 2, Role.OWNER: 3}


class Membership(models.Model):
    """A user's place in a workspace, with the role that decides what they may do there."""

    other_workspace_message = _("The staff member must belong to this workspace.")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    # The language this person reads the app and their emails in (the last one they picked
    # with the language switch); blank: the workspace's.
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"], name="membership_unique_user_per_workspace"
            ),
        ]
        ordering = ["workspace", "user__first_name", "user__last_name", "user__email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = self.user.get_full_name().strip()
        return full or self.user.email or self.user.get_username()

    @property
    def own_language(self) -> str:
        """The language of this person's emails: their own choice, else the workspace's."""
        return self.language or self.workspace.language

    def has_role(self, role: str) -> bool:
        """True when this member's role is `role` or a more powerful one."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class MemberInvitation(LeasedWork):
    """An emailed invitation to join a workspace, and the durable work of emailing it.

    The link's token is never stored: the row keeps a random `token_salt` and the SHA-256 of
    the token, which is an HMAC of the salt under the site's secret key (`token`), so the send
    task can rebuild the link after a restart or a retry, and a copy of the database alone does
    not reveal any link. The email goes out like every other one: claimed with a lease, retried
    with back-off until the mail server takes it."""

    lease_seconds = 120
    max_attempts = 40
    retry_base_seconds = 30
    retry_cap_seconds = 15 * 60
    redispatch_after_seconds = 120

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    token_hash = models.CharField(max_length=64, unique=True)
    token_salt = models.CharField(max_length=64, blank=True, editable=False)
    invited_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()

    @property
    def token(self) -> str:
        """The link's token, rebuilt from the salt (empty for rows made before salts)."""
        if not self.token_salt:
            return ""
        return hmac.new(
            settings.SECRET_KEY.encode(),
            f"workspaces.invitation:{self.token_salt}".encode(),
            hashlib.sha256,
        ).hexdigest()


class PasswordResetEmail(LeasedWork):
    """One password-reset email to send, durably (lease, retries) like every other email.

    A row is written for every accepted reset request, also for an address that has no
    account (`user` empty: the task then sends nothing), so the request does the same work
    and takes the same time whether or not the account exists. No address is stored: the
    link and the address come from the user when the mail is built, and Django's reset tokens
    are computed then (they change when the password does, so an old mail stops working)."""

    lease_seconds = 120
    max_attempts = 20
    retry_base_seconds = 30
    retry_cap_seconds = 10 * 60
    redispatch_after_seconds = 120

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("password reset email")
        verbose_name_plural = _("password reset emails")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="pwreset_email_queue"),
        ]

    def __str__(self) -> str:
        return f"password reset {self.pk}"


class RecoveryCode(models.Model):
    """A one-time code that replaces the authenticator app once (a lost phone).

    Shown once when made; only a keyed SHA-256 of it is stored, so a copy of the database does
    not reveal any code. Using one stamps `used_at` with a conditional UPDATE: two requests with
    the same code cannot both get in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.code_hash[:8]}"
