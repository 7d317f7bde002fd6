from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_cadence_rules"),
        ("feedback", "0003_response_import_key"),
    ]

    operations = []
