from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.workspaces.models import Workspace


class Action(models.TextChoices):
    """What happened. The value is the stable name written in the log line."""

    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login.failed", _("Failed sign-in")
    LOGOUT = "logout", _("Signed out")
    LOCKOUT = "login.lockout", _("Locked out after failed sign-ins")
    ACCESS_REFUSED = "access.refused", _("Refused access to another workspace's data")
    INVITATION_CREATED = "member.invited", _("Member invited")
    INVITATION_RESENT = "member.invitation_resent", _("Member invitation sent again")
    INVITATION_REVOKED = "member.invitation_revoked", _("Member invitation withdrawn")
    MEMBER_JOINED = "member.joined", _("Member joined")
    ROLE_CHANGED = "member.role_changed", _("Role changed")
    MEMBER_REMOVED = "member.removed", _("Member removed")
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
    TWO_FACTOR_ENABLED = "two_factor.enabled", _("Two-step sign-in turned on")
    TWO_FACTOR_DISABLED = "two_factor.disabled", _("Two-step sign-in turned off")
    RECOVERY_CODE_USED = "two_factor.recovery_used", _("Recovery code used")
    RECOVERY_CODES_RENEWED = "two_factor.recovery_renewed", _("New recovery codes made")
    EXPORT = "export", _("Data exported")
    CHECK_OVERRIDE = "check.override", _("Promise check overridden")
    PERSON_SEARCH = "privacy.search", _("Person searched")
    PERSON_EXPORT = "privacy.export", _("Personal data exported")
    PERSON_ERASED = "privacy.erase", _("Personal data erased")
    RETENTION_RUN = "privacy.retention", _("Old data removed (retention)")


class AuditEntryQuerySet(models.QuerySet):
    """Entries are written once and never changed: `update()` and `delete()` refuse."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit entries cannot be changed.")

    def delete(self) -> NoReturn:
        raise TypeError("Audit entries cannot be deleted; retention uses purge_before().")

    def purge_before(self, cutoff: Any) -> int:
        """Delete the entries older than `cutoff` (the retention job's only way to delete). The
        database's triggers refuse the DELETE unless a permit for that cutoff exists in the
        same transaction (docs/audit.md)."""
        with transaction.atomic():
            permit = AuditPurgePermit.objects.create(before=cutoff)
            deleted = models.QuerySet.delete(self.filter(at__lt=cutoff))[0]
            permit.delete()
        return deleted


class AuditEntry(models.Model):
    """One security-relevant event: who did what, where, from which address, when (UTC).

    Append-only: `save()` only inserts, `delete()` refuses. Personal data stays out: the actor is
    a user id plus a masked address (`m***@example.it`), the object is a kind and an id, never a
    name; free text written here has control characters removed."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    who = models.CharField(_("who"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    object_type = models.CharField(_("object"), max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "-at"], name="audit_ws_at"),
            models.Index(fields=["user", "-at"], name="audit_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%dT%H:%M:%SZ} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or kwargs.get("force_update"):
            raise TypeError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Audit entries cannot be deleted.")


class AuditPurgePermit(models.Model):
    """What the audit table's triggers let be deleted, for the length of one transaction: the
    entries older than `before` (retention), those of one workspace being deleted
    (`workspace_id`), or all of them (`everything`: emptying the whole database, as the test
    suite's flush does). Written and removed again in the transaction that deletes; never
    left behind. See docs/audit.md."""

    before = models.DateTimeField(null=True, blank=True)
    workspace_id = models.BigIntegerField(null=True, blank=True)
    everything = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("audit deletion permit")
        verbose_name_plural = _("audit deletion permits")

    def __str__(self) -> str:
        return f"permit {self.pk}"
