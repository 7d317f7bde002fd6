"""The health panel of the customer page: the score, its level, the reasons and the trend."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest

from ascolto.customers.models import Customer
from ascolto.customers.panels import CustomerPanel
from ascolto.health import measures
from ascolto.health.charts import history_svg
from ascolto.health.selectors import health_score_history
from ascolto.lib.periods import workspace_today

HISTORY_DAYS = 180


def health_panel_context(*, request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The latest score and the last 180 days of history, in one query."""
    workspace = request.workspace  # type: ignore[attr-defined]
    since = workspace_today(workspace) - timedelta(days=HISTORY_DAYS)
    history = list(health_score_history(workspace=workspace, customer=customer, since=since))
    if not history:
        return {"health": None}
    latest = history[-1]
    return {
        "health": latest,
        "health_reasons": [
            {
                "points": c["points"],
                "label": measures.MEASURE_LABELS.get(c["measure"], c["measure"]),
                "text": measures.sentence(c["measure"], c["band"], c["params"]),
            }
            for c in latest.contributions
        ],
        "health_missing": [measures.MEASURE_LABELS.get(m, m) for m in latest.missing],
        "health_flags": [measures.FLAG_LABELS.get(f, f) for f in latest.flags],
        "health_action": measures.next_action(latest.contributions),
        "health_chart": history_svg(history) if len(history) > 1 else None,
    }


PANELS = [
    CustomerPanel(
        name="health-score",
        slot="aside",
        order=5,
        template="health/_health_panel.html",
        context=health_panel_context,
    ),
]
