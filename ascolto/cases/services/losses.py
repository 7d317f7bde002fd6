"""Lost customers: what they went through before leaving, and the reminder to win them back.

- `loss_causes_link` (the `customers.hooks.customer_lost` hook): the record of a loss is linked
  to the customer's cases and broken promises of the 90 days before it (`LossCause`); "why
  customers were lost" reads these links. Records kept before this existed were linked by
  migration `cases/0007`. Each linked case gets a "customer lost" event.
- `win_back_reminders_run` (job `win-back`, daily): once a lost customer has been gone for the
  workspace's `CaseSettings.win_back_days` (0: never), their account owner (else the managers
  and owners) is reminded once: a unique `WinBackReminder` row per record, written with the
  notifications. A reminder more than 30 days overdue (the setting was changed, the job did not
  run) is not sent late; nor for a customer who is a customer again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.cases.models import Case, CaseEvent, CaseSettings, LossCause, WinBackReminder
from ascolto.customers.models import Customer, LostRecord
from ascolto.promises.models import PromiseCheck
from ascolto.workspaces.models import Membership, Role

LOOKBACK_DAYS = 90
LATE_LIMIT = timedelta(days=30)


def loss_causes_link(*, record: LostRecord) -> None:
    """Link the record to the cases and broken promises of the 90 days before the loss."""
    since = record.lost_on - timedelta(days=LOOKBACK_DAYS)
    cases = list(
        Case.objects.filter(
            workspace_id=record.workspace_id,
            customer_id=record.customer_id,
            opened_at__date__gte=since,
            opened_at__date__lte=record.lost_on,
        )
    )
    checks = PromiseCheck.objects.filter(
        workspace_id=record.workspace_id,
        customer_id=record.customer_id,
        outcome=PromiseCheck.Outcome.BROKEN,
        occurred_at__date__gte=since,
        occurred_at__date__lte=record.lost_on,
    ).values_list("pk", flat=True)
    LossCause.objects.bulk_create(
        [LossCause(workspace_id=record.workspace_id, record=record, case=c) for c in cases]
        + [
            LossCause(workspace_id=record.workspace_id, record=record, promise_check_id=pk)
            for pk in checks
        ],
        ignore_conflicts=True,
    )
    for case in cases:
        CaseEvent.objects.create(
            workspace_id=case.workspace_id,
            case=case,
            customer_id=case.customer_id,
            kind=CaseEvent.Kind.LOST,
            by=record.recorded_by,
            data={"lost_record": record.pk, "lost_on": record.lost_on.isoformat()},
        )


def _recipients(customer: Customer) -> list[Membership]:
    if customer.account_owner_id:
        return [customer.account_owner]  # type: ignore[list-item]
    return list(
        Membership.objects.filter(
            workspace_id=customer.workspace_id, role__in=[Role.MANAGER, Role.OWNER]
        ).select_related("user")
    )


def win_back_reminders_run(*, now: datetime | None = None) -> int:
    """The daily job (see the module's docstring). Returns how many reminders were sent."""
    from ascolto.notifications.services import notification_create

    now = now or timezone.now()
    sent = 0
    for settings in CaseSettings.objects.filter(win_back_days__gt=0).select_related("workspace"):
        workspace = settings.workspace
        today = timezone.localtime(now, ZoneInfo(workspace.time_zone)).date()
        due_by = today - timedelta(days=settings.win_back_days)
        records = (
            LostRecord.objects.filter(
                workspace=workspace,
                lost_on__lte=due_by,
                lost_on__gt=due_by - LATE_LIMIT,
                customer__status=Customer.Status.LOST,
            )
            .exclude(pk__in=WinBackReminder.objects.filter(workspace=workspace).values("record"))
            .select_related("customer__account_owner__user", "reason")
            .order_by("lost_on", "pk")
        )
        for record in records:
            # The customer's latest loss only: an older record of someone lost twice is past.
            if LostRecord.objects.filter(customer=record.customer, lost_on__gt=record.lost_on):
                continue
            try:
                with transaction.atomic():
                    WinBackReminder.objects.create(workspace=workspace, record=record, sent_at=now)
                    customer = record.customer
                    with translation.override(workspace.language):
                        title = _("Time to try to win back %(customer)s") % {
                            "customer": customer.name
                        }
                        body = _(
                            "Lost on %(date)s (%(reason)s), %(days)s days ago. A call or an "
                            "offer may bring them back."
                        ) % {
                            "date": record.lost_on.strftime("%d/%m/%Y"),
                            "reason": record.reason.label,
                            "days": (today - record.lost_on).days,
                        }
                    url = reverse("customers:customer-detail", args=[customer.pk])
                    for person in _recipients(customer):
                        notification_create(
                            workspace=workspace,
                            recipient=person,
                            kind="case",
                            title=title,
                            body=body,
                            customer=customer,
                            url=url,
                        )
            except IntegrityError:  # another run got there first
                continue
            sent += 1
    return sent
