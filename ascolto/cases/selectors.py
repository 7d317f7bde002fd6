"""Reads for cases, always scoped to a workspace. Other apps (customer health, the API) read
cases only through these: open cases and missed deadlines per customer among them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, TruncMonth
from django.utils import timezone

from ascolto.cases.models import OPEN_STATUSES, Case, CaseCategory, CaseEvent, Remedy, SlaAlert
from ascolto.customers.models import Contract, Customer
from ascolto.workspaces.models import Membership, Role, Workspace


def case_category_list(*, workspace: Workspace, active_only: bool = True) -> QuerySet[CaseCategory]:
    qs = CaseCategory.objects.for_workspace(workspace)
    return qs.filter(active=True) if active_only else qs


def case_list(*, workspace: Workspace) -> QuerySet[Case]:
    return Case.objects.for_workspace(workspace).select_related(
        "customer", "category", "owner__user"
    )


def case_list_open(*, workspace: Workspace, customer: Customer | None = None) -> QuerySet[Case]:
    """Open cases (new, taken in charge, in progress), soonest deadline first."""
    qs = case_list(workspace=workspace).filter(status__in=OPEN_STATUSES)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs.order_by(F("resolve_due_at").asc(nulls_last=True), "opened_at", "pk")


def case_get(*, workspace: Workspace, pk: int) -> Case:
    return case_list(workspace=workspace).get(pk=pk)


def case_event_list(*, workspace: Workspace, case: Case) -> QuerySet[CaseEvent]:
    return (
        CaseEvent.objects.for_workspace(workspace)
        .filter(case=case)
        .select_related("by__user")
        .order_by("at", "pk")
    )


def case_event_list_for_customer(
    *, workspace: Workspace, customer: Customer
) -> QuerySet[CaseEvent]:
    """A customer's case events, newest first: the timeline's "case" source."""
    return (
        CaseEvent.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("case__category", "by__user")
        .order_by("-at", "-pk")
    )


def customer_ids_with_open_case(*, workspace: Workspace, now: datetime | None = None) -> QuerySet:
    """Ids of customers with an open case, as a one-column subquery: relationship surveys wait
    for them (`feedback.hooks.cadence_quiet_customers`)."""
    return (
        Case.objects.for_workspace(workspace).filter(status__in=OPEN_STATUSES).values("customer_id")
    )


# Named on the bulk send's held-back list (`feedback.hooks.cadence_quiet_customers`).
customer_ids_with_open_case.hold_reason = "complaint"  # type: ignore[attr-defined]


def case_open_counts_by_customer(*, workspace: Workspace) -> dict[int, int]:
    """{customer id: number of open cases}, counted in the database."""
    rows = (
        Case.objects.for_workspace(workspace)
        .filter(status__in=OPEN_STATUSES)
        .values("customer_id")
        .annotate(n=Count("pk"))
    )
    return {row["customer_id"]: row["n"] for row in rows}


def sla_breach_counts_by_customer(
    *, workspace: Workspace, since: datetime | None = None
) -> dict[int, int]:
    """{customer id: number of missed deadlines since `since` (default: 90 days)}."""
    since = since or timezone.now() - timedelta(days=90)
    rows = (
        SlaAlert.objects.for_workspace(workspace)
        .filter(level=SlaAlert.Level.BREACH, created_at__gte=since)
        .values("case__customer_id")
        .annotate(n=Count("pk"))
    )
    return {row["case__customer_id"]: row["n"] for row in rows}


def case_list_breached(*, workspace: Workspace, customer: Customer | None = None) -> QuerySet[Case]:
    """Open cases with at least one missed deadline."""
    breached = SlaAlert.objects.filter(case=OuterRef("pk"), level=SlaAlert.Level.BREACH)
    qs = case_list_open(workspace=workspace, customer=customer).filter(Exists(breached))
    return qs


def case_open_for_category(*, customer: Customer, category: CaseCategory) -> Case | None:
    """The customer's open case of this category, oldest first, or None."""
    return (
        Case.objects.filter(
            workspace_id=customer.workspace_id,
            customer=customer,
            category=category,
            status__in=OPEN_STATUSES,
        )
        .order_by("opened_at", "pk")
        .first()
    )


