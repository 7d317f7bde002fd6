"""The registry of the customer list's columns, each sortable in the database.

The customers app owns the list and its own columns (name, status, account owner, added); a
higher app adds a column in its `AppConfig.ready()`, so the list never imports it:

    # ascolto/health/apps.py
    customer_columns.register(
        CustomerColumn(
            key="score",
            label=_("Health"),
            order=10,
            annotate=lambda workspace: {"col_score": Subquery(...)},  # one value per customer
            sort_field="col_score",
            display=lambda customer: ...,  # the cell's text
        )
    )

`?sort=KEY` orders ascending, `?sort=-KEY` descending (empty values last either way), then by
name; the sort stays in the URL, in the page links and in the filter form. Unknown keys fall
back to the name. See docs/architecture.md (registries) and docs/health.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer
from ascolto.workspaces.models import Workspace


@dataclass(frozen=True)
class CustomerColumn:
    key: str
    label: Any
    order: int
    sort_field: str
    annotate: Callable[[Workspace], dict[str, Any]] | None = None
    display: Callable[[Customer], str] | None = None  # None: a built-in cell of the template
    css: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class CustomerColumns:
    def __init__(self) -> None:
        self._columns: dict[str, CustomerColumn] = {}

    def register(self, column: CustomerColumn) -> None:
        self._columns[column.key] = column

    def __iter__(self) -> Iterator[CustomerColumn]:
        return iter(sorted(self._columns.values(), key=lambda c: (c.order, c.key)))

    def get(self, key: str) -> CustomerColumn | None:
        return self._columns.get(key)

    def extra(self) -> list[CustomerColumn]:
        """The columns higher apps added (shown after the built-in ones)."""
        return [c for c in self if c.display is not None]


customer_columns = CustomerColumns()
for _column in (
    CustomerColumn("name", _("Name"), 0, "name"),
    CustomerColumn("status", _("Status"), 2, "status"),
    CustomerColumn("owner", _("Account owner"), 4, "account_owner__user__first_name"),
    CustomerColumn("added", _("Added"), 90, "created_at"),
):
    customer_columns.register(_column)

DEFAULT_SORT = "name"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """`(key, descending)` of a `?sort=` value; an unknown key is the default, ascending."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if customer_columns.get(key) is None:
        return DEFAULT_SORT, False
    return key, descending


def customers_sorted(
    qs: QuerySet[Customer], *, workspace: Workspace, sort: str | None
) -> QuerySet[Customer]:
    """`qs` with every registered column's value annotated and ordered by `sort` in the
    database (empty values last), then by name and id."""
    for column in customer_columns:
        if column.annotate is not None:
            qs = qs.annotate(**column.annotate(workspace))
    key, descending = parse_sort(sort)
    column = customer_columns.get(key)
    assert column is not None
    expression = F(column.sort_field)
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return qs.order_by(ordered, "name", "pk")
