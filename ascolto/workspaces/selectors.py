"""Reads for workspaces and members."""

from __future__ import annotations

from django.db.models import QuerySet

from ascolto.workspaces.models import MemberInvitation, Membership, Workspace


def member_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def invitation_pending_list(*, workspace: Workspace) -> QuerySet[MemberInvitation]:
    """Invitations not yet accepted, expired ones included (they can be sent again)."""
    return MemberInvitation.objects.filter(workspace=workspace, accepted_at__isnull=True).order_by(
        "-created_at"
    )


def workspace_ids_all(*, now=None) -> list[int]:
    """Every workspace's id: the scheduled jobs that run once per workspace fan out over it."""
    return list(Workspace.objects.order_by("pk").values_list("pk", flat=True))
