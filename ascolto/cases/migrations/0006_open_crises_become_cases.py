"""Every open broken-promise crisis becomes a case "promessa non mantenuta", linked to its
crisis (whose checklist ticks stay where they are, and which the case page shows), its check
and its interaction. Ticked steps are copied into the case's history with who and when; a
crisis with a ticked step was taken in charge at the first tick. No clock is set on these
cases: their deadlines would already be in the past."""

from django.db import migrations

BROKEN_PROMISE = ("promessa-non-mantenuta", "Promessa non mantenuta", "Broken promise")


def forwards(apps, schema_editor):
    Crisis = apps.get_model("promises", "Crisis")
    CrisisStep = apps.get_model("promises", "CrisisStep")
    Case = apps.get_model("cases", "Case")
    CaseCategory = apps.get_model("cases", "CaseCategory")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    categories = {}
    open_crises = (
        Crisis.objects.filter(closed_at__isnull=True)
        .select_related("promise_check", "customer")
        .order_by("pk")
    )
    for crisis in open_crises.iterator(chunk_size=500):
        if Case.objects.filter(crisis_id=crisis.pk).exists():
            continue
        workspace_id = crisis.workspace_id
        if workspace_id not in categories:
            code, it, en = BROKEN_PROMISE
            categories[workspace_id], _ = CaseCategory.objects.get_or_create(
                workspace_id=workspace_id, code=code, defaults={"name_it": it, "name_en": en}
            )
        steps = list(CrisisStep.objects.filter(crisis_id=crisis.pk).order_by("done_at", "pk"))
        first = steps[0].done_at if steps else None
        case = Case.objects.create(
            workspace_id=workspace_id,
            customer_id=crisis.customer_id,
            category=categories[workspace_id],
            severity="high",
            status="in_progress" if steps else "new",
            owner_id=crisis.customer.account_owner_id,
            source_key=f"crisis:{crisis.pk}",
            crisis_id=crisis.pk,
            opened_at=crisis.opened_at,
            acknowledged_at=first,
            responded_at=first,
            description=crisis.note,
        )
        case.interactions.add(crisis.promise_check.interaction_id)
        case.promise_checks.add(crisis.promise_check_id)
        events = [
            CaseEvent(
                workspace_id=workspace_id,
                case=case,
                customer_id=crisis.customer_id,
                kind="opened",
                at=crisis.opened_at,
                to_status="new",
            )
        ]
        events += [
            CaseEvent(
                workspace_id=workspace_id,
                case=case,
                customer_id=crisis.customer_id,
                kind="step",
                at=step.done_at,
                by_id=step.done_by_id,
                note=step.note,
                data={"step": step.step},
            )
            for step in steps
        ]
        CaseEvent.objects.bulk_create(events)


def backwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(source_key__startswith="crisis:", crisis__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_crisis"), ("promises", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
