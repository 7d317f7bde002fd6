"""Sending a survey to many customers at once: who would be asked, who is held back and why,
and the durable background work that invites them.

Who is held back is decided by the cadence's own rules (`cadence.hold_reason`): opted out, no
email address, an open complaint, a reason a higher app gives through `cadence_quiet_customers`
(a broken promise just now), a live invitation to the same survey, an invitation to any survey
within the fatigue window. The preview counts them in the database; the send stores the ids of
those to ask in a `BulkSend` row, and a task invites them in chunks, each chunk and the progress
counter in one transaction (a worker killed mid-chunk leaves nothing half done: the sweeper
hands the row to another worker, which starts again at the first chunk not counted). Each
customer is checked again when their chunk is sent, so a crisis opened after the preview holds
them back. The emails themselves go out as every invitation does (leased, retried).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.core.leases import (
    default_owner,
    lease_claim_one,
    lease_complete,
    lease_dispatched,
    lease_extend,
    lease_sweep,
)
from ascolto.customers.models import Customer
from ascolto.feedback.models import BulkSend, Response, Survey
from ascolto.feedback.services.cadence import HOLD_REASONS, annotate_hold_reason
from ascolto.feedback.services.invitations import survey_invitation_create
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.feedback")

CHUNK_SIZE = 50
# On a queryset from `annotate_hold_reason`: nothing holds the customer back.
MAY_ASK = Q(hold_reason="")
HELD_SHOWN = 200


@dataclass(frozen=True)
class BulkChoice:
    """Which customers to ask: every filter is optional but the survey."""

    survey: Survey
    segment_id: int | None = None
    kind: str = ""
    status: str = Customer.Status.ACTIVE
    account_owner_id: int | None = None
    silent_days: int | None = None
    fatigue_days: int = 30

    def as_json(self) -> dict[str, Any]:
        return {
            "segment": self.segment_id,
            "kind": self.kind,
            "status": self.status,
            "account_owner": self.account_owner_id,
            "silent_days": self.silent_days,
            "fatigue_days": self.fatigue_days,
        }


@dataclass(frozen=True)
class BulkPreview:
    to_ask: int
    held_counts: dict[str, int]  # reason → customers
    held: list[Customer]  # the first HELD_SHOWN held back, by name, with `hold_reason`

    @property
    def held_total(self) -> int:
        return sum(self.held_counts.values())


def _chosen(workspace: Workspace, choice: BulkChoice, now: datetime) -> QuerySet[Customer]:
    qs = Customer.objects.filter(workspace=workspace).exclude(status=Customer.Status.LOST)
    if choice.status:
        qs = qs.filter(status=choice.status)
    if choice.segment_id:
        qs = qs.filter(segment_id=choice.segment_id)
    if choice.kind:
        qs = qs.filter(kind=choice.kind)
    if choice.account_owner_id:
        qs = qs.filter(account_owner_id=choice.account_owner_id)
    if choice.silent_days:
        heard = Response.objects.filter(
            workspace=workspace, submitted_at__gt=now - timedelta(days=choice.silent_days)
        ).values("customer_id")
        qs = qs.exclude(pk__in=heard)
    return qs


def _classified(
    workspace: Workspace, choice: BulkChoice, now: datetime, qs: QuerySet[Customer] | None = None
) -> QuerySet[Customer]:
    return annotate_hold_reason(
        _chosen(workspace, choice, now) if qs is None else qs,
        workspace=workspace,
        survey_id=choice.survey.pk,
        fatigue_days=choice.fatigue_days,
        now=now,
    )


def survey_bulk_preview(
    *, workspace: Workspace, choice: BulkChoice, now: datetime | None = None
) -> BulkPreview:
    """How many customers the choice would ask, and who is held back and why (counted in the
    database; the first HELD_SHOWN held back listed by name)."""
    now = now or timezone.now()
    qs = _classified(workspace, choice, now)
    counts = {
        row["reason"]: row["n"]
        for row in qs.order_by().values(reason=F("hold_reason")).annotate(n=Count("pk"))
    }
    to_ask = counts.pop("", 0)
    held = list(qs.exclude(MAY_ASK).select_related("segment").order_by("name", "pk")[:HELD_SHOWN])
    ordered = {reason: counts[reason] for reason in HOLD_REASONS if reason in counts}
    return BulkPreview(to_ask=to_ask, held_counts=ordered, held=held)


def _enqueue(bulk_id: int) -> None:
    from ascolto.feedback.tasks import survey_bulk_send_task

    survey_bulk_send_task.enqueue(bulk_id)


@transaction.atomic
def survey_bulk_send_create(
    *, workspace: Workspace, by: Membership, choice: BulkChoice, now: datetime | None = None
) -> BulkSend:
    """Queue the invitations of a choice (managers and owners): the customers it asks now are
    stored, and the worker invites them. Refused when it would ask nobody."""
    require_member(by, workspace, Role.MANAGER)
    if choice.survey.workspace_id != workspace.pk:
        raise ValidationError({"survey": _("Choose a survey of this workspace.")})
    if not choice.survey.active:
        raise ValidationError({"survey": _("This survey is not active.")})
    now = now or timezone.now()
    ids = list(
        _classified(workspace, choice, now)
        .filter(MAY_ASK)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise ValidationError(_("Nobody to ask: every customer chosen is held back."))
    bulk = BulkSend(
        workspace=workspace,
        survey=choice.survey,
        created_by=by,
        choice=choice.as_json(),
        customer_ids=ids,
        total=len(ids),
    )
    bulk.full_clean()
    bulk.save()
    lease_dispatched(BulkSend.objects.filter(pk=bulk.pk))
    transaction.on_commit(lambda: _enqueue(bulk.pk))
    logger.info(
        "bulk survey send queued: workspace=%s bulk=%s customers=%s",
        workspace.pk,
        bulk.pk,
        len(ids),
    )
    return bulk


def _choice_of(bulk: BulkSend) -> BulkChoice:
    data = bulk.choice
    return BulkChoice(
        survey=bulk.survey,
        segment_id=data.get("segment"),
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        account_owner_id=data.get("account_owner"),
        silent_days=data.get("silent_days"),
        fatigue_days=int(data.get("fatigue_days") or 0),
    )


def _send_chunk(bulk: BulkSend, chunk: list[int], by: Membership, now: datetime) -> int:
    """Invite the chunk's customers who may still be asked; returns how many were invited."""
    choice = _choice_of(bulk)
    qs = Customer.objects.filter(workspace_id=bulk.workspace_id, pk__in=chunk)
    may_ask = list(_classified(bulk.workspace, choice, now, qs).filter(MAY_ASK).order_by("pk"))
    invited = 0
    for customer in may_ask:
        try:
            with transaction.atomic():
                survey_invitation_create(survey=bulk.survey, customer=customer, by=by)
        except ValidationError as exc:  # raced with another invitation, turned lost, ...
            logger.info("bulk %s: customer %s not invited: %s", bulk.pk, customer.pk, exc)
            continue
        invited += 1
    return invited


