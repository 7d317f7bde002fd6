"""Database triggers in migrations: read them from the catalog, and keep them across a change
of the tables they live on.

The dashboards keep their counts with triggers on other apps' tables (docs/dashboards.md). A
migration that changes such a table can break them: on SQLite most changes rebuild the table
(a new table, the rows copied, the old one dropped with its triggers, the new one renamed),
and SQLite refuses the rename while another table's trigger reads the dropped one; on
PostgreSQL a column named in a trigger's `UPDATE OF` or `WHEN` cannot change its type. So such
a migration wraps its operations in `KeepTriggers`:

    KeepTriggers(
        migrations.AlterField(model_name="response", name="language", field=...),
    )

which drops every trigger on, or reading, the tables the operations touch, runs them, and
creates the triggers again exactly as the catalog had them. `ascolto/dashboards/tests/
test_triggers.py` fails when a migration changes such a table without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.migrations.operations.base import Operation


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str  # the table it fires on
    sql: str  # the statement that creates it (SQLite: as written; PostgreSQL: as it reads back)

    def reads(self, table: str) -> bool:
        """Whether the trigger fires on `table` or names it in its statement."""
        return self.table == table or re.search(rf"\b{re.escape(table)}\b", self.sql) is not None


def triggers_in(connection: Any) -> list[Trigger]:
    """The triggers of the connection's database (SQLite's, or those of the current schema on
    PostgreSQL, leaving out the ones PostgreSQL makes for foreign keys), by name.

    On PostgreSQL a trigger calls a function, whose body (not the trigger's statement) names
    the tables it writes; `reads` sees those through `Trigger.sql`, which here is the trigger's
    definition followed by its function's body."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            )
            return [Trigger(name, table, sql) for name, table, sql in cursor.fetchall()]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid), p.prosrc "
                "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY t.tgname"
            )
            return [
                _PgTrigger(name, table, definition, body)
                for name, table, definition, body in cursor.fetchall()
            ]
    raise NotImplementedError(f"triggers of {connection.vendor} databases")


@dataclass(frozen=True)
class _PgTrigger(Trigger):
    body: str = ""

    def reads(self, table: str) -> bool:
        return super().reads(table) or re.search(rf"\b{re.escape(table)}\b", self.body) is not None


def _drop(connection: Any, trigger: Trigger) -> str:
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        return f"DROP TRIGGER {quote(trigger.name)}"
    return f"DROP TRIGGER {quote(trigger.name)} ON {quote(trigger.table)}"


class KeepTriggers(Operation):
    """Run `operations` with the triggers on, or reading, the tables they touch set aside:
    dropped before, created again after, as the catalog had them (see the module docstring).

    The operations' tables are those of the models they name, before and after them. Triggers
    are functions of the tables' columns: an operation that removes or renames a column a
    trigger uses needs the trigger rewritten by its owner (a dashboards migration), not kept.
    """

    reduces_to_sql = False

    def __init__(self, *operations: Operation) -> None:
        self.operations = list(operations)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, list(self.operations), {}

    @property
    def reversible(self) -> bool:  # type: ignore[override]
        return all(op.reversible for op in self.operations)

    def state_forwards(self, app_label: str, state: Any) -> None:
        for operation in self.operations:
            operation.state_forwards(app_label, state)

    def tables(self, app_label: str, state: Any) -> set[str]:
        """The tables of the models the operations name, in `state`."""
        names = set()
        for operation in self.operations:
            name = getattr(operation, "model_name", None) or getattr(operation, "name", None)
            if not name:
                continue
            try:
                model = state.apps.get_model(app_label, name)
            except LookupError:  # a model created or deleted by these operations
                continue
            names.add(model._meta.db_table)
        return names

    def _around(self, schema_editor: Any, tables: set[str], run: Any) -> None:
        connection = schema_editor.connection
        kept = [t for t in triggers_in(connection) if any(t.reads(table) for table in tables)]
        for trigger in kept:
            schema_editor.execute(_drop(connection, trigger))
        run()
        for trigger in kept:
            schema_editor.execute(trigger.sql)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        def run() -> None:
            state = from_state
            for operation in self.operations:
                after = state.clone()
                operation.state_forwards(app_label, after)
                operation.database_forwards(app_label, schema_editor, state, after)
                state = after

        tables = self.tables(app_label, from_state) | self.tables(app_label, to_state)
        self._around(schema_editor, tables, run)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        def run() -> None:
            states = [to_state]
            for operation in self.operations[:-1]:
                states.append(states[-1].clone())
                operation.state_forwards(app_label, states[-1])
            after = from_state
            for operation, before in zip(reversed(self.operations), reversed(states), strict=True):
                operation.database_backwards(app_label, schema_editor, after, before)
                after = before

        tables = self.tables(app_label, from_state) | self.tables(app_label, to_state)
        self._around(schema_editor, tables, run)

    def describe(self) -> str:
        inner = "; ".join(op.describe() for op in self.operations)
        return f"Keep the database triggers while: {inner}"
