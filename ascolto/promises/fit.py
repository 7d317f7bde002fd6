"""The fit check: can the catalogue meet what a customer (usually a prospect) needs?

Each recorded need is compared with the active promises that apply to it: same dimension and
kind of target, the need's touchpoint when it names one, and a promise either for every
segment or for the customer's. A need *fits* when one of them meets it, *does not fit* when
they all fall short (the closest one explains by how much), and is *not covered* when none
applies at all: a need nothing promises counts as a misfit too.

`fit_check()` is pure (expectations and promises in, verdict out) so it can be tested without
a database; `fit_check_for_customer()` loads the data with two queries. Explanations are
rendered in the active language when the check runs; `FitNeed.as_record()` keeps both the
words and the machine fields for a `FitOverride`.

The report of customers taken despite a misfit (`fit_override_report()`) reads what became of
them with subqueries: latest NPS answer, lost date, broken promises since the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ascolto.customers.models import Customer, LostRecord
from ascolto.feedback.models import Response, Survey
from ascolto.promises.formatting import minutes_text, target_text
from ascolto.promises.models import (
    Comparison,
    Expectation,
    FitOverride,
    Promise,
    PromiseCheck,
    TargetType,
)
from ascolto.workspaces.models import Workspace

FITS = "fits"
MISFIT = "misfit"
NOT_COVERED = "not_covered"
NOTHING = "nothing"


@dataclass
class FitNeed:
    """One need against the catalogue."""

    expectation: Expectation
    status: str  # FITS, MISFIT or NOT_COVERED
    explanation: str
    promise: Promise | None = None
    # The promise counts business hours, the need wall-clock time: compared as if equal.
    business_hours: bool = False

    @property
    def fits(self) -> bool:
        return self.status == FITS

    def as_record(self) -> dict[str, Any]:
        """What a `FitOverride` keeps of a mismatch: the words as shown at the decision, and
        the fields to compare later."""
        need = self.expectation
        promise = self.promise
        return {
            "expectation_id": need.pk,
            "their_words": need.text,
            "dimension": need.dimension,
            "target_type": need.target_type,
            "status": self.status,
            "explanation": self.explanation,
            "need": target_text(need),
            "need_limit": _json_number(need.limit),
            "need_measure": need.measure,
            "need_comparison": need.comparison,
            "touchpoint_id": need.touchpoint_id,
            "promise_id": promise.pk if promise else None,
            "promise": promise.label if promise else "",
            "promise_name_it": promise.name_it if promise else "",
            "promise_name_en": promise.name_en if promise else "",
            "promised": target_text(promise) if promise else "",
            "promise_limit": _json_number(promise.limit) if promise else None,
            "promise_comparison": promise.comparison if promise else "",
            "business_hours": self.business_hours,
        }


@dataclass
class FitResult:
    needs: list[FitNeed] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.needs:
            return NOTHING
        return FITS if all(n.fits for n in self.needs) else MISFIT

    @property
    def fits(self) -> bool:
        return self.verdict == FITS

    @property
    def misfit(self) -> bool:
        return self.verdict == MISFIT

    @property
    def mismatches(self) -> list[FitNeed]:
        return [n for n in self.needs if not n.fits]

    def mismatch_records(self) -> list[dict[str, Any]]:
        return [n.as_record() for n in self.mismatches]


def _json_number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _applies(promise: Promise, need: Expectation, segment_id: int | None) -> bool:
    if not promise.active:
        return False
    if promise.dimension != need.dimension or promise.target_type != need.target_type:
        return False
    if need.touchpoint_id and promise.touchpoint_id != need.touchpoint_id:
        return False
    if promise.segment_id and promise.segment_id != segment_id:
        return False
    if need.target_type == TargetType.THRESHOLD:
        return (promise.measure or "").lower() == (need.measure or "").lower()
    return True


def _meets(promise: Promise, need: Expectation) -> bool:
    kind = need.target_type
    if kind == TargetType.FLAG:
        return True
    if promise.limit is None or need.limit is None:
        return False
    if kind in (TargetType.DURATION, TargetType.PUNCTUALITY):
        return promise.limit <= need.limit
    # A threshold: the promise must bound the value on the side the customer cares about.
    if need.comparison == Comparison.AT_MOST:
        return (
            promise.comparison in (Comparison.AT_MOST, Comparison.EQUAL)
            and promise.limit <= need.limit
        )
    if need.comparison == Comparison.AT_LEAST:
        return (
            promise.comparison in (Comparison.AT_LEAST, Comparison.EQUAL)
            and promise.limit >= need.limit
        )
    if need.comparison == Comparison.EQUAL:
        return promise.comparison == Comparison.EQUAL and promise.limit == need.limit
    return False


def _closeness(promise: Promise, need: Expectation) -> tuple:
    """Sort key: the promise nearest to the need first (to explain a misfit), wall-clock
    promises before business-hours ones."""
    limit = promise.limit if promise.limit is not None else Decimal(0)
    wanted = need.limit if need.limit is not None else Decimal(0)
    same_side = promise.comparison == need.comparison or need.target_type != TargetType.THRESHOLD
    return (not same_side, abs(limit - wanted), promise.business_hours, promise.pk or 0)


def _wording(limit_holder: Any) -> str:
    """A target in short words: "24 h", "± 15 min", "price_increase ≤ 5"."""
    kind = limit_holder.target_type
    if kind == TargetType.DURATION and limit_holder.limit is not None:
        return minutes_text(limit_holder.limit)
    if kind == TargetType.PUNCTUALITY and limit_holder.limit is not None:
        return "± " + minutes_text(limit_holder.limit)
    return target_text(limit_holder)


def _explain(status: str, need: Any, promise: Any, bh: bool) -> str:
    if status == NOT_COVERED or promise is None:
        return _("Nothing in your catalogue promises this.")
    values = {"promised": _wording(promise), "needed": _wording(need)}
    if need.target_type == TargetType.FLAG:
        return _("You promise it: “%(promise)s”.") % {"promise": promise.label}
    if bh:
        return (
            _(
                "You promise %(promised)s in business hours, they need %(needed)s "
                "(business hours compared as if they were clock hours)."
            )
            % values
        )
    return _("You promise %(promised)s, they need %(needed)s.") % values


@dataclass
class _Target:
    """The fields of a need or a promise kept in a `FitOverride`'s record, to word it again."""

    target_type: str
    limit: Decimal | None
    comparison: str
    label: str = ""
    business_hours: bool = False


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def mismatch_explanation(record: dict[str, Any]) -> str:
    """A recorded mismatch explained in the active language (the reader's), from the fields
    the record keeps; records from before those fields were kept show their stored words."""
    status = record.get("status", MISFIT)
    if status == NOT_COVERED or record.get("promise_id") is None:
        return _("Nothing in your catalogue promises this.")
    kind = record.get("target_type", "")
    if kind == TargetType.THRESHOLD and "promise_comparison" not in record:
        return str(record.get("explanation", ""))
    english = (get_language() or "it").startswith("en")
    names = (record.get("promise_name_en"), record.get("promise_name_it"))
    label = (names[0] or names[1]) if english else (names[1] or names[0])
    need = _Target(kind, _decimal(record.get("need_limit")), record.get("need_comparison", ""))
    promise = _Target(
        kind,
        _decimal(record.get("promise_limit")),
        record.get("promise_comparison", ""),
        label=label or str(record.get("promise", "")),
    )
    return _explain(status, need, promise, bool(record.get("business_hours")))


