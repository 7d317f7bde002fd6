"""New rows written with one hand-built `INSERT ... RETURNING`, for the busiest write paths.

`insert_rows` does what `bulk_create` does for these paths (no `save()`, no signals, which the
models written this way do not rely on: `Submission`, `Response`, `Answer`), for a fraction of
its processor time: the statement is built once per process, model, row count and database
from the model's own concrete fields (so a column added later is written too), and no model
instance is made. Measured in docs/benchmarks.md ("Survey submissions"); the reasons are in
docs/submissions.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

# Fields whose value, when it is already an int, str or bool (or None), is what the database
# gets: `get_db_prep_save` would return it unchanged, so the busy path skips that call.
_PLAIN_FIELDS = (
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.AutoField,
    models.BigAutoField,
    models.CharField,
    models.TextField,
    models.BooleanField,
)
_PLAIN_VALUES = (int, str, bool, type(None))


def _is_plain(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return type(field.target_field) in _PLAIN_FIELDS
    return type(field) in _PLAIN_FIELDS


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    fields: tuple[models.Field, ...]
    plain: tuple[bool, ...]


_STATEMENTS: dict[tuple[type[models.Model], int, str, bool], _Statement] = {}


def _statement(
    db: Any, model: type[models.Model], count: int, *, skip_conflicts: bool
) -> _Statement:
    key = (model, count, db.vendor, skip_conflicts)
    statement = _STATEMENTS.get(key)
    if statement is None:
        meta = model._meta
        fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
        quote = db.ops.quote_name
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        columns = ", ".join(quote(f.column) for f in fields)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (quoted names)
            f"VALUES {', '.join([one] * count)} "
            f"{'ON CONFLICT DO NOTHING ' if skip_conflicts else ''}"
            f"RETURNING {quote(meta.pk.column)}"
        )
        statement = _STATEMENTS[key] = _Statement(sql, fields, tuple(_is_plain(f) for f in fields))
    return statement


def insert_rows(
    cursor: Any,
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    skip_conflicts: bool = False,
) -> list[int]:
    """Store `rows` (new rows of `model`, as {attname: value}; a field left out gets its
    default) with one INSERT ... RETURNING and return their primary keys, in order. With
    `skip_conflicts`, a row that would break a unique constraint is left out (`ON CONFLICT DO
    NOTHING`) and has no key in the result."""
    if not rows:
        return []
    db = cursor.db  # the connection itself: cheaper than the `connection` proxy, per field
    statement = _statement(db, model, len(rows), skip_conflicts=skip_conflicts)
    params = []
    for row in rows:
        for field, plain in zip(statement.fields, statement.plain, strict=True):
            value = row[field.attname] if field.attname in row else field.get_default()
            if not (plain and type(value) in _PLAIN_VALUES):
                value = field.get_db_prep_save(value, db)
            params.append(value)
    cursor.execute(statement.sql, params)
    return [pk for (pk,) in cursor.fetchall()]
