"""Fewer indexes on invitations: the single-column indexes of `workspace_id` and `customer_id`
go, because `invitation_ws_time` and `invitation_customer` start with those columns. On
PostgreSQL the UPDATE that marks an invitation answered writes a new entry in every index of the
table, so each index dropped is one write less per survey submission.

On PostgreSQL the `varchar_pattern_ops` copy of the unique `token_hash` index goes too: the
token is only ever looked up by equality, which the unique index serves.

Dropped by name with plain DDL, like 0008, so SQLite does not rebuild the table.
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = (("invitation", "workspace"), ("invitation", "customer"))


def _index_names(schema_editor, model, column: str) -> list[str]:
    return schema_editor._constraint_names(
        model, [column], index=True, unique=False, primary_key=False
    )


def _token_like_index(schema_editor, model) -> str:
    return schema_editor._create_index_name(model._meta.db_table, ["token_hash"], suffix="_like")


def drop_indexes(apps, schema_editor):
    for model_name, field_name in DROPPED:
        model = apps.get_model("feedback", model_name)
        column = model._meta.get_field(field_name).column
        for name in _index_names(schema_editor, model, column):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("feedback", "invitation")
        schema_editor.execute(
            schema_editor._delete_index_sql(model, _token_like_index(schema_editor, model))
        )


def create_indexes(apps, schema_editor):
    for model_name, field_name in DROPPED:
        model = apps.get_model("feedback", model_name)
        field = model._meta.get_field(field_name)
        if not _index_names(schema_editor, model, field.column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("feedback", "invitation")
        with schema_editor.connection.cursor() as cursor:
            existing = schema_editor.connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
        if _token_like_index(schema_editor, model) not in existing:
            field = model._meta.get_field("token_hash")
            schema_editor.execute(schema_editor._create_like_index_sql(model, field))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("feedback", "0008_response_answer_fewer_indexes"),
        ("workspaces", "0002_password_reset_throttle"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="invitation",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_invitations",
                        to="customers.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="invitation",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_invitations",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
    ]
