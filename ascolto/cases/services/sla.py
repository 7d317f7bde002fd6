"""The clocks of a case: acknowledge, first response and resolution, each a deadline counted in
the workspace's business hours (`ascolto.lib.businesshours` on the workspace's own calendar:
opening hours, closed days, public holidays, in its time zone), from the SLA policy of the
case's category and severity.

`case_clocks_check` is the scheduled job (`ascolto/schedule.py`, every 5 minutes): a clock about
to run out alerts the person in charge once, a clock that ran out alerts them and escalates to
the managers and owners once. "Once" is a unique `SlaAlert` row per (case, clock, level, round),
inserted before the notifications in the same transaction, so two schedulers or a rerun send
nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.cases import hooks
from ascolto.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseEvent,
    Clock,
    SlaAlert,
    SlaPolicy,
)
from ascolto.lib.business_calendar import BusinessCalendar
from ascolto.lib.businesshours import business_deadline, business_minutes_between
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

HOUR = 60
DAY = 9 * HOUR  # one business day, 9:00–18:00

# Per severity, for every category: (acknowledge, first response, resolve) in business minutes.
DEFAULT_SLA: dict[str, tuple[int, int, int]] = {
    "critical": (30, 2 * HOUR, DAY),
    "high": (HOUR, 4 * HOUR, 2 * DAY),
    "medium": (2 * HOUR, DAY, 3 * DAY),
    "low": (4 * HOUR, 2 * DAY, 5 * DAY),
}
# A clock is "about to run out" when at most this share of its business minutes is left.
NEAR_SHARE = 0.25


def sla_policies_install(
    *, workspace: Workspace, policies: dict[str, tuple[int, int, int]] | None = None
) -> None:
    """Install response-time policies per severity for every category (the system's: a new
    workspace, or a sector's defaults chosen at set-up). Existing policies are left alone."""
    rows = [
        SlaPolicy(
            workspace=workspace,
            category=None,
            severity=severity,
            acknowledge_minutes=ack,
            respond_minutes=respond,
            resolve_minutes=resolve,
        )
        for severity, (ack, respond, resolve) in (policies or DEFAULT_SLA).items()
    ]
    for row in rows:
        row.full_clean(validate_constraints=False)
    SlaPolicy.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def sla_policy_set(
    *,
    workspace: Workspace,
    by: Membership,
    category: CaseCategory | None,
    severity: str,
    acknowledge_minutes: int,
    respond_minutes: int,
    resolve_minutes: int,
) -> SlaPolicy:
    """Set the policy of one category (None: all) and severity ("": all). Managers and owners
    decide it."""
    require_member(by, workspace, Role.MANAGER)
    policy = SlaPolicy.objects.filter(
        workspace=workspace, category=category, severity=severity
    ).first() or SlaPolicy(workspace=workspace, category=category, severity=severity)
    policy.acknowledge_minutes = acknowledge_minutes
    policy.respond_minutes = respond_minutes
    policy.resolve_minutes = resolve_minutes
    policy.full_clean()
    policy.save()
    return policy


def sla_policy_for(*, workspace_id: int, category_id: int, severity: str) -> SlaPolicy | None:
    """The most specific policy for a category and severity, or None."""
    candidates = SlaPolicy.objects.filter(workspace_id=workspace_id).filter(
        Q(category_id=category_id) | Q(category__isnull=True),
        Q(severity=severity) | Q(severity=""),
    )

    def rank(p: SlaPolicy) -> tuple[bool, bool]:
        return (p.category_id is not None, p.severity != "")

    ordered = sorted(candidates, key=rank, reverse=True)
    return ordered[0] if ordered else None


def case_clocks_set(*, case: Case) -> None:
    """Set the three deadlines of `case` (not saved) from its policy, counted from when it was
    opened in the workspace's business hours. No policy: no clocks."""
    policy = sla_policy_for(
        workspace_id=case.workspace_id, category_id=case.category_id, severity=case.severity
    )
    if policy is None:
        case.acknowledge_due_at = case.respond_due_at = case.resolve_due_at = None
        return
    workspace = Workspace.objects.get(pk=case.workspace_id)
    zone, calendar = ZoneInfo(workspace.time_zone), workspace.calendar
    start = case.opened_at
    case.acknowledge_due_at = business_deadline(start, policy.acknowledge_minutes, zone, calendar)
    case.respond_due_at = business_deadline(start, policy.respond_minutes, zone, calendar)
    case.resolve_due_at = business_deadline(start, policy.resolve_minutes, zone, calendar)


# Which timestamp stops each clock, and which deadline it has.
CLOCK_FIELDS: dict[str, tuple[str, str]] = {
    Clock.ACKNOWLEDGE: ("acknowledged_at", "acknowledge_due_at"),
    Clock.RESPOND: ("responded_at", "respond_due_at"),
    Clock.RESOLVE: ("resolved_at", "resolve_due_at"),
}


@dataclass(frozen=True)
class ClockState:
    clock: str
    due_at: datetime
    stopped_at: datetime | None
    breached: bool
    near: bool


def clock_state(
    case: Case, clock: str, now: datetime, zone: ZoneInfo, calendar: BusinessCalendar | None = None
) -> ClockState | None:
    """Where one clock of a case stands at `now` (None: it has no deadline), on the workspace's
    calendar (the default one when not given)."""
    stopped_field, due_field = CLOCK_FIELDS[clock]
    due = getattr(case, due_field)
    if due is None:
        return None
    stopped = getattr(case, stopped_field)
    end = stopped or now
    breached = end > due
    near = False
    if not breached and stopped is None:
        total = business_minutes_between(case.opened_at, due, zone, calendar)
        left = business_minutes_between(now, due, zone, calendar)
        near = left <= total * NEAR_SHARE
    return ClockState(clock, due, stopped, breached, near)


def _recipients(case: Case, escalate: bool) -> list[Membership]:
    people: list[Membership] = []
    if case.owner_id:
        people.append(case.owner)  # type: ignore[arg-type]
    if escalate or not people:
        for member in Membership.objects.filter(
            workspace_id=case.workspace_id, role__in=[Role.OWNER, Role.MANAGER]
        ).select_related("user"):
            if all(member.pk != p.pk for p in people):
                people.append(member)
    return people


def _alert(case: Case, state: ClockState, level: str, zone: ZoneInfo) -> bool:
    """Insert the alert's row and notify; False when it was sent before."""
    from ascolto.notifications.services import notification_create

    try:
        with transaction.atomic():
            SlaAlert.objects.create(
                workspace_id=case.workspace_id,
                case=case,
                clock=state.clock,
                level=level,
                round=case.reopened_count if state.clock == Clock.RESOLVE else 0,
                due_at=state.due_at,
            )
            workspace = case.workspace
            with translation.override(workspace.language):
                clock = Clock(state.clock).label
                due = timezone.localtime(state.due_at, zone).strftime("%d/%m/%Y %H:%M")
                if level == SlaAlert.Level.BREACH:
                    title = _("Deadline missed: %(clock)s of case #%(case)s (%(customer)s)") % {
                        "clock": clock,
                        "case": case.pk,
                        "customer": case.customer.name,
                    }
                    body = _("It was due by %(due)s. Managers are told too.") % {"due": due}
                else:
                    title = _("Deadline close: %(clock)s of case #%(case)s (%(customer)s)") % {
                        "clock": clock,
                        "case": case.pk,
                        "customer": case.customer.name,
                    }
                    body = _("It is due by %(due)s.") % {"due": due}
            url = reverse("cases:case-detail", args=[case.pk])
            for person in _recipients(case, escalate=level == SlaAlert.Level.BREACH):
                notification_create(
                    workspace=workspace,
                    recipient=person,
                    kind="case",
                    title=title,
                    body=body,
                    customer=case.customer,
                    url=url,
                )
            if level == SlaAlert.Level.BREACH:
                CaseEvent.objects.create(
                    workspace_id=case.workspace_id,
                    case=case,
                    customer_id=case.customer_id,
                    kind=CaseEvent.Kind.SLA,
                    data={"clock": state.clock, "level": level},
                )
                hooks.case_clock_missed.call(case=case, clock=state.clock, due_at=state.due_at)
    except IntegrityError:
        return False
    return True


def case_clocks_check(*, now: datetime | None = None) -> int:
    """The scheduled job: alert on every open clock about to run out or run out, once each.
    Returns the number of alerts sent."""
    now = now or timezone.now()
    sent = 0
    horizon = now + timedelta(days=30)
    open_cases = (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .filter(
            Q(acknowledged_at__isnull=True, acknowledge_due_at__lte=horizon)
            | Q(responded_at__isnull=True, respond_due_at__lte=horizon)
            | Q(resolve_due_at__lte=horizon)
        )
        .select_related("workspace", "customer", "owner__user")
        .order_by("pk")
    )
    for case in open_cases.iterator(chunk_size=500):
        zone, calendar = ZoneInfo(case.workspace.time_zone), case.workspace.calendar
        for clock in CLOCK_FIELDS:
            state = clock_state(case, clock, now, zone, calendar)
            if state is None or state.stopped_at is not None:
                continue
            if state.breached:
                sent += _alert(case, state, SlaAlert.Level.BREACH, zone)
            elif state.near:
                sent += _alert(case, state, SlaAlert.Level.NEAR, zone)
    return sent
