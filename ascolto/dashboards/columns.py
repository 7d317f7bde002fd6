"""The customer list's "Last heard" column (registered in `apps.py`): the latest answer or
interaction, read from `LastHeard` (one row per customer, kept by triggers), sortable in the
database."""

from __future__ import annotations

from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ascolto.customers.columns import CustomerColumn


def _annotate(workspace) -> dict:
    return {"col_last_heard": F("dashboard_last_heard__at")}


def _display(customer) -> str:
    value = getattr(customer, "col_last_heard", None)
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value).date(), "SHORT_DATE_FORMAT")


COLUMN = CustomerColumn(
    key="heard",
    label=_("Last heard"),
    order=30,
    sort_field="col_last_heard",
    annotate=_annotate,
    display=_display,
)
