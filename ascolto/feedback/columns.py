"""The customer list's "Last NPS" column (registered in `apps.py`), sortable in the database."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from ascolto.customers.columns import CustomerColumn
from ascolto.feedback.models import Response, Survey


def _annotate(workspace) -> dict:
    latest = Response.objects.filter(
        customer=OuterRef("pk"), kind=Survey.Kind.NPS, score__isnull=False
    ).order_by("-submitted_at", "-pk")
    return {"col_last_nps": Subquery(latest.values("score")[:1])}


def _display(customer) -> str:
    value = getattr(customer, "col_last_nps", None)
    return "" if value is None else str(value)


COLUMN = CustomerColumn(
    key="nps",
    label=_("Last NPS"),
    order=20,
    sort_field="col_last_nps",
    annotate=_annotate,
    display=_display,
)
