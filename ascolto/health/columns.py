"""The customer list's "Health" column (registered in `apps.py`): the latest stored score and
its level, sortable in the database."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from ascolto.customers.columns import CustomerColumn
from ascolto.health.models import HealthScore, Level


def _annotate(workspace) -> dict:
    latest = HealthScore.objects.filter(customer=OuterRef("pk")).order_by("-day")
    return {
        "col_health_score": Subquery(latest.values("score")[:1]),
        "col_health_level": Subquery(latest.values("level")[:1]),
    }


def _display(customer) -> str:
    score = getattr(customer, "col_health_score", None)
    level = getattr(customer, "col_health_level", None)
    if score is None:
        return str(Level(level).label) if level else ""
    return f"{score} · {Level(level).label}"


COLUMN = CustomerColumn(
    key="health",
    label=_("Health"),
    order=10,
    sort_field="col_health_score",
    annotate=_annotate,
    display=_display,
)
