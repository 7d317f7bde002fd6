"""The lower apps' events, turned into webhook deliveries (registered in `ApiConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from ascolto.api.models import WebhookEvent
from ascolto.api.services.webhooks import webhook_event_emit


def response_stored(*, response: Any) -> None:
    data = {
        "response_id": response.pk,
        "survey_id": response.survey_id,
        "customer_id": response.customer_id,
        "kind": response.kind,
        "score": response.score,
        "band": response.band,
        "submitted_at": response.submitted_at,
    }
    webhook_event_emit(
        workspace_id=response.workspace_id, event=WebhookEvent.RESPONSE_RECEIVED, data=data
    )
    if response.is_detractor:
        webhook_event_emit(
            workspace_id=response.workspace_id, event=WebhookEvent.RESPONSE_DETRACTOR, data=data
        )


def promise_broken(*, crisis: Any) -> None:
    check = crisis.promise_check
    webhook_event_emit(
        workspace_id=crisis.workspace_id,
        event=WebhookEvent.PROMISE_BROKEN,
        data={
            "crisis_id": crisis.pk,
            "promise_id": crisis.promise_id,
            "customer_id": crisis.customer_id,
            "check_id": check.pk,
            "interaction_id": check.interaction_id,
            "occurred_at": check.occurred_at,
            "measured": check.measured,
            "reason": check.reason,
        },
    )


def customer_lost(*, record: Any) -> None:
    webhook_event_emit(
        workspace_id=record.workspace_id,
        event=WebhookEvent.CUSTOMER_LOST,
        data={
            "customer_id": record.customer_id,
            "lost_on": record.lost_on,
            "reason": record.reason.code,
            "competitor": record.competitor,
        },
    )
