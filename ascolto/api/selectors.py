"""Reads of the connection layer, scoped to one workspace."""

from __future__ import annotations

from django.db.models import QuerySet

from ascolto.api.models import ApiToken, WebhookDelivery, WebhookSubscription
from ascolto.workspaces.models import Workspace


def api_token_list(*, workspace: Workspace) -> QuerySet[ApiToken]:
    return ApiToken.objects.for_workspace(workspace).select_related("created_by__user")


def webhook_subscription_list(*, workspace: Workspace) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.for_workspace(workspace)


def webhook_delivery_list(
    *, workspace: Workspace, subscription: WebhookSubscription, limit: int = 100
) -> list[WebhookDelivery]:
    """The latest deliveries to one address, newest first."""
    return list(
        WebhookDelivery.objects.for_workspace(workspace).filter(subscription=subscription)[:limit]
    )
