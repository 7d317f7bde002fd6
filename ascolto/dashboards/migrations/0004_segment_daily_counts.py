"""Daily score and invitation counts per customer segment, kept exact by database triggers.

`dashboards_dailysegmentscore` and `dashboards_dailysegmentinvitations` are
`dashboards_dailyscore` and `dashboards_dailyinvitations` with a segment column: each response
and invitation is counted in the segment its customer is in now. The triggers look the
customer's segment up (`customers_customer` by primary key) rather than copying it onto every
response and invitation: a copy would add a column and an index write to the two busiest tables
and a second place where the segment can be wrong, while the look-up is one primary-key probe
per written row. What the look-up needs, and what this migration provides:

- responses and invitations: insert, delete and update (score, kind, time, workspace, customer,
  opened, answered) move counts in the segment of the customer before and after;
- customers: when `segment_id` changes (to or from none too), all of the customer's responses
  and invitations move from the old segment's counts to the new one's;
- a deleted customer's rows are counted out of its segment when the customer is deleted:
  Django's collector deletes a customer before its responses (the tables reference each other,
  so it cannot order them), and a response deleted after its customer finds no segment to
  count out of; rows deleted before their customer were counted out by their own trigger;
- segments: Django sets the segment's customers to none with an UPDATE (which empties the
  segment's counts through the customer trigger) and then deletes the segment, whose trigger
  removes its empty rows. `segment_id` is a plain integer: the counts never hold a foreign key
  that a delete order could break, and they are read only for a segment that exists.

PostgreSQL counts inserts and deletes once per statement (transition tables), updates once per
row; SQLite uses row triggers. The rows already there are counted in SQL in the same transaction.
See docs/benchmarks.md, "Dashboards"."""

import django.db.models.deletion
from django.db import migrations, models

SCORE_TABLE = "dashboards_dailysegmentscore"
INVITATIONS_TABLE = "dashboards_dailysegmentinvitations"
DAY = {
    # Django keeps datetimes on SQLite as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]".
    "sqlite": lambda column: f"substr({column}, 1, 10)",
    "postgresql": lambda column: f"({column} AT TIME ZONE 'UTC')::date",
}


def _same(table: str, columns) -> str:
    return " AND ".join(f"{table}.{c} = o.{c}" for c in columns)


def _scores(vendor: str, sign: str, *, seg: str, row: str, source: str, where: str) -> str:
    """Add (`+`) or take away (`-`) the scored responses of `source` (the response's columns
    prefixed `row.`) in segment `seg`, grouped by workspace, UTC day, kind and score."""
    select = (
        f"SELECT {seg} AS segment_id, {row}.workspace_id AS workspace_id, "
        f"{DAY[vendor](f'{row}.submitted_at')} AS day, {row}.kind AS kind, "
        f"{row}.score AS score, count(*) AS n FROM {source} "
        f"WHERE {where} AND {row}.score IS NOT NULL AND {seg} IS NOT NULL GROUP BY 1, 2, 3, 4, 5"
    )
    if sign == "+":
        return (
            f"INSERT INTO {SCORE_TABLE} (segment_id, workspace_id, day, kind, score, n) "
            f"{select} ORDER BY 1, 2, 3, 4, 5 "
            "ON CONFLICT (segment_id, workspace_id, day, kind, score) "
            f"DO UPDATE SET n = {SCORE_TABLE}.n + excluded.n;"
        )
    return (
        # No alias for the updated table: SQLite allows none inside a trigger.
        f"UPDATE {SCORE_TABLE} SET n = {SCORE_TABLE}.n - o.n FROM ({select}) AS o "
        f"WHERE {_same(SCORE_TABLE, ('segment_id', 'workspace_id', 'day', 'kind', 'score'))};"
    )


