"""Cadence rules: who is asked to answer which survey, when, and never too often.

`cadence_run(now=...)` is the hourly job (see `ascolto/schedule.py`). For each active rule it
selects the customers that are due with a few set-based queries, at most `BATCH_SIZE` per rule
and kind of trigger per run (the next run takes the rest), and invites them through
`survey_invitation_create`, which queues the email. Running it twice for the same moment
creates nothing new: periodic asking looks at the invitations already made, and every trigger
writes a `CadenceTrigger` row whose unique key (rule, source kind, source key) lets an event act
once. See docs/cadence.md.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from ascolto.customers.models import Contract, Customer
from ascolto.feedback import hooks
from ascolto.feedback.models import CadenceRule, CadenceTrigger, Invitation
from ascolto.feedback.services.invitations import survey_invitation_create_for_rule
from ascolto.interactions.models import Interaction
from ascolto.lib.updates import model_update, refuse_unknown_fields
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.feedback")

BATCH_SIZE = 200
# Interactions completed this long before a run still trigger it (covers a scheduler outage).
TOUCHPOINT_LOOKBACK = timedelta(days=7)

RULE_FIELDS = (
    "name",
    "survey",
    "active",
    "customer_kind",
    "segment",
    "every_days",
    "fatigue_days",
    "after_touchpoint",
    "after_complaint_resolved",
    "days_before_renewal",
)


# --- rules -------------------------------------------------------------------------------------


@transaction.atomic
def cadence_rule_create(*, workspace: Workspace, by: Membership, **fields: object) -> CadenceRule:
    """A new rule for asking customers (managers and owners)."""
    require_member(by, workspace, Role.MANAGER)
    refuse_unknown_fields(CadenceRule, fields, RULE_FIELDS)
    rule = CadenceRule(workspace=workspace, **fields)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def cadence_rule_update(*, rule: CadenceRule, by: Membership, **fields: object) -> CadenceRule:
    """Change a rule (managers and owners)."""
    require_member(by, rule.workspace_id, Role.MANAGER)
    model_update(rule, fields, RULE_FIELDS)
    return rule


# --- who may be asked --------------------------------------------------------------------------


# Why a customer is not asked, in the order they are told (the first that applies).
HOLD_REASONS = ("opted_out", "no_email", "complaint", "quiet", "open_invitation", "fatigue")
HOLD_REASON_LABELS = {
    "opted_out": _lazy("does not want surveys"),
    "no_email": _lazy("no email address"),
    "complaint": _lazy("open complaint"),  # an open case (cases' `hold_reason`)
    "quiet": _lazy("broken promise: crisis open or just handled"),
    "open_invitation": _lazy("already has an open invitation to this survey"),
    "fatigue": _lazy("asked recently (fatigue window)"),
}


def _rule_customers(rule: CadenceRule) -> QuerySet[Customer]:
    """Customers the rule speaks to: active (not prospects, not lost), of the rule's kind and
    segment, with an email address (cadence invitations go by email), who have not asked for
    no more surveys."""
    qs = Customer.objects.filter(
        workspace_id=rule.workspace_id,
        kind=rule.customer_kind,
        status=Customer.Status.ACTIVE,
        surveys_opted_out_at__isnull=True,
    ).exclude(email="")
    if rule.segment_id:
        qs = qs.filter(segment_id=rule.segment_id)
    return qs


def _recently_invited(now: datetime, days: int) -> Exists:
    """The customer (OuterRef "pk") was invited to any survey in the last `days` days."""
    return Exists(
        Invitation.objects.filter(
            customer=OuterRef("pk"), created_at__gt=now - timedelta(days=days)
        )
    )


def _open_invitation_to(survey_id: int, now: datetime) -> Exists:
    """The customer holds a live invitation to the survey."""
    return Exists(
        Invitation.objects.filter(
            customer=OuterRef("pk"),
            survey_id=survey_id,
            closed_at__isnull=True,
            expires_at__gt=now,
        )
    )


def _quiet_by_reason(workspace: Workspace, now: datetime) -> list[tuple[str, QuerySet]]:
    """One-column querysets of the customers higher apps keep quiet (a broken promise, an open
    case), each with the reason its function names (`hold_reason`, else "quiet")."""
    return [
        (getattr(function, "hold_reason", "quiet"), function(workspace=workspace, now=now))
        for function in hooks.cadence_quiet_customers
    ]


def _quiet_ids(workspace: Workspace, now: datetime) -> list[QuerySet]:
    return [ids for _reason, ids in _quiet_by_reason(workspace, now)]


def _not_fatigued(qs: QuerySet[Customer], rule: CadenceRule, now: datetime) -> QuerySet[Customer]:
    """Drop customers invited to any survey in the last `fatigue_days`, and those holding a live
    invitation to the rule's survey."""
    return qs.exclude(_recently_invited(now, rule.fatigue_days)).exclude(
        _open_invitation_to(rule.survey_id, now)
    )


