"""The dashboards' database triggers survive every migration (docs/dashboards.md).

The triggers live on other apps' tables (responses, invitations, customers, segments,
interactions) and write the dashboards' own. A migration that changes one of those tables can
drop them (SQLite rebuilds a table to change it, and the old table's triggers go with it) or
fail (PostgreSQL refuses to change the type of a column a trigger names). So:

- the triggers in the database after migrating are exactly those declared in
  `dashboards/triggers.py`;
- no migration that may run after a table's triggers exist changes that table (or one they
  write) with an operation that rebuilds or alters it, unless wrapped in `KeepTriggers`; the
  check is shown to catch an `AlterField` added without it;
- `KeepTriggers` really keeps them, on a real SQLite file and on PostgreSQL, where the bare
  operation loses them or fails.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, migrations, models, transaction
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState

from ascolto.audit.triggers import TRIGGERS as AUDIT_TRIGGERS
from ascolto.dashboards.triggers import TRIGGERS as DASHBOARD_TRIGGERS
from ascolto.lib.dbtriggers import KeepTriggers, triggers_in

Node = tuple[str, str]

# Every trigger the migrations create, by app: name -> (table, creating migration).
DECLARED: dict[str, tuple[str, tuple[str, str]]] = {
    **{name: (table, ("dashboards", m)) for name, (table, m) in DASHBOARD_TRIGGERS.items()},
    **{name: (table, ("audit", m)) for name, (table, m) in AUDIT_TRIGGERS.items()},
}

# Operations that never rebuild a table nor change a column's type.
SAFE = (
    ops.CreateModel,
    ops.AddIndex,
    ops.RemoveIndex,
    ops.RenameIndex,
    ops.AlterModelOptions,
    ops.AlterModelManagers,
    ops.RunPython,  # hand-written: its author answers for it (see docs/dashboards.md)
    ops.RunSQL,
)


def _plain_column(field: models.Field) -> bool:
    """An added column both databases add in place (`ALTER TABLE ... ADD COLUMN`): nullable,
    no default, not unique, not a key."""
    return (
        field.null
        and not field.unique
        and not field.primary_key
        and not field.many_to_many
        and not field.has_default()
        and not field.has_db_default()
    )


def _database_operations(operation: ops.base.Operation) -> Iterator[ops.base.Operation]:
    """What an operation does to the database: `SeparateDatabaseAndState` by its database
    operations; `KeepTriggers` nothing a trigger would notice."""
    if isinstance(operation, KeepTriggers):
        return
    if isinstance(operation, ops.SeparateDatabaseAndState):
        for inner in operation.database_operations:
            yield from _database_operations(inner)
        return
    yield operation


def _changed_table(operation: ops.base.Operation, app_label: str, state: ProjectState) -> str:
    """The table an operation may rebuild or alter ("" when it cannot break a trigger)."""
    if isinstance(operation, SAFE):
        return ""
    if isinstance(operation, ops.AddField) and _plain_column(operation.field):
        return ""
    name = getattr(operation, "model_name", None) or getattr(operation, "name", None)
    model = state.models.get((app_label, str(name).lower())) if name else None
    if model is None:
        return ""
    return model.options.get("db_table") or f"{app_label}_{model.name_lower}"


def _plan(loader: MigrationLoader) -> list[Node]:
    """Every migration, each after all it depends on (an order `migrate` may take)."""
    plan: list[Node] = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        plan += [node for node in loader.graph.forwards_plan(leaf) if node not in plan]
    return plan


def migration_problems(loader: MigrationLoader, guarded: dict[str, set[Node]]) -> list[str]:
    """The operations that change a `guarded` table (table -> the migrations that create
    triggers on it or writing to it) without `KeepTriggers`, in a migration that may run after
    one of those: one line each."""
    ancestors = {
        creator: set(loader.graph.forwards_plan(creator))
        for creators in guarded.values()
        for creator in creators
    }
    state = ProjectState(real_apps=loader.unmigrated_apps)
    problems = []
    for node in _plan(loader):
        migration = loader.graph.nodes[node]
        for operation in migration.operations:
            for change in _database_operations(operation):
                table = _changed_table(change, migration.app_label, state)
                late = [c for c in guarded.get(table, ()) if node != c and node not in ancestors[c]]
                if late:
                    problems.append(
                        f"{node[0]}.{node[1]}: {change.describe()} changes {table}, which "
                        f"carries or feeds triggers of {', '.join(sorted(c[1] for c in late))}: "
                        "wrap it in ascolto.lib.dbtriggers.KeepTriggers (docs/dashboards.md)"
                    )
            operation.state_forwards(migration.app_label, state)
    return problems


def guarded_tables() -> dict[str, set[Node]]:
    """From the catalog: every table a trigger fires on or names, with the migrations that
    create those triggers (the dashboards' counts, the audit log's append-only guard)."""
    found = triggers_in(connection)
    return {
        table: creators
        for table in connection.introspection.table_names()
        if (
            creators := {
                DECLARED[t.name][1] for t in found if t.name in DECLARED and t.reads(table)
            }
        )
    }


# --- the declared triggers are the database's --------------------------------------------------


@pytest.mark.django_db
def test_the_database_has_exactly_the_declared_triggers():
    found = {t.name: t.table for t in triggers_in(connection)}
    assert found == {name: table for name, (table, _migration) in DECLARED.items()}
    assert len(found) == 26  # the dashboards' 24 and the audit log's 2


# --- every migration keeps them -----------------------------------------------------------------


@pytest.fixture
def guarded(db) -> dict[str, set[Node]]:
    tables = guarded_tables()
    # The tables the triggers fire on, and those they write.
    assert {"feedback_response", "feedback_invitation", "customers_customer"} <= set(tables)
    assert {"interactions_interaction", "customers_segment", "dashboards_dailyscore"} <= set(tables)
    assert {"audit_auditentry", "audit_auditpurgepermit"} <= set(tables)
    return tables


def test_no_migration_changes_a_table_with_triggers_without_keeping_them(guarded):
    assert migration_problems(MigrationLoader(None, ignore_no_migrations=True), guarded) == []


def _with_migration(operations: list[ops.base.Operation]) -> MigrationLoader:
    """The project's migrations plus one more of the feedback app, after its latest."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest = max(node for node in loader.graph.leaf_nodes() if node[0] == "feedback")
    added = Migration("9999_added", "feedback")
    added.dependencies = [latest]
    added.operations = operations
    loader.graph.add_node(("feedback", added.name), added)
    loader.graph.add_dependency(added, ("feedback", added.name), latest)
    return loader


