from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0001_notification_from_health"),
        ("health", "0004_notification_moved_to_notifications"),
    ]

    operations = [
        migrations.AlterModelTable(name="notification", table=None),
    ]
