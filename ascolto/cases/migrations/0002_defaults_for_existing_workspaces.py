"""Workspaces made before cases existed get the default categories, settings and response-time
policies a new workspace gets (`case_defaults_install`), copied here as data so the migration
does not depend on code that may change."""

from django.db import migrations

CATEGORIES = [
    ("ritardo", "Ritardo", "Delay"),
    ("guasto", "Guasto", "Breakdown"),
    ("errore-fattura", "Errore in fattura", "Invoice error"),
    ("scortesia", "Scortesia", "Discourtesy"),
    ("qualita", "Qualità", "Quality"),
    ("promessa-non-mantenuta", "Promessa non mantenuta", "Broken promise"),
    ("richiamare", "Cliente da richiamare", "Customer to call back"),
    ("altro", "Altro", "Other"),
]
SLA = {
    "critical": (30, 120, 540),
    "high": (60, 240, 1080),
    "medium": (120, 540, 1620),
    "low": (240, 1080, 2700),
}


def install(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    CaseCategory = apps.get_model("cases", "CaseCategory")
    CaseSettings = apps.get_model("cases", "CaseSettings")
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for workspace_id in Workspace.objects.values_list("pk", flat=True).iterator():
        CaseCategory.objects.bulk_create(
            [
                CaseCategory(
                    workspace_id=workspace_id, code=code, name_it=it, name_en=en, position=i
                )
                for i, (code, it, en) in enumerate(CATEGORIES)
            ],
            ignore_conflicts=True,
        )
        CaseSettings.objects.get_or_create(workspace_id=workspace_id)
        if not SlaPolicy.objects.filter(workspace_id=workspace_id).exists():
            SlaPolicy.objects.bulk_create(
                [
                    SlaPolicy(
                        workspace_id=workspace_id,
                        severity=severity,
                        acknowledge_minutes=ack,
                        respond_minutes=respond,
                        resolve_minutes=resolve,
                    )
                    for severity, (ack, respond, resolve) in SLA.items()
                ]
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases_clocks")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