def _invitations(vendor: str, sign: str, *, seg: str, row: str, source: str, where: str) -> str:
    """Add or take away the invitations of `source`, like `_scores`."""
    select = (
        f"SELECT {seg} AS segment_id, {row}.workspace_id AS workspace_id, "
        f"{DAY[vendor](f'{row}.created_at')} AS day, count(*) AS invited, "
        f"count(*) FILTER (WHERE {row}.opened_at IS NOT NULL OR {row}.answered_at IS NOT NULL) "
        f"AS opened, count({row}.answered_at) AS answered FROM {source} "
        f"WHERE {where} AND {seg} IS NOT NULL GROUP BY 1, 2, 3"
    )
    if sign == "+":
        return (
            f"INSERT INTO {INVITATIONS_TABLE} "
            "(segment_id, workspace_id, day, invited, opened, answered) "
            f"{select} ORDER BY 1, 2, 3 ON CONFLICT (segment_id, workspace_id, day) DO UPDATE SET "
            f"invited = {INVITATIONS_TABLE}.invited + excluded.invited, "
            f"opened = {INVITATIONS_TABLE}.opened + excluded.opened, "
            f"answered = {INVITATIONS_TABLE}.answered + excluded.answered;"
        )
    return (
        f"UPDATE {INVITATIONS_TABLE} SET "
        + ", ".join(
            f"{c} = {INVITATIONS_TABLE}.{c} - o.{c}" for c in ("invited", "opened", "answered")
        )
        + f" FROM ({select}) AS o "
        f"WHERE {_same(INVITATIONS_TABLE, ('segment_id', 'workspace_id', 'day'))};"
    )


COUNTS = {"response": _scores, "invitation": _invitations}
UPDATED = {
    "response": ("workspace_id", "customer_id", "submitted_at", "kind", "score"),
    "invitation": ("workspace_id", "customer_id", "created_at", "opened_at", "answered_at"),
}


def _one(vendor: str, table: str, sign: str, record: str) -> str:
    """Count one row (NEW or OLD) in the segment its customer is in now."""
    return COUNTS[table](
        vendor,
        sign,
        seg="c.segment_id",
        row=record,
        source="customers_customer c",
        where=f"c.id = {record}.customer_id",
    )


def _of_customer(vendor: str, table: str, sign: str, record: str) -> str:
    """Count all of a customer's rows (NEW or OLD customer) in its NEW or OLD segment."""
    return COUNTS[table](
        vendor,
        sign,
        seg=f"{record}.segment_id",
        row="r",
        source=f"feedback_{table} r",
        where=f"r.customer_id = {record}.id",
    )


def _changed(columns, distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def _sqlite() -> list[str]:
    statements = []
    for table in COUNTS:
        statements += [
            f"CREATE TRIGGER dashboards_seg_{table}_insert AFTER INSERT ON feedback_{table} "
            f"WHEN NEW.customer_id IS NOT NULL BEGIN {_one('sqlite', table, '+', 'NEW')} END",
            f"CREATE TRIGGER dashboards_seg_{table}_delete AFTER DELETE ON feedback_{table} "
            f"WHEN OLD.customer_id IS NOT NULL BEGIN {_one('sqlite', table, '-', 'OLD')} END",
            f"CREATE TRIGGER dashboards_seg_{table}_update "
            f"AFTER UPDATE OF {', '.join(UPDATED[table])} ON feedback_{table} "
            f"WHEN {_changed(UPDATED[table], 'IS NOT')} BEGIN "
            f"{_one('sqlite', table, '-', 'OLD')} {_one('sqlite', table, '+', 'NEW')} END",
        ]
    statements += [
        "CREATE TRIGGER dashboards_seg_customer_update AFTER UPDATE OF segment_id "
        "ON customers_customer WHEN OLD.segment_id IS NOT NEW.segment_id BEGIN "
        + " ".join(
            _of_customer("sqlite", table, sign, record)
            for table in COUNTS
            for sign, record in (("-", "OLD"), ("+", "NEW"))
        )
        + " END",
        "CREATE TRIGGER dashboards_seg_customer_delete AFTER DELETE ON customers_customer "
        "WHEN OLD.segment_id IS NOT NULL BEGIN "
        + " ".join(_of_customer("sqlite", table, "-", "OLD") for table in COUNTS)
        + " END",
        "CREATE TRIGGER dashboards_seg_segment_delete AFTER DELETE ON customers_segment BEGIN "
        f"DELETE FROM {SCORE_TABLE} WHERE segment_id = OLD.id; "
        f"DELETE FROM {INVITATIONS_TABLE} WHERE segment_id = OLD.id; END",
    ]
    return statements


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE FUNCTION dashboards_seg_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$"
    )


