"""Reads for the health app."""

from __future__ import annotations

from django.db.models import QuerySet

from ascolto.notifications.models import Notification
from ascolto.workspaces.models import Membership, Workspace


def notification_list_for_member(
    *, workspace: Workspace, member: Membership, unread_only: bool = False
) -> QuerySet[Notification]:
    qs = (
        Notification.objects.for_workspace(workspace)
        .filter(recipient=member)
        .select_related("customer")
        .order_by("-created_at", "-pk")
    )
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notification_unread_count(*, workspace: Workspace, member: Membership) -> int:
    return notification_list_for_member(
        workspace=workspace, member=member, unread_only=True
    ).count()