@dataclass(frozen=True)
class Ledger:
    """What service recovery cost: granted remedies summed in the database."""

    total: Decimal
    pending: Decimal
    by_month: dict[date, Decimal]
    by_category: dict[str, Decimal]
    by_member: dict[int | None, Decimal]
    by_kind: dict[str, Decimal]
    # The yearly contract value of the customers given a remedy who are still customers.
    kept_value: Decimal


def remedy_list(*, workspace: Workspace, case: Case | None = None) -> QuerySet[Remedy]:
    qs = Remedy.objects.for_workspace(workspace).select_related(
        "case__customer", "case__category", "requested_by__user", "decided_by__user"
    )
    return qs.filter(case=case) if case is not None else qs


def remedy_list_pending(*, workspace: Workspace) -> QuerySet[Remedy]:
    return remedy_list(workspace=workspace).filter(status=Remedy.Status.PENDING)


def remedy_ledger(
    *, workspace: Workspace, start: datetime | None = None, end: datetime | None = None
) -> Ledger:
    """Totals of granted remedies (decided between `start` and `end` when given) per month (in
    the workspace's time zone), category, member and kind."""
    qs = Remedy.objects.for_workspace(workspace)
    if start is not None:
        qs = qs.filter(decided_at__gte=start)
    if end is not None:
        qs = qs.filter(decided_at__lt=end)
    granted = qs.filter(status=Remedy.Status.GRANTED)
    zone = ZoneInfo(workspace.time_zone)

    def by(field: str) -> dict[Any, Decimal]:
        rows = granted.values(field).annotate(total=Sum("amount")).order_by(field)
        return {row[field]: row["total"] for row in rows}

    months = (
        granted.annotate(month=TruncMonth("decided_at", tzinfo=zone))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    kept_customers = granted.exclude(case__customer__status=Customer.Status.LOST).values(
        "case__customer_id"
    )
    kept = Contract.objects.filter(workspace=workspace, customer_id__in=kept_customers).aggregate(
        v=Sum("yearly_value")
    )["v"]
    return Ledger(
        total=granted.aggregate(t=Sum("amount"))["t"] or Decimal(0),
        pending=qs.filter(status=Remedy.Status.PENDING).aggregate(t=Sum("amount"))["t"]
        or Decimal(0),
        by_month={row["month"].date(): row["total"] for row in months},
        by_category=by("case__category__code"),
        by_member=by("decided_by_id"),
        by_kind=by("kind"),
        kept_value=kept or Decimal(0),
    )


def case_queue(
    *,
    workspace: Workspace,
    member: Membership,
    scope: str = "mine",
    category: CaseCategory | None = None,
    breaching: bool = False,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """The work queue: open cases ordered by the deadline that comes first (missed ones on top),
    then the oldest. `scope`: "mine", "team" or "unassigned"; `breaching`: only cases with a
    deadline missed or within the next business day (9 hours)."""
    now = now or timezone.now()
    qs = case_list_open(workspace=workspace)
    if scope == "mine":
        qs = qs.filter(owner=member)
    elif scope == "unassigned":
        qs = qs.filter(owner__isnull=True)
    if category is not None:
        qs = qs.filter(category=category)
    qs = qs.annotate(next_due=Least(_due("acknowledge"), _due("respond"), _due("resolve")))
    if breaching:
        qs = qs.filter(next_due__lte=now + timedelta(hours=24))
    return qs.order_by("next_due", "opened_at", "pk")


# Stands for "no deadline" inside Least(), which is NULL as soon as one argument is.
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


def _due(clock: str) -> Any:
    """The deadline of one clock while it runs, else `NO_DEADLINE`."""
    stopped, due = {
        "acknowledge": ("acknowledged_at", "acknowledge_due_at"),
        "respond": ("responded_at", "respond_due_at"),
        "resolve": ("resolved_at", "resolve_due_at"),
    }[clock]
    return Coalesce(
        SqlCase(When(**{f"{stopped}__isnull": True}, then=F(due))),
        Value(NO_DEADLINE, output_field=DateTimeField()),
    )


def case_clocks(*, case: Case, now: datetime | None = None) -> list[Any]:
    """The three clocks of a case as the page shows them (`sla.ClockState`)."""
    from ascolto.cases.services.sla import CLOCK_FIELDS, clock_state

    now = now or timezone.now()
    zone, calendar = ZoneInfo(case.workspace.time_zone), case.workspace.calendar
    states = [clock_state(case, clock, now, zone, calendar) for clock in CLOCK_FIELDS]
    return [state for state in states if state is not None]


def case_emotion(*, case: Case) -> str:
    """The case's emotion: as staff set it, else what text analysis read in its linked
    interactions (the most recent analysed one), else ""."""
    if case.emotion:
        return case.emotion
    from ascolto.textanalysis.models import TextAnalysis

    ids = list(case.interactions.values_list("pk", flat=True))
    found = (
        TextAnalysis.objects.filter(
            workspace_id=case.workspace_id, source_kind="interaction", source_id__in=ids
        )
        .order_by("-occurred_at", "-pk")
        .values_list("emotion", flat=True)
        .first()
    )
    return found or ""


LOST_LOOKBACK_DAYS = 90


@dataclass(frozen=True)
class LostReasonRow:
    reason: str
    customers: int
    yearly_value: Decimal
    cases: int
    broken_promises: int


def lost_customers_report(*, workspace: Workspace) -> dict[str, Any]:
    """Why customers were lost: per reason and per month, how many and their yearly contract
    value, with the cases and broken promises of the 90 days before each loss (linked to the
    record when it was made, `LossCause`), and the competitors named. Counted in the database
    (one subquery per figure)."""
    from ascolto.cases.models import LossCause
    from ascolto.customers.models import LostRecord

    def linked(field: str) -> Any:
        return (
            LossCause.objects.filter(record=OuterRef("pk"), **{f"{field}__isnull": False})
            .order_by()
            .values("record")
            .annotate(n=Count("pk"))
            .values("n")
        )

    cases_before = linked("case")
    broken_before = linked("promise_check")
    value = (
        Contract.objects.filter(customer=OuterRef("customer"))
        .order_by()
        .values("customer")
        .annotate(v=Sum("yearly_value"))
        .values("v")
    )
    records = LostRecord.objects.for_workspace(workspace).annotate(
        cases_before=Coalesce(Subquery(cases_before), 0),
        broken_before=Coalesce(Subquery(broken_before), 0),
        value=Coalesce(Subquery(value), Value(Decimal(0)), output_field=DecimalField()),
    )
    by_reason = (
        records.values("reason__name_it", "reason__name_en")
        .annotate(
            n=Count("pk"),
            total=Sum("value"),
            cases=Sum("cases_before"),
            broken=Sum("broken_before"),
        )
        .order_by("-n", "reason__name_it")
    )
    by_month = (
        records.annotate(month=TruncMonth("lost_on"))
        .values("month")
        .annotate(n=Count("pk"), total=Sum("value"))
        .order_by("month")
    )
    competitors = (
        records.exclude(competitor="")
        .values("competitor")
        .annotate(n=Count("pk"))
        .order_by("-n", "competitor")
    )
    return {
        "by_reason": list(by_reason),
        "by_month": list(by_month),
        "competitors": list(competitors),
        "records": records.select_related("customer", "reason")
        .prefetch_related("causes__case__category")
        .order_by("-lost_on", "-pk")[:100],
        "lookback_days": LOST_LOOKBACK_DAYS,
    }


def sla_compliance(*, workspace: Workspace, start: date, end: date) -> list[dict[str, Any]]:
    """Per category (by code), the cases opened from `start` to `end` (days in the workspace's
    time zone, both included) and how many met each deadline; counted in the database. A case
    without a deadline, or whose clock still runs, is not "in time"."""
    zone = ZoneInfo(workspace.time_zone)
    lo = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    breaches = SlaAlert.objects.filter(case=OuterRef("pk"), level=SlaAlert.Level.BREACH)
    rows = (
        Case.objects.for_workspace(workspace)
        .filter(opened_at__gte=lo, opened_at__lt=hi)
        .annotate(missed=Coalesce(Subquery(_count_of(breaches)), 0))
        .values("category__code")
        .annotate(
            cases=Count("pk"),
            acknowledged_in_time=Count(
                "pk", filter=Q(acknowledged_at__lte=F("acknowledge_due_at"))
            ),
            responded_in_time=Count("pk", filter=Q(responded_at__lte=F("respond_due_at"))),
            resolved_in_time=Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))),
            breaches=Sum("missed"),
        )
        .order_by("category__code")
    )
    return [
        {
            "category": row["category__code"],
            "cases": row["cases"],
            "acknowledged_in_time": row["acknowledged_in_time"],
            "responded_in_time": row["responded_in_time"],
            "resolved_in_time": row["resolved_in_time"],
            "breaches": row["breaches"] or 0,
        }
        for row in rows
    ]


