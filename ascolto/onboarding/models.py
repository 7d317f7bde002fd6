from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.onboarding.sectors import Sector
from ascolto.workspaces.models import Workspace
from ascolto.workspaces.tenancy import WorkspaceQuerySet


class Onboarding(models.Model):
    """How a workspace was started (its sector) and where its owner is with the first steps.

    The checklist's ticks come from the data itself (customers, invitations sent, members);
    only what the data cannot say is kept here: that the owner looked at the promise catalogue,
    and that they put the checklist away."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="onboarding")
    sector = models.CharField(
        _("sector"), max_length=16, choices=Sector.choices, default=Sector.OTHER
    )
    created_at = models.DateTimeField(default=timezone.now)
    promises_reviewed_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("getting started")
        verbose_name_plural = _("getting started")

    def __str__(self) -> str:
        return f"{self.workspace} ({self.sector})"
