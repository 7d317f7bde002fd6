"""Notifications used to live in the `health` app, which now holds the health score. This
migration takes the model over without touching its rows: the state moves here (still on the
table `health_notification`), `health.0004` forgets it, and `0002` renames the table."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("customers", "0001_initial"),
        ("workspaces", "0001_initial"),
        ("health", "0003_alter_notification_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("state", models.CharField(choices=[("pending", "Pending"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")], db_index=True, default="pending", max_length=10, verbose_name="state")),
                        ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="next attempt at")),
                        ("dispatched_at", models.DateTimeField(blank=True, null=True, verbose_name="dispatched at")),
                        ("lease_owner", models.CharField(blank=True, max_length=64, verbose_name="lease owner")),
                        ("lease_expires_at", models.DateTimeField(blank=True, null=True, verbose_name="lease expires at")),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("kind", models.CharField(choices=[("detractor", "Detractor answer"), ("broken_promise", "Broken promise"), ("other", "Other")], default="other", max_length=16, verbose_name="kind")),
                        ("title", models.CharField(max_length=300, verbose_name="title")),
                        ("body", models.TextField(blank=True, max_length=10000, verbose_name="message")),
                        ("url", models.CharField(blank=True, max_length=500, verbose_name="link")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                        ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read")),
                        ("emailed_at", models.DateTimeField(blank=True, null=True)),
                        ("customer", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to="customers.customer")),
                        ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to="workspaces.membership")),
                        ("workspace", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to="workspaces.workspace")),
                    ],
                    options={
                        "verbose_name": "notification",
                        "verbose_name_plural": "notifications",
                        "ordering": ["-created_at", "-pk"],
                        "db_table": "health_notification",
                        "indexes": [
                            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
                            models.Index(fields=["state", "next_attempt_at"], name="notification_email_queue"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