def _not_suppressed(qs: QuerySet[Customer], rule: CadenceRule, now: datetime) -> QuerySet[Customer]:
    """Relationship surveys wait for every reason a higher app gives through the
    `cadence_quiet_customers` hook (right after a broken promise, while a case is open)."""
    workspace = rule.workspace
    for quiet in _quiet_ids(workspace, now):
        qs = qs.exclude(pk__in=quiet)
    return qs


def annotate_hold_reason(
    qs: QuerySet[Customer],
    *,
    workspace: Workspace,
    survey_id: int,
    fatigue_days: int,
    now: datetime,
) -> QuerySet[Customer]:
    """`qs` with `hold_reason`: why the cadence's rules would not ask each customer now (a
    code of HOLD_REASONS, the first that applies), or "" when they may be asked by email.
    The same rules as the cadence's own (`_rule_customers`, `_not_suppressed`,
    `_not_fatigued`), computed in the database for a whole list at once."""
    whens = [
        When(surveys_opted_out_at__isnull=False, then=Value("opted_out")),
        When(email="", then=Value("no_email")),
    ]
    for reason, ids in _quiet_by_reason(workspace, now):
        whens.append(When(pk__in=ids, then=Value(reason)))
    whens.append(When(_open_invitation_to(survey_id, now), then=Value("open_invitation")))
    if fatigue_days:
        whens.append(When(_recently_invited(now, fatigue_days), then=Value("fatigue")))
    return qs.annotate(
        hold_reason=Case(*whens, default=Value(""), output_field=CharField(max_length=20))
    )


def _invite(rule: CadenceRule, customer: Customer) -> Invitation | None:
    try:
        return survey_invitation_create_for_rule(rule=rule, customer=customer)
    except ValidationError as exc:  # raced with a manual invitation, survey just closed, …
        logger.info("cadence rule %s: customer %s not invited: %s", rule.pk, customer.pk, exc)
        return None


def _fire(
    rule: CadenceRule, customer: Customer, *, kind: str, key: str, invite: bool
) -> Invitation | None:
    """Record the trigger (once per key) and, when `invite`, create the invitation with it."""
    with transaction.atomic():
        trigger = CadenceTrigger(
            workspace_id=rule.workspace_id,
            rule=rule,
            customer=customer,
            source_kind=kind,
            source_key=key,
        )
        try:
            with transaction.atomic():
                trigger.save()
        except IntegrityError:  # another run got there first
            return None
        invitation = _invite(rule, customer) if invite else None
        if invitation is not None:
            trigger.invitation = invitation
            trigger.save(update_fields=["invitation"])
        return invitation


# --- the job -----------------------------------------------------------------------------------


def cadence_periodic_run(*, rule: CadenceRule, now: datetime) -> int:
    """Invite the rule's customers whose last invitation to its survey is older than
    `every_days` (or who were never invited), respecting fatigue and suppression."""
    if not rule.every_days:
        return 0
    asked_lately = Invitation.objects.filter(
        customer=OuterRef("pk"),
        survey_id=rule.survey_id,
        created_at__gt=now - timedelta(days=rule.every_days),
    )
    due = _rule_customers(rule).exclude(Exists(asked_lately))
    due = _not_suppressed(_not_fatigued(due, rule, now), rule, now)
    created = 0
    for customer in due.order_by("pk")[:BATCH_SIZE]:
        if _invite(rule, customer) is not None:
            created += 1
    return created