LONGER_KIND = migrations.AlterField(
    model_name="response", name="kind", field=models.CharField(max_length=16, blank=True)
)


def test_the_check_catches_an_alter_field_that_does_not_keep_the_triggers(guarded):
    """GIVEN a new feedback migration WHEN it alters a response column bare, adds a column with
    a default, or removes one THEN each is reported; wrapped in KeepTriggers, or adding a plain
    nullable column, nothing is."""
    bare = [
        LONGER_KIND,
        migrations.AddField("response", "channel", models.CharField(max_length=5, default="web")),
        migrations.RemoveField("invitation", "opened_at"),
    ]
    problems = migration_problems(_with_migration(bare), guarded)
    assert len(problems) == 3
    assert problems[0].startswith("feedback.9999_added: Alter field kind on response changes ")
    assert "feedback_response" in problems[0] and "0002_daily_rollups" in problems[0]
    assert "feedback_invitation" in problems[2]
    kept = [
        KeepTriggers(LONGER_KIND),
        migrations.AddField("response", "note", models.TextField(null=True)),
        migrations.AddIndex("response", models.Index(fields=["language"], name="response_lang")),
    ]
    assert migration_problems(_with_migration(kept), guarded) == []


# --- KeepTriggers keeps them, for real -----------------------------------------------------------


def _alter(operation: ops.base.Operation) -> None:
    """Apply one more operation of the feedback app to the database, as `migrate` would."""
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    after = state.clone()
    operation.state_forwards("feedback", after)
    with connection.schema_editor() as editor:
        operation.database_forwards("feedback", editor, state, after)


