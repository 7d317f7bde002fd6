"""Workspaces made before remedies existed get the remedies and budgets a new workspace gets
(`remedy_defaults_install`), copied here as data."""

from decimal import Decimal

from django.db import migrations

REMEDIES = {
    "apology": ("0", "0"),
    "discount": ("50", "500"),
    "refund": ("100", "3000"),
    "redo": ("150", "1500"),
    "replacement": ("200", "3000"),
    "gift": ("30", "100"),
}
BUDGETS = {"agent": ("200", "1000"), "manager": ("2000", "10000"), "owner": (None, None)}


def _d(value):
    return None if value is None else Decimal(value)


def install(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    RemedyOption = apps.get_model("cases", "RemedyOption")
    SpendingBudget = apps.get_model("cases", "SpendingBudget")
    for workspace_id in Workspace.objects.values_list("pk", flat=True).iterator():
        RemedyOption.objects.bulk_create(
            [
                RemedyOption(
                    workspace_id=workspace_id, kind=kind, default_amount=_d(usual),
                    max_amount=_d(most),
                )
                for kind, (usual, most) in REMEDIES.items()
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        SpendingBudget.objects.bulk_create(
            [
                SpendingBudget(
                    workspace_id=workspace_id, role=role, per_case=_d(case), per_month=_d(month)
                )
                for role, (case, month) in BUDGETS.items()
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_remedies_budgets")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
