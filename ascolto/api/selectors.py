"""Reads of the connection layer, scoped to one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from ascolto.api.models import ApiToken
from ascolto.workspaces.models import Workspace


def api_token_list(*, workspace: Workspace) -> QuerySet[ApiToken]:
    return ApiToken.objects.for_workspace(workspace).select_related("created_by__user")
