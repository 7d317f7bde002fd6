from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0007_workspace_customer_address")]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("it", "Italian"), ("en", "English")],
                default="",
                max_length=2,
                verbose_name="language",
            ),
        ),
    ]
