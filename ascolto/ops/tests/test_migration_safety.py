"""Migrations run under load: none may lock a large table on PostgreSQL (docs/deployment.md).

GIVEN every migration after the recorded baseline
WHEN each operation is checked against the models' state before it
THEN none builds an index without CONCURRENTLY, changes a column's type, adds NOT NULL without
    a default, validates a foreign key in one step, renames, or runs SQL or Python unreviewed;
    and the check refuses example migrations that do.
"""

from __future__ import annotations

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from ascolto.ops import migration_safety


def test_no_migration_after_the_baseline_locks_a_table():
    risks = [
        risk
        for migration, state in migration_safety.migrations_after_baseline()
        for risk in migration_safety.risky_operations(migration, state)
    ]
    assert risks == [], "\n".join(str(r) for r in risks) + "\n(see docs/deployment.md)"


def test_the_baseline_names_only_migrations_that_exist():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    existing = {f"{app}.{name}" for app, name in loader.graph.nodes}
    assert migration_safety.baseline() - existing == set()


def _current_state():
    return MigrationLoader(None, ignore_no_migrations=True).project_state()


def _migration(*operations, app="customers", **attrs):
    migration = type("Migration", (migrations.Migration,), attrs)("9999_example", app)
    migration.operations = list(operations)
    return migration


RISKY = [
    (
        migrations.AddIndex(
            "customer", models.Index(fields=["name"], name="customer_name_example")
        ),
        "index built without CONCURRENTLY",
    ),
    (
        migrations.AlterField("customer", "name", models.TextField()),
        "column type",
    ),
    (
        migrations.AddField("customer", "code_example", models.CharField(max_length=10)),
        "NOT NULL column without a default",
    ),
    (
        migrations.AddField(
            "customer",
            "buddy_example",
            models.ForeignKey("customers.customer", null=True, on_delete=models.SET_NULL),
        ),
        "foreign key validated in one step",
    ),
    (
        migrations.AddField(
            "customer", "ref_example", models.CharField(max_length=10, default="", db_index=True)
        ),
        "indexed without CONCURRENTLY",
    ),
    (
        migrations.RunSQL("UPDATE customers_customer SET name = upper(name)"),
        "RunSQL cannot be checked",
    ),
    (migrations.RenameField("customer", "name", "full_name"), "renamed"),
]


@pytest.mark.parametrize(("operation", "why"), RISKY, ids=[type(o).__name__ for o, _ in RISKY])
def test_a_risky_migration_is_refused(operation, why):
    risks = migration_safety.risky_operations(_migration(operation), _current_state())
    assert len(risks) >= 1
    assert any(why in risk.why for risk in risks), [str(r) for r in risks]


def test_the_safe_patterns_pass():
    state = _current_state()
    safe = _migration(
        AddIndexConcurrently(
            "customer", models.Index(fields=["name"], name="customer_name_example")
        ),
        migrations.AddField(
            "customer", "note_example", models.CharField(max_length=10, default="", blank=True)
        ),
        migrations.AddField("customer", "seen_example", models.DateTimeField(null=True)),
        migrations.AddField(
            "customer",
            "buddy_example",
            models.ForeignKey(
                "customers.customer",
                null=True,
                on_delete=models.SET_NULL,
                db_constraint=False,
                db_index=False,
            ),
        ),
        migrations.CreateModel(
            "Example",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("code", models.CharField(max_length=5)),
            ],
        ),
        migrations.AddIndex("example", models.Index(fields=["code"], name="example_code")),
        atomic=False,
    )
    assert migration_safety.risky_operations(safe, state) == []


def test_a_concurrent_index_inside_a_transaction_is_refused():
    index = models.Index(fields=["name"], name="customer_name_example")
    risks = migration_safety.risky_operations(
        _migration(AddIndexConcurrently("customer", index)), _current_state()
    )
    assert [r.why for r in risks] == ["CONCURRENTLY needs atomic = False"]


def test_a_reviewed_migration_passes():
    reviewed = _migration(
        migrations.RunSQL("UPDATE customers_customer SET name = upper(name)"),
        lock_review="Example: the table has a handful of rows.",
    )
    assert migration_safety.risky_operations(reviewed, _current_state()) == []
