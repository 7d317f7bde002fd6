"""Remedies decided in advance, spending budgets, and approvals.

A manager decides beforehand which remedies the business gives (`RemedyOption`: a discount, a
refund, a free redo... with a usual value and a maximum) and how much each role, or one member,
may grant without asking anyone (`SpendingBudget`, per case and per month). A member grants a
remedy on a case: within their budget it is granted at once; above it, it waits for a member
whose budget covers it, who approves or refuses it with a reason.

Every amount is a `Decimal` with two places, checked here on the server whatever path asked
(page, admin, API). Budgets hold under concurrency: the row of the member whose budget pays is
locked (`SELECT ... FOR UPDATE`; on SQLite the write transaction itself is exclusive) before the
month's and the case's totals are summed, so two grants at the same moment are counted one after
the other and cannot overspend together; an approval moves a remedy from "pending" with a
conditional UPDATE, so two approvals at the same moment grant it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    Remedy,
    RemedyKind,
    RemedyOption,
    SpendingBudget,
)
from ascolto.cases.services.cases import CaseRefused, _event
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

CENT = Decimal("0.01")

# Per role: (per case, per month); None is unlimited. The Ritz-Carlton rule, in euros.
DEFAULT_BUDGETS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    Role.AGENT: (Decimal("200"), Decimal("1000")),
    Role.MANAGER: (Decimal("2000"), Decimal("10000")),
    Role.OWNER: (None, None),
}
# Remedies for every category: kind -> (usual value, at most).
DEFAULT_REMEDIES: dict[str, tuple[Decimal, Decimal | None]] = {
    RemedyKind.APOLOGY: (Decimal("0"), Decimal("0")),
    RemedyKind.DISCOUNT: (Decimal("50"), Decimal("500")),
    RemedyKind.REFUND: (Decimal("100"), Decimal("3000")),
    RemedyKind.REDO: (Decimal("150"), Decimal("1500")),
    RemedyKind.REPLACEMENT: (Decimal("200"), Decimal("3000")),
    RemedyKind.GIFT: (Decimal("30"), Decimal("100")),
}


def money(value: object) -> Decimal:
    """A non-negative amount with two places, from a Decimal, an int or a string ("12,50" too).
    Floats are refused: money never goes through binary fractions."""
    if isinstance(value, float | bool):
        raise CaseRefused(
            _("Give the amount as a number with at most two decimals."), field="amount"
        )
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise CaseRefused(
            _("Give the amount as a number, e.g. 150 or 150.50."), field="amount"
        ) from None
    if not amount.is_finite() or amount < 0:
        raise CaseRefused(_("The amount cannot be negative."), field="amount")
    if amount >= Decimal("10000000000"):
        raise CaseRefused(_("The amount is too large."), field="amount")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def remedy_defaults_install(
    *,
    workspace: Workspace,
    remedies: dict[str, tuple[Decimal, Decimal | None]] | None = None,
    budgets: dict[str, tuple[Decimal | None, Decimal | None]] | None = None,
) -> None:
    """The remedies allowed for every category and the budgets per role (the system's: a new
    workspace, or a sector's defaults). What exists is left alone."""
    RemedyOption.objects.bulk_create(
        [
            RemedyOption(workspace=workspace, kind=kind, default_amount=usual, max_amount=most)
            for kind, (usual, most) in (remedies or DEFAULT_REMEDIES).items()
        ],
        ignore_conflicts=True,
    )
    SpendingBudget.objects.bulk_create(
        [
            SpendingBudget(workspace=workspace, role=role, per_case=case, per_month=month)
            for role, (case, month) in (budgets or DEFAULT_BUDGETS).items()
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def remedy_option_set(
    *,
    workspace: Workspace,
    by: Membership,
    kind: str,
    category: CaseCategory | None = None,
    default_amount: object = 0,
    max_amount: object | None = None,
    active: bool = True,
) -> RemedyOption:
    """Allow (or stop allowing) a remedy, with its usual value and maximum (managers and
    owners decide the policy)."""
    require_member(by, workspace, Role.MANAGER)
    option = RemedyOption.objects.filter(
        workspace=workspace, kind=kind, category=category
    ).first() or RemedyOption(workspace=workspace, kind=kind, category=category)
    option.default_amount = money(default_amount)
    option.max_amount = None if max_amount in (None, "") else money(max_amount)
    option.active = active
    option.full_clean()
    option.save()
    return option


@transaction.atomic
def spending_budget_set(
    *,
    workspace: Workspace,
    by: Membership,
    role: str = "",
    member: Membership | None = None,
    per_case: object | None = None,
    per_month: object | None = None,
) -> SpendingBudget:
    """Set what a role, or one member, may grant without asking. Managers set the budgets of
    agents and of managers other than themselves; only owners set owners' and their own
    (nobody raises their own budget unless they run the workspace)."""
    require_member(by, workspace, Role.MANAGER)
    target_role = member.role if member is not None else role
    if member is not None and member.workspace_id != workspace.pk:
        raise CaseRefused(_("The staff member must belong to this workspace."), field="member")
    if target_role not in Role.values:
        raise CaseRefused(_("Unknown role."), field="role")
    raises_self = (member is not None and member.pk == by.pk) or (
        member is None and role == by.role
    )
    if target_role == Role.OWNER or raises_self:
        require_member(by, workspace, Role.OWNER)
    if member is not None:
        budget = SpendingBudget.objects.filter(member=member).first() or SpendingBudget(
            workspace=workspace, member=member
        )
    else:
        budget = SpendingBudget.objects.filter(workspace=workspace, role=role).first() or (
            SpendingBudget(workspace=workspace, role=role)
        )
    budget.per_case = None if per_case in (None, "") else money(per_case)
    budget.per_month = None if per_month in (None, "") else money(per_month)
    budget.full_clean(validate_constraints=False)
    budget.save()
    return budget


@dataclass(frozen=True)
class Allowance:
    """What `member` may still grant on a case now (None: no limit)."""

    per_case: Decimal | None
    per_month: Decimal | None
    spent_on_case: Decimal
    spent_this_month: Decimal

    @property
    def left_on_case(self) -> Decimal | None:
        return (
            None if self.per_case is None else max(self.per_case - self.spent_on_case, Decimal(0))
        )

    @property
    def left_this_month(self) -> Decimal | None:
        if self.per_month is None:
            return None
        return max(self.per_month - self.spent_this_month, Decimal(0))

    @property
    def left(self) -> Decimal | None:
        limits = [x for x in (self.left_on_case, self.left_this_month) if x is not None]
        return min(limits) if limits else None

    def covers(self, amount: Decimal) -> bool:
        return self.left is None or amount <= self.left


def budget_for(member: Membership) -> SpendingBudget | None:
    """The member's own budget, else their role's; None when neither is set."""
    own = SpendingBudget.objects.filter(member=member).first()
    if own is not None:
        return own
    return SpendingBudget.objects.filter(workspace_id=member.workspace_id, role=member.role).first()


def month_start(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def allowance(*, member: Membership, case: Case, now: datetime | None = None) -> Allowance:
    """What `member` may grant on `case` now, summed in the database from the ledger. A member
    without any budget row may grant nothing (an owner without one: anything)."""
    now = now or timezone.now()
    budget = budget_for(member)
    if budget is None:
        unlimited = member.role == Role.OWNER
        per_case = None if unlimited else Decimal(0)
        per_month = None if unlimited else Decimal(0)
    else:
        per_case, per_month = budget.per_case, budget.per_month
    zone = ZoneInfo(
        Workspace.objects.values_list("time_zone", flat=True).get(pk=member.workspace_id)
    )
    granted = Remedy.objects.filter(decided_by=member, status=Remedy.Status.GRANTED)
    totals = granted.aggregate(
        on_case=Sum("amount", filter=Q(case=case)),
        month=Sum("amount", filter=Q(decided_at__gte=month_start(now, zone))),
    )
    return Allowance(
        per_case=per_case,
        per_month=per_month,
        spent_on_case=totals["on_case"] or Decimal(0),
        spent_this_month=totals["month"] or Decimal(0),
    )


def _option_for(case: Case, kind: str) -> RemedyOption | None:
    """The active option of this kind for the case's category, else for every category."""
    options = RemedyOption.objects.filter(
        workspace_id=case.workspace_id, kind=kind, active=True
    ).filter(Q(category_id=case.category_id) | Q(category__isnull=True))
    return sorted(options, key=lambda o: o.category_id is None)[0] if options else None


def _lock_member(member: Membership) -> None:
    """Serialise every grant paid from this member's budget (see the module's docstring)."""
    Membership.objects.select_for_update().filter(pk=member.pk).values_list("pk").get()


@transaction.atomic
def case_remedy_grant(
    *, case: Case, by: Membership, kind: str, amount: object, why: str = ""
) -> Remedy:
    """Grant a remedy on a case (any member), or ask for it when it is above their budget.

    The remedy must be one the business allows for the case's category, worth at most its
    maximum. Within `by`'s budget (per case and this month, counting what they granted before)
    it is granted at once; above it, it is recorded as waiting and the members whose budget
    covers it are told."""
    require_member(by, case.workspace_id, Role.AGENT)
    value = money(amount)
    if kind not in RemedyKind.values:
        raise CaseRefused(_("Unknown remedy."), field="kind")
    option = _option_for(case, kind)
    if option is None:
        raise CaseRefused(
            _("“%(remedy)s” is not among the remedies allowed for this category.")
            % {"remedy": RemedyKind(kind).label},
            field="kind",
        )
    if option.max_amount is not None and value > option.max_amount:
        raise CaseRefused(
            _("At most %(max)s for “%(remedy)s”.")
            % {"max": option.max_amount, "remedy": RemedyKind(kind).label},
            field="amount",
        )
    locked_case = Case.objects.select_for_update().get(pk=case.pk, workspace_id=case.workspace_id)
    if not locked_case.is_open and locked_case.status != Case.Status.RESOLVED:
        raise CaseRefused(_("Reopen the case to give a remedy."))
    _lock_member(by)
    now = timezone.now()
    within = allowance(member=by, case=locked_case, now=now).covers(value)
    remedy = Remedy(
        workspace_id=case.workspace_id,
        case=locked_case,
        kind=kind,
        amount=value,
        why=(why or "").strip()[:500],
        status=Remedy.Status.GRANTED if within else Remedy.Status.PENDING,
        requested_by=by,
        requested_at=now,
        decided_by=by if within else None,
        decided_at=now if within else None,
    )
    remedy.full_clean()
    remedy.save()
    _event(
        locked_case,
        CaseEvent.Kind.REMEDY,
        by,
        at=now,
        note=remedy.why,
        remedy=remedy.pk,
        remedy_kind=kind,
        amount=str(value),
        status=remedy.status,
    )
    if not within:
        _ask_for_approval(remedy)
    return remedy


def approvers_for(remedy: Remedy) -> list[Membership]:
    """Managers and owners whose budget covers the remedy now."""
    people = Membership.objects.filter(
        workspace_id=remedy.workspace_id, role__in=[Role.MANAGER, Role.OWNER]
    ).select_related("user")
    return [
        m
        for m in people
        if m.pk != remedy.requested_by_id
        and allowance(member=m, case=remedy.case).covers(remedy.amount)
    ]


def _ask_for_approval(remedy: Remedy) -> None:
    from ascolto.notifications.services import notification_create, notification_texts

    case = remedy.case
    workspace = case.workspace
    url = reverse("cases:case-detail", args=[case.pk]) + f"#remedy-{remedy.pk}"

    def words() -> tuple[str, str]:
        title = _("Approval asked: %(remedy)s of %(amount)s %(currency)s for %(customer)s") % {
            "remedy": RemedyKind(remedy.kind).label,
            "amount": remedy.amount,
            "currency": workspace.currency,
            "customer": case.customer.name,
        }
        return title, remedy.why

    texts = notification_texts(words)
    for person in approvers_for(remedy):
        notification_create(
            workspace=workspace,
            recipient=person,
            kind="case",
            texts=texts,
            customer=case.customer,
            url=url,
        )


@transaction.atomic
def case_remedy_approve(*, remedy: Remedy, by: Membership, reason: str = "") -> Remedy:
    """Approve a waiting remedy from `by`'s own budget (managers and owners), which must cover
    it. Two approvals at the same moment grant it once: the second is told it was decided."""
    require_member(by, remedy.workspace_id, Role.MANAGER)
    _lock_member(by)
    case = Case.objects.get(pk=remedy.case_id, workspace_id=remedy.workspace_id)
    stored = Remedy.objects.get(pk=remedy.pk, workspace_id=remedy.workspace_id)
    if stored.status != Remedy.Status.PENDING:
        raise CaseRefused(_("This remedy was already decided."))
    if not allowance(member=by, case=case).covers(stored.amount):
        raise CaseRefused(
            _("%(amount)s is above your budget: someone with a larger budget must approve it.")
            % {"amount": stored.amount}
        )
    return _decide(stored, by, Remedy.Status.GRANTED, reason, original=remedy)


@transaction.atomic
def case_remedy_refuse(*, remedy: Remedy, by: Membership, reason: str) -> Remedy:
    """Refuse a waiting remedy, saying why (managers and owners)."""
    require_member(by, remedy.workspace_id, Role.MANAGER)
    reason = (reason or "").strip()
    if not reason:
        raise CaseRefused(_("Say why the remedy is refused."), field="reason")
    stored = Remedy.objects.get(pk=remedy.pk, workspace_id=remedy.workspace_id)
    return _decide(stored, by, Remedy.Status.REFUSED, reason, original=remedy)


def _decide(stored: Remedy, by: Membership, status: str, reason: str, original: Remedy) -> Remedy:
    now = timezone.now()
    moved = Remedy.objects.filter(pk=stored.pk, status=Remedy.Status.PENDING).update(
        status=status, decided_by=by, decided_at=now, decision_reason=reason[:500]
    )
    if moved != 1:
        raise CaseRefused(_("This remedy was already decided."))
    stored.refresh_from_db()
    case = Case.objects.get(pk=stored.case_id)
    _event(
        case,
        CaseEvent.Kind.REMEDY,
        by,
        at=now,
        note=reason,
        remedy=stored.pk,
        remedy_kind=stored.kind,
        amount=str(stored.amount),
        status=status,
    )
    for name in ("status", "decided_by", "decided_at", "decision_reason"):
        setattr(original, name, getattr(stored, name))
    return stored