# Run in a process of its own on a migrated SQLite file (whatever database the tests use).
ALTER_ON_SQLITE = """
import json
import django
django.setup()
from django.db import DatabaseError, connection
from ascolto.dashboards.tests.test_triggers import LONGER_KIND, _alter
from ascolto.lib.dbtriggers import KeepTriggers, triggers_in

before = triggers_in(connection)
try:
    _alter(LONGER_KIND)
    bare = "done"
except DatabaseError as exc:
    bare = str(exc)
after_bare = triggers_in(connection)
_alter(KeepTriggers(LONGER_KIND))
after = triggers_in(connection)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA table_info(feedback_response)")
    kind = next(row[2] for row in cursor.fetchall() if row[1] == "kind")
print(json.dumps({
    "bare": bare,
    "lost_by_bare": sorted({t.name for t in before} - {t.name for t in after_bare}),
    "kept": after == before,
    "count": len(after),
    "kind": kind,
}))
"""


def _count_one_answer(path) -> int:
    """Insert a response of score 9 (foreign keys off) and return what the daily count says."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        columns = db.execute("PRAGMA table_info(feedback_response)").fetchall()
        values = {
            name: 0 if kind.upper() in ("INTEGER", "BIGINT", "BOOL", "SMALLINT") else "x"
            for _cid, name, kind, notnull, _default, pk in columns
            if notnull and not pk
        }
        values.update(workspace_id=7, kind="nps", score=9, submitted_at="2026-03-02 10:00:00")
        names = ", ".join(values)
        marks = ", ".join("?" * len(values))
        insert = f"INSERT INTO feedback_response ({names}) VALUES ({marks})"  # noqa: S608
        db.execute(insert, list(values.values()))
        row = db.execute(
            "SELECT n FROM dashboards_dailyscore WHERE workspace_id = 7 AND day = '2026-03-02'"
        ).fetchone()
    return 0 if row is None else row[0]


def _sqlite_env(folder) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(ASCOLTO_DATA_DIR=str(folder), DJANGO_SETTINGS_MODULE="ascolto.settings")
    return env


def _python(args: list[str], folder) -> str:
    done = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, *args],
        env=_sqlite_env(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def migrated_sqlite_file(tmp_path_factory):
    """A SQLite file migrated by `ascolto migrate` in a process of its own."""
    folder = tmp_path_factory.mktemp("migrated")
    _python(["-m", "ascolto", "migrate", "--no-input", "-v0"], folder)
    return folder / "ascolto.sqlite3"


def test_keep_triggers_keeps_them_through_a_table_rebuild_on_sqlite(migrated_sqlite_file, tmp_path):
    """GIVEN a migrated SQLite file WHEN a migration lengthens `Response.kind` (SQLite rebuilds
    the table) THEN bare, the rebuild fails (another table's trigger reads the table while it is
    being replaced) and the triggers are as they were; inside KeepTriggers it succeeds, every
    trigger is back as it was, and a new answer is still counted."""
    shutil.copy(migrated_sqlite_file, tmp_path / "ascolto.sqlite3")
    result = json.loads(_python(["-c", ALTER_ON_SQLITE], tmp_path).splitlines()[-1])
    assert result["bare"].startswith("error in trigger dashboards_"), result["bare"]
    assert "no such table: main.feedback_response" in result["bare"]
    assert result["lost_by_bare"] == []  # the failed migration was rolled back
    assert result["kind"] == "varchar(16)"  # the change was made
    assert result["kept"] and result["count"] == 26
    assert _count_one_answer(tmp_path / "ascolto.sqlite3") == 1


@pytest.mark.django_db
def test_keep_triggers_lets_a_counted_column_change_type_on_postgresql():
    """GIVEN PostgreSQL WHEN a migration changes the type of `Response.kind`, which the score
    triggers name THEN bare it fails; inside KeepTriggers it succeeds and every trigger is back
    with the same definition (all inside the test's transaction, rolled back after)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the test run uses SQLite")
    before = triggers_in(connection)
    with pytest.raises(DatabaseError, match="used in a trigger definition"):
        with transaction.atomic():
            _alter(LONGER_KIND)
    _alter(KeepTriggers(LONGER_KIND))
    assert triggers_in(connection) == before