def cadence_touchpoint_run(*, rule: CadenceRule, now: datetime) -> int:
    """Invite after each interaction of the rule's touchpoint, once it is done: work with a
    start or a schedule counts from `completed_at`, a plain event from `occurred_at`. Each
    interaction acts once; one skipped by the fatigue rule is recorded and not retried."""
    if not rule.after_touchpoint_id:
        return 0
    since = max(rule.created_at, now - TOUCHPOINT_LOOKBACK)
    already = CadenceTrigger.objects.filter(
        rule=rule,
        source_kind=CadenceTrigger.Source.TOUCHPOINT,
        source_key=Cast(OuterRef("pk"), CharField()),
    )
    interactions = list(
        Interaction.objects.filter(
            workspace_id=rule.workspace_id,
            touchpoint_id=rule.after_touchpoint_id,
            customer__in=_rule_customers(rule),
        )
        .filter(
            Q(completed_at__isnull=False) | Q(started_at__isnull=True, scheduled_for__isnull=True)
        )
        .annotate(done_at=Coalesce("completed_at", "occurred_at"))
        .filter(done_at__gt=since, done_at__lte=now)
        .exclude(Exists(already))
        .select_related("customer")
        .order_by("done_at", "pk")[:BATCH_SIZE]
    )
    customer_ids = {i.customer_id for i in interactions}
    may_ask = set(
        _not_fatigued(Customer.objects.filter(pk__in=customer_ids), rule, now).values_list(
            "pk", flat=True
        )
    )
    created = 0
    for interaction in interactions:
        invite = interaction.customer_id in may_ask
        may_ask.discard(interaction.customer_id)  # one invitation per customer per run
        if _fire(
            rule,
            interaction.customer,
            kind=CadenceTrigger.Source.TOUCHPOINT,
            key=str(interaction.pk),
            invite=invite,
        ):
            created += 1
    return created


def cadence_renewal_run(*, rule: CadenceRule, now: datetime) -> int:
    """Invite `days_before_renewal` days before each contract's renewal date, once per contract
    and renewal date. A customer held back by fatigue or suppression is asked on a later run,
    while the renewal is still ahead."""
    if not rule.days_before_renewal:
        return 0
    today = timezone.localdate(now)
    key = Concat(
        Cast("pk", CharField()),
        Value(":"),
        Cast("renewal_date", CharField()),
        output_field=CharField(),
    )
    already = CadenceTrigger.objects.filter(
        rule=rule, source_kind=CadenceTrigger.Source.RENEWAL, source_key=OuterRef("trigger_key")
    )
    eligible = _not_suppressed(_not_fatigued(_rule_customers(rule), rule, now), rule, now)
    contracts = (
        Contract.objects.filter(
            workspace_id=rule.workspace_id,
            renewal_date__gte=today,
            renewal_date__lte=today + timedelta(days=rule.days_before_renewal),
            customer__in=eligible,
        )
        .annotate(trigger_key=key)
        .exclude(Exists(already))
        .select_related("customer")
        .order_by("renewal_date", "pk")[:BATCH_SIZE]
    )
    created = 0
    asked: set[int] = set()
    for contract in contracts:
        if contract.customer_id in asked:
            continue  # the next run sees the fatigue rule for the customer's other contracts
        asked.add(contract.customer_id)
        if _fire(
            rule,
            contract.customer,
            kind=CadenceTrigger.Source.RENEWAL,
            key=f"{contract.pk}:{contract.renewal_date.isoformat()}",
            invite=True,
        ):
            created += 1
    return created


def cadence_run(*, now: datetime | None = None) -> int:
    """The scheduled job: every active rule, triggers first (they are about a recent event),
    then periodic asking. Returns how many invitations were created."""
    now = now or timezone.now()
    rules = list(
        CadenceRule.objects.filter(active=True, survey__active=True)
        .select_related("survey", "workspace")
        .order_by("workspace_id", "pk")
    )
    created = 0
    for rule in rules:
        created += cadence_touchpoint_run(rule=rule, now=now)
        created += cadence_renewal_run(rule=rule, now=now)
    for rule in rules:
        created += cadence_periodic_run(rule=rule, now=now)
    if created:
        logger.info("cadence: %s invitations created", created)
    return created


def cadence_trigger_complaint_resolved(
    *, customer: Customer, source_key: str | None = None, now: datetime | None = None
) -> list[Invitation]:
    """Called when a complaint of `customer` is resolved: the recovery survey of every active
    rule with "after a complaint is resolved" that applies to the customer. `source_key`
    identifies the complaint (the case id), so the same resolution invites once; without it,
    one resolution per customer and day counts. The fatigue rule still applies."""
    now = now or timezone.now()
    key = source_key or f"customer-{customer.pk}:{timezone.localdate(now).isoformat()}"
    rules = (
        CadenceRule.objects.filter(
            workspace_id=customer.workspace_id,
            active=True,
            survey__active=True,
            after_complaint_resolved=True,
            customer_kind=customer.kind,
        )
        .filter(Q(segment__isnull=True) | Q(segment_id=customer.segment_id))
        .select_related("survey")
        .order_by("pk")
    )
    invitations = []
    for rule in rules:
        eligible = _not_fatigued(_rule_customers(rule).filter(pk=customer.pk), rule, now).exists()
        invitation = _fire(
            rule, customer, kind=CadenceTrigger.Source.COMPLAINT, key=key, invite=eligible
        )
        if invitation is not None:
            invitations.append(invitation)
    return invitations
