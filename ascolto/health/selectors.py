"""Reads of the health score: a workspace's settings, the at-risk list, a customer's score and
its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from ascolto.customers.models import Contract, Customer
from ascolto.health.measures import DEFAULT_BANDS, DEFAULT_WEIGHTS
from ascolto.health.models import HealthAlert, HealthScore, HealthSettings, Level
from ascolto.workspaces.models import Workspace


@dataclass(frozen=True)
class Config:
    weights: dict[str, int]
    bands: dict[str, int]
    version: int
    card: dict[str, Any]


def health_config(*, workspace: Workspace) -> Config:
    """The workspace's weights and bands over the defaults (a workspace without settings gets
    the defaults, version 1)."""
    row = HealthSettings.objects.filter(workspace=workspace).first()
    weights = dict(DEFAULT_WEIGHTS)
    bands = dict(DEFAULT_BANDS)
    if row is None:
        return Config(weights, bands, 1, {})
    weights.update({k: int(v) for k, v in row.weights.items() if k in weights})
    bands.update({k: int(v) for k, v in row.bands.items() if k in bands})
    return Config(weights, bands, row.version, dict(row.card))


def health_score_latest(*, workspace: Workspace, customer: Customer) -> HealthScore | None:
    return (
        HealthScore.objects.for_workspace(workspace)
        .filter(customer=customer)
        .order_by("-day")
        .first()
    )


def health_score_history(
    *, workspace: Workspace, customer: Customer, since: date | None = None
) -> QuerySet[HealthScore]:
    qs = HealthScore.objects.for_workspace(workspace).filter(customer=customer)
    if since is not None:
        qs = qs.filter(day__gte=since)
    return qs.order_by("day")


SORTS: dict[str, tuple[Any, ...]] = {
    "score": ("score", "customer__name"),
    "-score": ("-score", "customer__name"),
    "value": ("-yearly_value", "score"),
    "renewal": (F("renewal_date").asc(nulls_last=True), "score"),
    "name": ("customer__name",),
}
AT_RISK_LEVELS = (Level.CRITICAL, Level.AT_RISK, Level.WATCH)


@dataclass(frozen=True)
class AtRiskFilters:
    owner: int | None = None
    segment: int | None = None
    level: str = ""
    sort: str = "score"


def at_risk_list(*, workspace: Workspace, filters: AtRiskFilters) -> QuerySet[HealthScore]:
    """Each active customer's latest score at a worse level than healthy, with the yearly value
    and next renewal of their contracts, ranked by risk (lowest score first) unless sorted
    otherwise."""
    latest_day = (
        HealthScore.objects.filter(customer=OuterRef("customer")).order_by("-day").values("day")[:1]
    )
    contracts = Contract.objects.filter(customer=OuterRef("customer_id"))
    qs = (
        HealthScore.objects.for_workspace(workspace)
        .filter(day=Subquery(latest_day), customer__status=Customer.Status.ACTIVE)
        .select_related("customer", "customer__account_owner__user", "customer__segment")
        .annotate(
            yearly_value=Coalesce(
                Subquery(
                    contracts.order_by()
                    .values("customer")
                    .annotate(total=Sum("yearly_value"))
                    .values("total")
                ),
                0,
                output_field=Contract._meta.get_field("yearly_value"),
            ),
            renewal_date=Subquery(
                contracts.filter(renewal_date__gte=OuterRef("day"))
                .order_by("renewal_date")
                .values("renewal_date")[:1]
            ),
        )
    )
    if filters.level in (Level.CRITICAL, Level.AT_RISK, Level.WATCH, Level.UNKNOWN):
        qs = qs.filter(level=filters.level)
    else:
        qs = qs.filter(level__in=AT_RISK_LEVELS)
    if filters.owner:
        qs = qs.filter(customer__account_owner_id=filters.owner)
    if filters.segment:
        qs = qs.filter(customer__segment_id=filters.segment)
    return qs.order_by(*SORTS.get(filters.sort, SORTS["score"]), "pk")


def health_alert_list(*, workspace: Workspace, since: date) -> QuerySet[HealthAlert]:
    return (
        HealthAlert.objects.for_workspace(workspace)
        .filter(day__gte=since)
        .select_related("customer")
        .order_by("-day", "customer__name")
    )