def _postgresql() -> list[str]:
    statements = []
    for table, count in COUNTS.items():
        joined = "{} r JOIN customers_customer c ON c.id = r.customer_id"
        statements += [
            _pg_function(
                f"{table}_insert",
                count(
                    "postgresql",
                    "+",
                    seg="c.segment_id",
                    row="r",
                    source=joined.format("new_rows"),
                    where="true",
                ),
            ),
            _pg_function(
                f"{table}_delete",
                count(
                    "postgresql",
                    "-",
                    seg="c.segment_id",
                    row="r",
                    source=joined.format("old_rows"),
                    where="true",
                ),
            ),
            _pg_function(
                f"{table}_update",
                _one("postgresql", table, "-", "OLD") + _one("postgresql", table, "+", "NEW"),
            ),
            f"CREATE TRIGGER dashboards_seg_{table}_insert AFTER INSERT ON feedback_{table} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION dashboards_seg_{table}_insert()",
            f"CREATE TRIGGER dashboards_seg_{table}_delete AFTER DELETE ON feedback_{table} "
            "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION dashboards_seg_{table}_delete()",
            f"CREATE TRIGGER dashboards_seg_{table}_update "
            f"AFTER UPDATE OF {', '.join(UPDATED[table])} ON feedback_{table} FOR EACH ROW "
            f"WHEN ({_changed(UPDATED[table], 'IS DISTINCT FROM')}) "
            f"EXECUTE FUNCTION dashboards_seg_{table}_update()",
        ]
    statements += [
        _pg_function(
            "customer_update",
            "".join(
                _of_customer("postgresql", table, sign, record)
                for table in COUNTS
                for sign, record in (("-", "OLD"), ("+", "NEW"))
            ),
        ),
        "CREATE TRIGGER dashboards_seg_customer_update AFTER UPDATE OF segment_id "
        "ON customers_customer FOR EACH ROW "
        "WHEN (OLD.segment_id IS DISTINCT FROM NEW.segment_id) "
        "EXECUTE FUNCTION dashboards_seg_customer_update()",
        _pg_function(
            "customer_delete",
            "".join(
                count(
                    "postgresql",
                    "-",
                    seg="c.segment_id",
                    row="r",
                    source=f"old_rows c JOIN feedback_{table} r ON r.customer_id = c.id",
                    where="true",
                )
                for table, count in COUNTS.items()
            ),
        ),
        "CREATE TRIGGER dashboards_seg_customer_delete AFTER DELETE ON customers_customer "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION dashboards_seg_customer_delete()",
        _pg_function(
            "segment_delete",
            f"DELETE FROM {SCORE_TABLE} WHERE segment_id IN (SELECT id FROM old_rows); "
            f"DELETE FROM {INVITATIONS_TABLE} WHERE segment_id IN (SELECT id FROM old_rows);",
        ),
        "CREATE TRIGGER dashboards_seg_segment_delete AFTER DELETE ON customers_segment "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION dashboards_seg_segment_delete()",
    ]
    return statements


TRIGGERS = {
    **{
        f"{table}_{op}": f"feedback_{table}"
        for table in COUNTS
        for op in ("insert", "delete", "update")
    },
    "customer_update": "customers_customer",
    "customer_delete": "customers_customer",
    "segment_delete": "customers_segment",
}


def _backfill(vendor: str) -> list[str]:
    """Count the rows already there, once, after the triggers exist (same transaction)."""
    return [
        count(
            vendor,
            "+",
            seg="c.segment_id",
            row="r",
            source=f"feedback_{table} r JOIN customers_customer c ON c.id = r.customer_id",
            where="true",
        )
        for table, count in COUNTS.items()
    ]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": _sqlite, "postgresql": _postgresql}[vendor]()
    with schema_editor.connection.cursor() as cursor:
        for sql in [*statements, *_backfill(vendor)]:
            cursor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for name, table in TRIGGERS.items():
            if vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS dashboards_seg_{name}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS dashboards_seg_{name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS dashboards_seg_{name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("dashboards", "0003_last_heard"),
        ("feedback", "0009_invitation_fewer_indexes"),
        ("workspaces", "0002_password_reset_throttle"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailySegmentInvitations",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("segment_id", models.BigIntegerField()),
                ("day", models.DateField()),
                ("invited", models.IntegerField(default=0)),
                ("opened", models.IntegerField(default=0)),
                ("answered", models.IntegerField(default=0)),
                (
                    "workspace",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("segment_id", "workspace", "day"),
                        name="dailysegmentinvitations_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DailySegmentScore",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("segment_id", models.BigIntegerField()),
                ("day", models.DateField()),
                ("kind", models.CharField(max_length=8)),
                ("score", models.SmallIntegerField()),
                ("n", models.IntegerField(default=0)),
                (
                    "workspace",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("segment_id", "workspace", "day", "kind", "score"),
                        name="dailysegmentscore_key",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
