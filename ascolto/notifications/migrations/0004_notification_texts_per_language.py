"""A notification's words in each language of the interface: the old `title` and `body`, written
in the workspace's language, become that language's columns; the other language stays empty
(read as a fallback) because old words cannot be translated after the fact."""

from django.db import migrations, models


def split_by_language(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    english = Notification.objects.filter(workspace__language="en")
    ids = list(english.values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        batch = Notification.objects.filter(pk__in=ids[start : start + 1000])
        batch.update(
            title_en=models.F("title_it"), body_en=models.F("body_it"), title_it="", body_it=""
        )


def join_languages(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(title_it="").update(
        title_it=models.F("title_en"), body_it=models.F("body_en")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_notification_kind_case"),
        ("workspaces", "0008_member_language"),
    ]

    operations = [
        migrations.RenameField("notification", "title", "title_it"),
        migrations.RenameField("notification", "body", "body_it"),
        migrations.AlterField(
            model_name="notification",
            name="title_it",
            field=models.CharField(blank=True, max_length=300, verbose_name="title (Italian)"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="body_it",
            field=models.TextField(blank=True, max_length=10000, verbose_name="message (Italian)"),
        ),
        migrations.AddField(
            model_name="notification",
            name="title_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="title (English)"),
        ),
        migrations.AddField(
            model_name="notification",
            name="body_en",
            field=models.TextField(blank=True, max_length=10000, verbose_name="message (English)"),
        ),
        migrations.RunPython(split_by_language, join_languages),
    ]
