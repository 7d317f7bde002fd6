"""The customer list's "Open cases" column (registered in `apps.py`), sortable in the
database."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ascolto.cases.models import OPEN_STATUSES, Case
from ascolto.customers.columns import CustomerColumn


def _annotate(workspace) -> dict:
    open_ = (
        Case.objects.filter(customer=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {"col_open_cases": Coalesce(Subquery(open_, output_field=IntegerField()), Value(0))}


def _display(customer) -> str:
    value = getattr(customer, "col_open_cases", 0)
    return str(value) if value else ""


COLUMN = CustomerColumn(
    key="cases",
    label=_("Open cases"),
    order=40,
    sort_field="col_open_cases",
    annotate=_annotate,
    display=_display,
)
