"""Retention: how long each kind of data is kept, and the daily job that removes what expired
(docs/privacy.md). Periods are in months, from settings (`ASCOLTO_RETENTION_*`); 0 keeps the
kind forever. Removing keeps the figures: comments and notes are emptied (their scores, dates
and analyses' labels stay), lost customers are erased by pseudonym like on request; only
rows that are records of the system itself are deleted (old notifications, the audit log,
failed task results). Every step selects only what has not been removed yet, so a second run
is a no-op, and `dry_run` counts without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from ascolto.audit.models import Action, AuditEntry
from ascolto.audit.services import audit_record
from ascolto.customers.models import Customer
from ascolto.feedback.models import Answer
from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.notifications.models import Notification
from ascolto.privacy import services
from ascolto.privacy.models import DataRequest, shift_months
from ascolto.textanalysis.models import SourceKind, TextAnalysis


@dataclass(frozen=True)
class RetentionKind:
    name: str
    label: object
    what_happens: object


KINDS = [
    RetentionKind(
        "survey_comments",
        _("Survey comments"),
        _("the text is emptied; the score and the analysis' labels stay"),
    ),
    RetentionKind(
        "interaction_notes",
        _("Interaction notes and staff signals"),
        _("the text is emptied; times, measures and checks stay"),
    ),
    RetentionKind(
        "lost_customers",
        _("Customers lost since"),
        _("the customer is erased (made-up name, no contacts, no texts); figures stay"),
    ),
    RetentionKind("notifications", _("Notifications"), _("deleted")),
    RetentionKind("audit_log", _("Audit log"), _("deleted")),
    RetentionKind("failed_tasks", _("Failed background tasks"), _("deleted")),
]


def retention_months() -> dict[str, int]:
    configured = getattr(settings, "PRIVACY_RETENTION_MONTHS", {})
    return {kind.name: int(configured.get(kind.name, 0)) for kind in KINDS}


def _cutoff(now: datetime, months: int) -> datetime:
    return shift_months(now, -months)


def _expired(name: str, cutoff: datetime) -> QuerySet:
    if name == "survey_comments":
        return Answer.objects.filter(response__submitted_at__lt=cutoff).exclude(text="")
    if name == "interaction_notes":
        return Interaction.objects.filter(occurred_at__lt=cutoff).exclude(text="")
    if name == "staff_signals":
        return StaffSignal.objects.filter(created_at__lt=cutoff).exclude(text="")
    if name == "lost_customers":
        erased = DataRequest.objects.filter(kind=DataRequest.Kind.ERASURE, done_at__isnull=False)
        return (
            Customer.objects.filter(status=Customer.Status.LOST)
            .annotate(last_lost=Max("lost_records__lost_on"))
            .filter(last_lost__lt=cutoff.date())
            .exclude(pk__in=erased.values("customer_id"))
        )
    if name == "notifications":
        return Notification.objects.filter(created_at__lt=cutoff).filter(
            Q(read_at__isnull=False) | Q(state__in=["done", "failed"])
        )
    if name == "audit_log":
        return AuditEntry.objects.filter(at__lt=cutoff)
    if name == "failed_tasks":
        return DBTaskResult.objects.failed().filter(finished_at__lt=cutoff)
    raise ValueError(name)


def _clear_analyses(kind: str, ids: list[int]) -> None:
    TextAnalysis.objects.filter(source_kind=kind, source_id__in=ids).update(
        explanation=[], aspects=[]
    )


def _apply(name: str, cutoff: datetime) -> int:
    if name == "survey_comments":
        ids = list(_expired(name, cutoff).values_list("pk", flat=True))
        _clear_analyses(SourceKind.SURVEY_ANSWER, ids)
        return Answer.objects.filter(pk__in=ids).update(text="")
    if name == "interaction_notes":
        ids = list(_expired(name, cutoff).values_list("pk", flat=True))
        signal_ids = list(_expired("staff_signals", cutoff).values_list("pk", flat=True))
        _clear_analyses(SourceKind.INTERACTION, ids)
        _clear_analyses(SourceKind.STAFF_SIGNAL, signal_ids)
        return Interaction.objects.filter(pk__in=ids).update(text="") + StaffSignal.objects.filter(
            pk__in=signal_ids
        ).update(text="")
    if name == "lost_customers":
        customers = list(_expired(name, cutoff).select_related("workspace"))
        for customer in customers:
            services.person_erase_for_administrator(
                workspace=customer.workspace, customer=customer, compact=False
            )
        return len(customers)
    if name == "audit_log":
        return AuditEntry.objects.purge_before(cutoff)
    return _expired(name, cutoff).delete()[0]


def _count(name: str, cutoff: datetime) -> int:
    count = _expired(name, cutoff).count()
    if name == "interaction_notes":
        count += _expired("staff_signals", cutoff).count()
    return count


def retention_run(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Remove (or, with `dry_run`, count) what is older than each kind's period; kinds kept
    forever (0 months) are left out. Returns {kind: rows}. The scheduled job's function."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for name, months in retention_months().items():
        if months <= 0:
            continue
        cutoff = _cutoff(now, months)
        if dry_run:
            done[name] = _count(name, cutoff)
            continue
        with transaction.atomic():
            done[name] = _apply(name, cutoff)
    if not dry_run and any(done.values()):
        audit_record(
            action=Action.RETENTION_RUN,
            detail=", ".join(f"{name} {count}" for name, count in done.items() if count),
        )
        services.database_compact()
    return done