def survey_bulk_send_run(*, bulk_id: int, owner: str | None = None) -> int:
    """The task's work: claim the row, invite chunk after chunk, and finish. Returns how many
    customers this call invited. Safe to run twice: a second claimer finds the row leased or
    done; after a crash the next claimer starts at the first chunk not counted."""
    owner = owner or default_owner()
    bulk = lease_claim_one(BulkSend, bulk_id, owner=owner)
    if bulk is None:
        return 0
    by = bulk.created_by
    invited_here = 0
    while bulk.processed < bulk.total:
        if by is None or not Membership.objects.filter(pk=by.pk).exists():
            break  # the member who sent it left: nothing more goes out in their name
        start = bulk.processed
        chunk = bulk.customer_ids[start : start + CHUNK_SIZE]
        now = timezone.now()
        with transaction.atomic():
            invited = _send_chunk(bulk, chunk, by, now)
            counted = BulkSend.objects.filter(
                pk=bulk.pk, lease_owner=owner, processed=start
            ).update(
                processed=F("processed") + len(chunk),
                invited=F("invited") + invited,
                skipped=F("skipped") + (len(chunk) - invited),
            )
            if not counted:  # the lease was lost: another worker carries on
                transaction.set_rollback(True)
                return invited_here
        invited_here += invited
        bulk.refresh_from_db()
        lease_extend(bulk, owner=owner)
    lease_complete(bulk, owner=owner, finished_at=timezone.now())
    logger.info("bulk survey send done: bulk=%s invited=%s", bulk.pk, bulk.invited)
    return invited_here


def survey_bulk_sends_sweep(*, now: datetime | None = None) -> int:
    """The sweeper: enqueue bulk sends that are pending or whose worker died."""
    return lease_sweep(BulkSend.objects.all(), enqueue=_enqueue, now=now)


def survey_bulk_send_status(*, workspace: Workspace, bulk_id: int) -> BulkSend:
    return BulkSend.objects.select_related("survey").get(workspace=workspace, pk=bulk_id)