def fit_check(
    *, customer: Customer, expectations: Iterable[Expectation], promises: Iterable[Promise]
) -> FitResult:
    """Compare each need with the promises (pure: nothing is read from the database)."""
    promises = [p for p in promises if p.active]
    result = FitResult()
    for need in expectations:
        candidates = [p for p in promises if _applies(p, need, customer.segment_id)]
        if not candidates:
            result.needs.append(
                FitNeed(need, NOT_COVERED, _explain(NOT_COVERED, need, None, False))
            )
            continue
        meeting = sorted(
            (p for p in candidates if _meets(p, need)), key=lambda p: (p.business_hours, p.pk or 0)
        )
        if meeting:
            chosen, status = meeting[0], FITS
        else:
            chosen = sorted(candidates, key=lambda p: _closeness(p, need))[0]
            status = MISFIT
        bh = bool(chosen.business_hours and need.target_type == TargetType.DURATION)
        result.needs.append(
            FitNeed(need, status, _explain(status, need, chosen, bh), chosen, business_hours=bh)
        )
    return result


def fit_check_for_customer(*, workspace: Workspace, customer: Customer) -> FitResult:
    """The fit check of one customer of `workspace`: their needs and the workspace's active
    promises, each loaded with one query."""
    expectations = (
        Expectation.objects.for_workspace(workspace)
        .filter(customer=customer)
        .select_related("touchpoint")
    )
    promises = Promise.objects.for_workspace(workspace).filter(active=True)
    return fit_check(customer=customer, expectations=list(expectations), promises=list(promises))


