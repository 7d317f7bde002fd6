from __future__ import annotations

from django.db.models import QuerySet

from ascolto.privacy.models import DataRequest
from ascolto.workspaces.models import Workspace


def data_request_list(*, workspace: Workspace, limit: int = 100) -> list[DataRequest]:
    """Open requests first (soonest due first), then the answered ones, newest first."""
    base: QuerySet[DataRequest] = DataRequest.objects.for_workspace(workspace).select_related(
        "customer", "handled_by__user"
    )
    open_requests = list(base.filter(done_at__isnull=True).order_by("due_at", "pk")[:limit])
    answered = list(base.filter(done_at__isnull=False).order_by("-done_at", "-pk")[:limit])
    return open_requests + answered
