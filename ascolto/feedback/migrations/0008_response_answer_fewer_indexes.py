"""Fewer indexes on survey responses and answers: every index is one more write per submission.

Dropped, because a composite index starts with the same column: the single-column indexes of
`feedback_response.workspace_id` (`response_ws_time`), `feedback_response.customer_id`
(`response_customer_time`) and `feedback_answer.response_id` (`answer_unique_question`).
`feedback_response.open_link_id` is indexed only where set (`response_open_link`): responses
through an invitation, the usual case, no longer write to it.

The indexes are dropped by name with plain DDL rather than by `AlterField`, which on SQLite
would rebuild the tables and trip over the dashboards' triggers that read them.
"""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = (
    ("response", "workspace"),
    ("response", "customer"),
    ("response", "open_link"),
    ("answer", "response"),
)


def _index_names(schema_editor, model, column: str) -> list[str]:
    return schema_editor._constraint_names(
        model, [column], index=True, unique=False, primary_key=False
    )


def drop_indexes(apps, schema_editor):
    for model_name, field_name in DROPPED:
        model = apps.get_model("feedback", model_name)
        column = model._meta.get_field(field_name).column
        for name in _index_names(schema_editor, model, column):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_indexes(apps, schema_editor):
    for model_name, field_name in DROPPED:
        model = apps.get_model("feedback", model_name)
        field = model._meta.get_field(field_name)
        if not _index_names(schema_editor, model, field.column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("feedback", "0007_invitation_ws_time"),
        ("workspaces", "0002_password_reset_throttle"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="answer",
                    name="response",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="feedback.response",
                    ),
                ),
                migrations.AlterField(
                    model_name="response",
                    name="customer",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_responses",
                        to="customers.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="response",
                    name="open_link",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="responses",
                        to="feedback.openlink",
                    ),
                ),
                migrations.AlterField(
                    model_name="response",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="survey_responses",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                condition=models.Q(("open_link__isnull", False)),
                fields=["open_link"],
                name="response_open_link",
            ),
        ),
    ]
