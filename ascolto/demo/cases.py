"""Cases of the demo business: every broken promise, complaint and recent detractor in the work
queue, in every state, with remedies within and above budgets, approvals, missed deadlines and
reopened cases.

The demo writes its history in bulk, past the hooks, so the cases of its crises, complaints
and detractor answers are opened here through the functions the hooks call; the cases of the
crises it closed are closed at that moment.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from ascolto.cases.models import Case, CaseEmail, CaseEvent, SlaAlert
from ascolto.cases.services import (
    case_remedy_approve,
    case_remedy_grant,
    case_remedy_refuse,
    case_reopen,
    case_status_change,
)
from ascolto.cases.services.moments import (
    case_for_complaint,
    case_for_detractor,
    cases_for_crises,
)
from ascolto.cases.services.sla import CLOCK_FIELDS, clock_state
from ascolto.core.leases import WorkState
from ascolto.demo import DemoContext
from ascolto.demo.dates import next_business_time
from ascolto.feedback.models import Response
from ascolto.interactions.models import Interaction
from ascolto.notifications.models import Notification
from ascolto.promises.models import Crisis
from ascolto.workspaces.models import Role

# Complaints and detractors of the last this many days become cases (older ones are history).
RECENT_DAYS = 180
# Of those, the newest few stay open; the others are resolved and closed.
STILL_OPEN = 8
OUTCOMES = ["satisfied", "satisfied", "satisfied", "partly", "unsatisfied"]
REMEDIES = [
    ("apology", Decimal("0"), "Scuse al telefono"),
    ("gift", Decimal("30"), "Una bottiglia di vino con le scuse"),
    ("discount", Decimal("120"), "Sconto sulla prossima fattura"),
    ("discount", Decimal("180"), "Sconto del 10% sul noleggio del mese"),
    ("redo", Decimal("150"), "Intervento rifatto senza costi"),
    ("refund", Decimal("350"), "Rimborso del noleggio di una settimana"),
    ("replacement", Decimal("900"), "Sostituzione del generatore"),
    ("refund", Decimal("2400"), "Rimborso del contratto del trimestre"),
]


def cases_step(ctx: DemoContext) -> None:
    workspace = ctx.workspace
    assert workspace is not None
    since = ctx.end - timedelta(days=RECENT_DAYS)
    crises = list(
        Crisis.objects.filter(workspace=workspace, withdrawn=False)
        .select_related("promise_check__interaction", "promise_check__promise", "customer")
        .order_by("opened_at", "pk")
    )
    with transaction.atomic():
        cases_for_crises(crises=crises)
    for interaction in (
        Interaction.objects.filter(
            workspace=workspace, touchpoint__code="reclamo", occurred_at__gte=since
        )
        .select_related("touchpoint", "customer__workspace", "member")
        .order_by("occurred_at", "pk")
    ):
        with transaction.atomic():
            case_for_complaint(interaction=interaction)
    for response in (
        Response.objects.filter(
            workspace=workspace, band=Response.Band.DETRACTOR, submitted_at__gte=since
        )
        .exclude(customer__isnull=True)
        .select_related("customer__workspace", "customer__account_owner")
        .order_by("submitted_at", "pk")
    ):
        with transaction.atomic():
            case_for_detractor(response=response)
    _follow_crises(ctx)
    _handle(ctx)
    _breaches(ctx)
    # Approval requests and deadline alerts show in the app; no demo email goes out.
    Notification.objects.filter(workspace=workspace, kind="case").update(state=WorkState.DONE)
    CaseEmail.objects.filter(workspace=workspace).update(
        state=WorkState.DONE, sent_at=F("created_at")
    )
    ctx.counts["case"] = Case.objects.filter(workspace=workspace).count()
    ctx.counts["case open"] = Case.objects.filter(
        workspace=workspace, status__in=["new", "acknowledged", "in_progress"]
    ).count()


def _follow_crises(ctx: DemoContext) -> None:
    """Cases of crises the demo closed as handled are resolved and closed at that moment."""
    closed = Crisis.objects.filter(workspace=ctx.workspace, closed_at__isnull=False)
    rows = []
    for case in Case.objects.filter(crisis__in=closed).select_related("crisis"):
        crisis = case.crisis
        assert crisis is not None and crisis.closed_at is not None
        at = crisis.closed_at
        case.status = Case.Status.CLOSED
        case.outcome = "withdrawn" if crisis.withdrawn else "satisfied"
        case.acknowledged_at = case.acknowledged_at or min(case.opened_at + timedelta(hours=1), at)
        case.responded_at = case.responded_at or min(case.opened_at + timedelta(hours=3), at)
        case.resolved_at = case.closed_at = at
        rows.append(case)
    Case.objects.bulk_update(
        rows,
        ["status", "outcome", "acknowledged_at", "responded_at", "resolved_at", "closed_at"],
        batch_size=ctx.options.batch_size,
    )
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                workspace_id=case.workspace_id,
                case=case,
                customer_id=case.customer_id,
                kind=CaseEvent.Kind.STATUS,
                at=case.closed_at,
                by_id=case.crisis.closed_by_id if case.crisis else None,
                from_status="new",
                to_status="closed",
            )
            for case in rows
        ],
        batch_size=ctx.options.batch_size,
    )


def _handle(ctx: DemoContext) -> None:
    """Move the older open cases along to closed (remedies on some, within and above budget),
    leave the newest open in every state, reopen two."""
    rng = ctx.random_for("cases", "handle")
    members = ctx.members
    owner = members[0]
    manager = next(m for m in members if m.role == Role.MANAGER)
    agents = [m for m in members if m.role == Role.AGENT] or [manager]
    open_cases = list(
        Case.objects.filter(
            workspace=ctx.workspace, status__in=["new", "acknowledged", "in_progress"]
        )
        .select_related("customer", "category", "workspace")
        .order_by("opened_at", "pk")
    )
    keep = open_cases[-STILL_OPEN:]
    # A broken promise's case follows its crisis (`_follow_crises`): the open ones stay open.
    older = [case for case in open_cases[:-STILL_OPEN] if case.crisis_id is None]
    for i, case in enumerate(keep):
        agent = case.owner if case.owner and case.owner.role == Role.AGENT else agents[0]
        state = ["new", "new", "acknowledged", "acknowledged", "in_progress"][i % 5]
        if state != "new":
            case_status_change(case=case, by=agent, status=state)
        if i == 3:
            case_remedy_grant(case=case, by=agent, kind="gift", amount="30", why="Omaggio")
        if i == 4:  # above an agent's budget: waits for the manager
            case_remedy_grant(
                case=case, by=agent, kind="refund", amount="450", why="Rimborso di una giornata"
            )
    for j, case in enumerate(older):
        agent = case.owner if case.owner and case.owner.role == Role.AGENT else rng.choice(agents)
        case_status_change(case=case, by=agent, status="resolved")
        if j % 3 == 0:
            kind, amount, why = REMEDIES[j // 3 % len(REMEDIES)]
            remedy = case_remedy_grant(case=case, by=agent, kind=kind, amount=amount, why=why)
            if remedy.status == "pending":
                if amount > Decimal("2000"):
                    case_remedy_approve(remedy=remedy, by=owner, reason="Cliente importante")
                elif j % 2:
                    case_remedy_approve(remedy=remedy, by=manager, reason="Giusto così")
                else:
                    case_remedy_refuse(remedy=remedy, by=manager, reason="Basta lo sconto")
        if j in (1, 4):  # the customer called again: reopened, then resolved once more
            case_reopen(case=case, by=agent, note="Il cliente ha richiamato: non è risolto")
            case_status_change(case=case, by=agent, status="resolved")
        case_status_change(
            case=case, by=manager, status="closed", outcome=OUTCOMES[j % len(OUTCOMES)]
        )
        _backdate(case, rng.uniform(2, 96))


def _backdate(case: Case, hours: float) -> None:
    """The services date what they do now; a case of the history was handled in the days after
    it was opened: its stages, remedies and events move there, in order."""
    from ascolto.cases.models import Remedy

    start = case.opened_at
    end = next_business_time(start + timedelta(hours=hours))
    span = end - start
    Case.objects.filter(pk=case.pk).update(
        acknowledged_at=start + span * 0.1,
        responded_at=start + span * 0.3,
        resolved_at=start + span * 0.8,
        closed_at=end,
    )
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    for n, event in enumerate(events):
        event.at = start + span * (n / max(len(events) - 1, 1))
    CaseEvent.objects.bulk_update(events, ["at"])
    Remedy.objects.filter(case=case).update(
        requested_at=start + span * 0.5, decided_at=start + span * 0.6
    )


def _breaches(ctx: DemoContext) -> None:
    """Missed deadlines of open cases as the clock job would record them (quietly: no email)."""
    from zoneinfo import ZoneInfo

    zone, calendar = ZoneInfo(ctx.workspace.time_zone), ctx.workspace.calendar
    alerts = []
    for case in Case.objects.filter(
        workspace=ctx.workspace, status__in=["new", "acknowledged", "in_progress"]
    ):
        for clock in CLOCK_FIELDS:
            state = clock_state(case, clock, ctx.end, zone, calendar)
            if state is not None and state.breached and state.stopped_at is None:
                alerts.append(
                    SlaAlert(
                        workspace_id=case.workspace_id,
                        case=case,
                        clock=clock,
                        level=SlaAlert.Level.BREACH,
                        due_at=state.due_at,
                        created_at=state.due_at,
                    )
                )
    SlaAlert.objects.bulk_create(alerts, ignore_conflicts=True)
