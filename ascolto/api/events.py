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


def _case_data(case: Any) -> dict[str, Any]:
    return {
        "case_id": case.pk,
        "customer_id": case.customer_id,
        "category": case.category.code,
        "severity": case.severity,
        "status": case.status,
        "owner_id": case.owner_id,
        "opened_at": case.opened_at,
        "acknowledge_due_at": case.acknowledge_due_at,
        "respond_due_at": case.respond_due_at,
        "resolve_due_at": case.resolve_due_at,
    }


def case_changed(*, case: Any, event: Any) -> None:
    """`case.opened` for a new case, `case.status_changed` for every move (reopening too)."""
    data = _case_data(case)
    if event.kind == "opened":
        webhook_event_emit(
            workspace_id=case.workspace_id, event=WebhookEvent.CASE_OPENED, data=data
        )
        return
    data.update(
        {
            "from_status": event.from_status,
            "to_status": event.to_status,
            "changed_at": event.at,
            "outcome": case.outcome,
            "reopened": event.kind == "reopened",
        }
    )
    webhook_event_emit(
        workspace_id=case.workspace_id, event=WebhookEvent.CASE_STATUS_CHANGED, data=data
    )


def case_clock_missed(*, case: Any, clock: str, due_at: Any) -> None:
    data = _case_data(case)
    data.update({"clock": clock, "due_at": due_at})
    webhook_event_emit(
        workspace_id=case.workspace_id, event=WebhookEvent.CASE_CLOCK_MISSED, data=data
    )


def health_level_dropped(*, score: Any, from_level: str) -> None:
    webhook_event_emit(
        workspace_id=score.workspace_id,
        event=WebhookEvent.HEALTH_LEVEL_DROPPED,
        data={
            "customer_id": score.customer_id,
            "day": score.day,
            "from_level": from_level,
            "to_level": score.level,
            "score": score.score,
            "flags": list(score.flags or []),
        },
    )