# --- what became of customers taken despite a misfit ----------------------------------------


def _latest_nps(field_name: str) -> Subquery:
    return Subquery(
        Response.objects.filter(
            customer=OuterRef("customer"), survey__kind=Survey.Kind.NPS, score__isnull=False
        )
        .order_by("-submitted_at", "-pk")
        .values(field_name)[:1]
    )


def fit_override_report(*, workspace: Workspace) -> QuerySet[FitOverride]:
    """Every override of `workspace`, with what became of the customer: `nps_score`,
    `nps_band`, `nps_at` (their latest NPS answer), `lost_on` (latest lost record) and
    `broken_since` (broken promise checks after the decision). One query."""
    broken = (
        PromiseCheck.objects.filter(
            customer=OuterRef("customer"),
            outcome=PromiseCheck.Outcome.BROKEN,
            occurred_at__gte=OuterRef("decided_at"),
        )
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    lost_on = (
        LostRecord.objects.filter(customer=OuterRef("customer"))
        .order_by("-lost_on", "-pk")
        .values("lost_on")[:1]
    )
    return (
        FitOverride.objects.for_workspace(workspace)
        .select_related("customer", "decided_by__user")
        .annotate(
            nps_score=_latest_nps("score"),
            nps_band=_latest_nps("band"),
            nps_at=_latest_nps("submitted_at"),
            lost_on=Subquery(lost_on),
            broken_since=Coalesce(
                Subquery(broken, output_field=IntegerField()), Value(0), output_field=IntegerField()
            ),
        )
        .order_by("-decided_at", "-pk")
    )


@dataclass(frozen=True)
class OutcomeFigures:
    total: int
    lost: int
    detractors: int


def fit_override_summary(*, workspace: Workspace) -> tuple[OutcomeFigures, OutcomeFigures]:
    """(taken despite a misfit, every other customer past the prospect stage): how many, how
    many lost, how many whose latest NPS answer is a detractor's. One query."""
    latest_band = Subquery(
        Response.objects.filter(
            customer=OuterRef("pk"), survey__kind=Survey.Kind.NPS, score__isnull=False
        )
        .order_by("-submitted_at", "-pk")
        .values("band")[:1]
    )
    overridden = Exists(FitOverride.objects.filter(customer=OuterRef("pk")))
    figures = (
        Customer.objects.for_workspace(workspace)
        .annotate(overridden=overridden, latest_band=latest_band)
        .aggregate(
            n_over=Count("pk", filter=Q(overridden=True)),
            lost_over=Count("pk", filter=Q(overridden=True, status=Customer.Status.LOST)),
            det_over=Count("pk", filter=Q(overridden=True, latest_band=Response.Band.DETRACTOR)),
            n_other=Count("pk", filter=Q(overridden=False) & ~Q(status=Customer.Status.PROSPECT)),
            lost_other=Count("pk", filter=Q(overridden=False, status=Customer.Status.LOST)),
            det_other=Count(
                "pk",
                filter=Q(overridden=False, latest_band=Response.Band.DETRACTOR)
                & ~Q(status=Customer.Status.PROSPECT),
            ),
        )
    )
    return (
        OutcomeFigures(figures["n_over"], figures["lost_over"], figures["det_over"]),
        OutcomeFigures(figures["n_other"], figures["lost_other"], figures["det_other"]),
    )
