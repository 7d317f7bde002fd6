from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models

from ascolto.audit.models import AuditEntry
from ascolto.workspaces.models import Membership, Workspace


def audit_entry_list(
    *,
    workspace: Workspace,
    action: str = "",
    user_id: int | None = None,
    ip: str = "",
    start: date | None = None,
    end: date | None = None,
    zone: ZoneInfo | None = None,
) -> models.QuerySet[AuditEntry]:
    """The workspace's entries, newest first: those written in it, and the sign-ins, sign-outs,
    failed sign-ins and lockouts (written outside any workspace) of its current members."""
    members = Membership.objects.filter(workspace=workspace).values("user_id")
    entries = AuditEntry.objects.filter(
        models.Q(workspace=workspace) | models.Q(workspace__isnull=True, user_id__in=members)
    )
    if action:
        entries = entries.filter(action=action)
    if user_id:
        entries = entries.filter(user_id=user_id)
    if ip:
        entries = entries.filter(ip=ip)
    if start is not None:
        entries = entries.filter(at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end is not None:
        entries = entries.filter(
            at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        )
    return entries.select_related("user").order_by("-at", "-pk")