def _count_of(qs: QuerySet) -> QuerySet:
    return qs.order_by().values("case").annotate(n=Count("pk")).values("n")


def ledger_remedies(
    *,
    workspace: Workspace,
    start: date | None = None,
    end: date | None = None,
    member: Membership | None = None,
    category: CaseCategory | None = None,
    status: str = "",
) -> QuerySet[Remedy]:
    """The remedies of the ledger page, newest first: asked or decided from `start` to `end`
    (days in the workspace's time zone, both included; the time of the decision, else of the
    request), asked or decided by `member`, of one category, in one status."""
    zone = ZoneInfo(workspace.time_zone)
    qs = remedy_list(workspace=workspace).annotate(at=Coalesce("decided_at", "requested_at"))
    if start is not None:
        qs = qs.filter(at__gte=datetime.combine(start, datetime.min.time(), tzinfo=zone))
    if end is not None:
        upper = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        qs = qs.filter(at__lt=upper)
    if member is not None:
        qs = qs.filter(Q(requested_by=member) | Q(decided_by=member))
    if category is not None:
        qs = qs.filter(case__category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-at", "-pk")


@dataclass(frozen=True)
class MemberMonth:
    """What one member granted in one month, beside their monthly budget (None: no limit)."""

    month: date
    member: Membership | None
    total: Decimal
    count: int
    budget: Decimal | None

    @property
    def over(self) -> bool:
        return self.budget is not None and self.total > self.budget


def ledger_totals(*, workspace: Workspace, remedies: QuerySet[Remedy]) -> dict[str, Any]:
    """Totals of the granted remedies among `remedies`, summed in the database: per month (the
    workspace's time zone) and per member and month beside their monthly budget."""
    from ascolto.cases.services.remedies import budget_for

    zone = ZoneInfo(workspace.time_zone)
    granted = remedies.filter(status=Remedy.Status.GRANTED).order_by()
    months = (
        granted.annotate(month=TruncMonth("decided_at", tzinfo=zone))
        .values("month")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by("-month")
    )
    per_member = (
        granted.annotate(month=TruncMonth("decided_at", tzinfo=zone))
        .values("month", "decided_by")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by("-month", "decided_by")
    )
    members = {
        m.pk: m
        for m in Membership.objects.filter(
            workspace=workspace, pk__in={row["decided_by"] for row in per_member}
        ).select_related("user")
    }
    budgets = {pk: budget_for(m) for pk, m in members.items()}
    rows = []
    for row in per_member:
        member = members.get(row["decided_by"])
        budget = budgets.get(row["decided_by"])
        if member is not None and budget is None and member.role != Role.OWNER:
            limit: Decimal | None = Decimal(0)
        else:
            limit = budget.per_month if budget is not None else None
        rows.append(
            MemberMonth(
                month=_as_date(row["month"]),
                member=member,
                total=row["total"],
                count=row["n"],
                budget=limit,
            )
        )
    return {
        "by_month": [
            {"month": _as_date(r["month"]), "total": r["total"], "count": r["n"]} for r in months
        ],
        "by_member": rows,
        "total": granted.aggregate(t=Sum("amount"))["t"] or Decimal(0),
        "pending": remedies.filter(status=Remedy.Status.PENDING)
        .order_by()
        .aggregate(t=Sum("amount"))["t"]
        or Decimal(0),
    }


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value
