"""Migrations that are safe to run under load on PostgreSQL (docs/deployment.md, "Upgrading").

`ascolto migrate` runs while the previous release still serves. On PostgreSQL some operations
hold a lock that stops every read or write of a table for as long as they scan or rewrite it,
which on a large table is minutes of downtime. `risky_operations()` names them, for one
migration, against the state of the models before it; the test
`ascolto/ops/tests/test_migration_safety.py` runs it on every migration after the recorded
baseline (`migrations_baseline.txt`, the migrations released before the rule) and fails on any.

Refused on a table that exists before the migration (a table created by the same migration is
empty, and anything goes):

- an index built without `CONCURRENTLY` (`AddIndex`, a field or `AlterField` gaining
  `db_index` or `unique`, a `UniqueConstraint`, `unique_together`);
- a column's type changed (`AlterField` to another type, a shorter text, another precision);
  making a text longer is allowed (PostgreSQL changes only the catalogue);
- `NOT NULL` added to an existing column, or a new `NOT NULL` column without a default;
- a foreign key created and validated in one step (`AddField`/`AlterField` of a `ForeignKey`
  or `OneToOneField` with its constraint), and a `CheckConstraint` (validated in one step);
- a column or table renamed (the running release still uses the old name);
- `RunSQL` and `RunPython`, which this check cannot read.

A migration whose risky operations were looked at and are safe says so in a class attribute,
`lock_review = "why"` (e.g. "the table has a few rows per workspace"); the reason is the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

BASELINE = Path(__file__).with_name("migrations_baseline.txt")


@dataclass(frozen=True)
class Risk:
    migration: str
    operation: str
    why: str

    def __str__(self) -> str:
        return f"{self.migration}: {self.operation}: {self.why}"


def baseline() -> set[str]:
    return {
        line.strip()
        for line in BASELINE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }


def _existing(state: ProjectState, app_label: str, model_name: str) -> bool:
    return (app_label, model_name.lower()) in state.models


def _field(state: ProjectState, app_label: str, model_name: str, name: str):
    model = state.models.get((app_label, model_name.lower()))
    return model.fields.get(name) if model else None


def _indexed(field: models.Field) -> bool:
    return bool(field.db_index or field.unique) and not field.primary_key


def _is_fk(field: models.Field) -> bool:
    return isinstance(field, models.ForeignKey) and field.db_constraint


def _type_changes(old: models.Field, new: models.Field) -> str | None:
    if type(old) is not type(new) and old.get_internal_type() != new.get_internal_type():
        return f"column type {old.get_internal_type()} → {new.get_internal_type()}"
    old_len, new_len = getattr(old, "max_length", None), getattr(new, "max_length", None)
    if old_len != new_len and (new_len is not None and (old_len is None or new_len < old_len)):
        return f"text shortened ({old_len} → {new_len}): every row is checked"
    for attr in ("max_digits", "decimal_places"):
        if getattr(old, attr, None) != getattr(new, attr, None):
            return f"{attr} changed: the column is rewritten"
    return None


def operation_risks(  # noqa: C901, PLR0912 (one rule per kind of operation)
    operation, app_label: str, state: ProjectState, before: ProjectState | None = None
) -> list[str]:
    """Why `operation`, applied to `state`, would lock a table under load (empty if safe).
    `before` is the state before the migration: only its tables can be large."""
    before = before or state
    from django.contrib.postgres.operations import AddIndexConcurrently

    op = type(operation).__name__
    risks: list[str] = []
    if isinstance(operation, migrations.RunSQL | migrations.RunPython):
        return [f"{op} cannot be checked: write `lock_review` on the migration"]
    if isinstance(operation, AddIndexConcurrently):
        return []
    model_name = getattr(operation, "model_name", None) or getattr(operation, "name", None)
    if isinstance(operation, migrations.CreateModel | migrations.DeleteModel):
        return []
    if model_name is None or not _existing(before, app_label, model_name):
        return []  # a table made by this migration: empty
    if isinstance(operation, migrations.AddIndex):
        risks.append("index built without CONCURRENTLY (use AddIndexConcurrently)")
    elif isinstance(operation, migrations.AddConstraint):
        constraint = operation.constraint
        if isinstance(constraint, models.UniqueConstraint):
            risks.append("unique constraint builds its index without CONCURRENTLY")
        elif isinstance(constraint, models.CheckConstraint):
            risks.append("check constraint validated in one step (add NOT VALID, then VALIDATE)")
    elif isinstance(operation, migrations.AlterUniqueTogether | migrations.AlterIndexTogether):
        risks.append(f"{op} builds an index without CONCURRENTLY")
    elif isinstance(operation, migrations.AddField):
        field = operation.field
        if _indexed(field):
            risks.append("new column indexed without CONCURRENTLY")
        if _is_fk(field):
            risks.append("foreign key validated in one step (db_constraint=False, then NOT VALID)")
        has_default = field.has_default() or getattr(
            field, "db_default", models.NOT_PROVIDED
        ) is not (models.NOT_PROVIDED)
        if not field.null and not has_default and not field.many_to_many:
            risks.append("NOT NULL column without a default")
    elif isinstance(operation, migrations.AlterField):
        old = _field(state, app_label, model_name, operation.name)
        new = operation.field
        if old is not None:
            change = _type_changes(old, new)
            if change:
                risks.append(change)
            if old.null and not new.null:
                risks.append("NOT NULL added to an existing column: every row is checked")
            if _indexed(new) and not _indexed(old):
                risks.append("index built without CONCURRENTLY")
            if _is_fk(new) and not _is_fk(old):
                risks.append("foreign key validated in one step")
    elif isinstance(operation, migrations.RenameField | migrations.RenameModel):
        risks.append("renamed while the running release still uses the old name")
    return risks


def risky_operations(migration, state: ProjectState) -> list[Risk]:
    """Each risky operation of `migration`, `state` being the models before it. Nothing when
    the migration carries a `lock_review`."""
    label = f"{migration.app_label}.{migration.name}"
    if getattr(migration, "lock_review", ""):
        return []
    risks = []
    before = state
    for operation in migration.operations:
        for why in operation_risks(operation, migration.app_label, state, before):
            risks.append(Risk(label, operation.describe(), why))
        if type(operation).__name__.endswith("Concurrently") and migration.atomic:
            risks.append(Risk(label, operation.describe(), "CONCURRENTLY needs atomic = False"))
        state = state.clone()
        operation.state_forwards(migration.app_label, state)
    return risks


def migrations_after_baseline() -> list[tuple[object, ProjectState]]:
    """Every migration on disk that is not in the baseline, with the models' state before it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = baseline()
    out = []
    for key in loader.graph.nodes:
        if f"{key[0]}.{key[1]}" in known:
            continue
        migration = loader.graph.nodes[key]
        if not type(migration).__module__.startswith("ascolto."):
            continue
        out.append((migration, loader.project_state(key, at_end=False)))
    return out
