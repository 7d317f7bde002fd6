from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ascolto.core.leases import LeasedWork
from ascolto.customers.models import Customer
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.tenancy import SameWorkspaceMixin, WorkspaceQuerySet


class Notification(SameWorkspaceMixin, LeasedWork):
    """An alert for one member: shown in the app at once, and emailed (durably, with a lease
    and retries like every outgoing email). A notification whose recipient has no email
    address is created `done`; `emailed_at` says whether an email went out."""

    lease_seconds = 120
    max_attempts = 40
    retry_base_seconds = 30
    retry_cap_seconds = 15 * 60
    redispatch_after_seconds = 120

    class Kind(models.TextChoices):
        DETRACTOR = "detractor", _("Detractor answer")
        BROKEN_PROMISE = "broken_promise", _("Broken promise")
        CASE = "case", _("Case (complaint)")
        OTHER = "other", _("Other")

    same_workspace_fields = {
        "recipient": _("The recipient must be a member of this workspace."),
        "customer": None,
    }

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    # The words in each language of the interface, written when the notification is made
    # (`notification_texts`): each reader sees their own language, each email goes out in
    # the recipient's. A text missing in one language falls back to the other.
    title_it = models.CharField(_("title (Italian)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    body_it = models.TextField(_("message (Italian)"), blank=True, max_length=10_000)
    body_en = models.TextField(_("message (English)"), blank=True, max_length=10_000)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(fields=["state", "next_attempt_at"], name="notification_email_queue"),
        ]

    def __str__(self) -> str:
        return self.title

    def _text(self, name: str) -> str:
        language = "en" if (get_language() or "it").startswith("en") else "it"
        other = "it" if language == "en" else "en"
        return getattr(self, f"{name}_{language}") or getattr(self, f"{name}_{other}")

    @property
    def title(self) -> str:
        """The title in the active language (the reader's, or the email's recipient's)."""
        return self._text("title")

    @property
    def body(self) -> str:
        return self._text("body")
