"""`LastHeard` carries a copy of the customer's segment, like its copy of the status, so the
overview filtered on a segment counts coverage in one index range and finds the silent
customers among few rows, instead of probing `LastHeard` for every customer of the segment.

The copy is kept by the two triggers of migration 0003 that keep the status (customer insert;
customer update, now of the segment too), replaced here by versions that also copy
`segment_id`. A deleted segment is followed too: Django sets its customers' segment to none
with an UPDATE before deleting it, and that UPDATE fires the customer trigger. `segment_id` is a
plain integer, like the per-segment counts of migration 0004: a derived copy written only by
the triggers, which no delete order can make break a constraint. The rows already there are
filled from the customers in the same transaction; the reverse step restores 0003's triggers."""

from django.db import migrations, models

STATUS = ("workspace_id", "status")
STATUS_AND_SEGMENT = ("workspace_id", "status", "segment_id")


def _sqlite(copied: tuple[str, ...]) -> list[str]:
    columns = ", ".join(copied)
    return [
        f"""
        CREATE TRIGGER dashboards_heard_customer_insert AFTER INSERT ON customers_customer
        BEGIN
            INSERT INTO dashboards_lastheard (customer_id, {columns}, at)
            VALUES (NEW.id, {", ".join(f"NEW.{c}" for c in copied)}, NULL);
        END
        """,
        f"""
        CREATE TRIGGER dashboards_heard_customer_update
        AFTER UPDATE OF {columns} ON customers_customer
        BEGIN
            UPDATE dashboards_lastheard SET {", ".join(f"{c} = NEW.{c}" for c in copied)}
            WHERE customer_id = NEW.id;
        END
        """,
    ]


def _postgresql(copied: tuple[str, ...]) -> list[str]:
    def function(name: str, body: str) -> str:
        return (
            f"CREATE FUNCTION dashboards_heard_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$"
        )

    columns = ", ".join(copied)
    return [
        function(
            "customer_insert",
            f"INSERT INTO dashboards_lastheard (customer_id, {columns}, at) "
            f"SELECT id, {columns}, NULL FROM new_rows;",
        ),
        function(
            "customer_update",
            "UPDATE dashboards_lastheard SET "
            + ", ".join(f"{c} = NEW.{c}" for c in copied)
            + " WHERE customer_id = NEW.id;",
        ),
        "CREATE TRIGGER dashboards_heard_customer_insert AFTER INSERT ON customers_customer "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION dashboards_heard_customer_insert()",
        f"CREATE TRIGGER dashboards_heard_customer_update "
        f"AFTER UPDATE OF {columns} ON customers_customer FOR EACH ROW "
        f"WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in copied)}) "
        "EXECUTE FUNCTION dashboards_heard_customer_update()",
    ]


def _replace_triggers(schema_editor, copied: tuple[str, ...]) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": _sqlite, "postgresql": _postgresql}[vendor](copied)
    with schema_editor.connection.cursor() as cursor:
        for name in ("customer_insert", "customer_update"):
            if vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS dashboards_heard_{name}")
            else:
                cursor.execute(
                    f"DROP TRIGGER IF EXISTS dashboards_heard_{name} ON customers_customer"
                )
                cursor.execute(f"DROP FUNCTION IF EXISTS dashboards_heard_{name}()")
        for sql in statements:
            cursor.execute(sql)


FILL = {
    "sqlite": [
        "UPDATE dashboards_lastheard SET segment_id = (SELECT c.segment_id "
        "FROM customers_customer c WHERE c.id = dashboards_lastheard.customer_id)",
    ],
    # An UPDATE of every row would leave PostgreSQL a table and a (workspace, status, at) index
    # of twice their size until a VACUUM FULL (the unfiltered coverage reads that index), so
    # the rows are written anew: TRUNCATE is transactional and starts from empty files.
    "postgresql": [
        "CREATE TEMPORARY TABLE dashboards_lastheard_fill AS "
        "SELECT l.customer_id, l.workspace_id, l.status, c.segment_id, l.at "
        "FROM dashboards_lastheard l JOIN customers_customer c ON c.id = l.customer_id",
        "TRUNCATE dashboards_lastheard",
        "INSERT INTO dashboards_lastheard (customer_id, workspace_id, status, segment_id, at) "
        "SELECT customer_id, workspace_id, status, segment_id, at "
        "FROM dashboards_lastheard_fill ORDER BY customer_id",
        "DROP TABLE dashboards_lastheard_fill",
        # Check the rows' (deferred) foreign keys now: no index can be built on a table with
        # pending checks.
        "SET CONSTRAINTS ALL IMMEDIATE",
        "SET CONSTRAINTS ALL DEFERRED",
        "REINDEX TABLE dashboards_lastheard",
        "ANALYZE dashboards_lastheard",
    ],
}


def copy_segment(apps, schema_editor):
    _replace_triggers(schema_editor, STATUS_AND_SEGMENT)
    with schema_editor.connection.cursor() as cursor:
        for sql in FILL[schema_editor.connection.vendor]:
            cursor.execute(sql)


def copy_status_only(apps, schema_editor):
    _replace_triggers(schema_editor, STATUS)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("dashboards", "0004_segment_daily_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="lastheard",
            name="segment_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(copy_segment, copy_status_only),
        migrations.AddIndex(
            model_name="lastheard",
            index=models.Index(
                fields=["workspace", "segment_id", "status", "at"],
                name="lastheard_ws_segment_at",
            ),
        ),
    ]
