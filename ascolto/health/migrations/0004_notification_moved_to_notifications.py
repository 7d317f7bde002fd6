"""The notification model now belongs to the `notifications` app (its rows stay where they are;
see notifications.0001)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("health", "0003_alter_notification_kind"),
        ("notifications", "0001_notification_from_health"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
