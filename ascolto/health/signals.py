"""Every customer's signals as of one moment, in one database query per workspace.

`signal_rows(workspace=, at=)` annotates the workspace's customers with correlated subqueries
(counts and latest values over responses, invitations, interactions, staff signals, promise
checks, crises, cases and their missed deadlines, text analyses and contracts), each using the `(customer, time)` indexes those
tables have. Anger counts only in a text also read as negative (the analyser hears anger in
some plain notes such as "ritardo consegna"). Only events before `at` are read, so a score "as of" a past date sees what
was known then (no leakage: a backtest or a history never peeks at the future).

Each subquery is scoped by the outer customer (`customer = outer id`), which the outer query
already limits to the workspace; adding `workspace_id = …` as well made SQLite's planner pick
the `(workspace, time)` indexes and scan the whole workspace once per customer (14 s instead
of a fraction of a second for 166 customers).

The tables are read here rather than through each app's selectors because the batch needs
them as subqueries of one statement; each app's own meaning is kept (a detractor is a 0–6
NPS score, a complaint a negative touchpoint, a crisis open until handled or withdrawn, a case
open until resolved, a missed deadline a "breach" deadline alert, as `cases.selectors` count
them).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from ascolto.cases.models import Case, SlaAlert
from ascolto.customers.models import Contract, Customer, LostRecord
from ascolto.feedback.models import Answer, Invitation, Response, Survey
from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.promises.models import Crisis, PromiseCheck
from ascolto.textanalysis.models import Emotion, Sentiment, TextAnalysis
from ascolto.workspaces.models import Workspace

MISSED_PAYMENT_CODE = "pagamento-mancato"
PAYMENT_CODES = ("pagamento", MISSED_PAYMENT_CODE)
LEAVING_WORDS = (
    "disdetta",
    "disdire",
    "recesso",
    "recedere",
    "cambio fornitore",
    "cambiare fornitore",
    "altro fornitore",
    "cancel",
    "switch supplier",
    "another supplier",
)
FINE_WORDS = ("tutto bene", "tutto ok", "tutto a posto", "everything is fine", "all good")
LEAVING_DAYS = 30
RISK_CASE_PREFIX = "health:"  # source key of the cases the score itself opens


def _count(qs: QuerySet) -> Coalesce:
    """The number of `qs`'s rows for the outer customer, as a subquery (0 when none)."""
    sub = (
        qs.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def _latest(qs: QuerySet, field: str, order: str, offset: int = 0) -> Subquery:
    """`field` of the customer's row first by `order` ("-submitted_at": the latest)."""
    sub = qs.filter(customer=OuterRef("pk")).order_by(order, "-pk")
    return Subquery(sub.values(field)[offset : offset + 1])


def _max(qs: QuerySet, field: str) -> Subquery:
    sub = (
        qs.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(m=Max(field))
        .values("m")
    )
    return Subquery(sub)


def _min(qs: QuerySet, field: str) -> Subquery:
    sub = (
        qs.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(m=Min(field))
        .values("m")
    )
    return Subquery(sub)


def competitor_names(*, workspace: Workspace, limit: int = 30) -> list[str]:
    """Competitors named in the workspace's lost-customer records (the most recent first)."""
    names = (
        LostRecord.objects.for_workspace(workspace)
        .exclude(competitor="")
        .order_by("-lost_on")
        .values_list("competitor", flat=True)[: limit * 3]
    )
    found: list[str] = []
    for name in names:
        clean = name.strip()
        if len(clean) >= 4 and clean.lower() not in {n.lower() for n in found}:
            found.append(clean)
    return found[:limit]


def _words_q(field: str, words: list[str]) -> Q:
    return reduce(or_, (Q(**{f"{field}__icontains": word}) for word in words))


def customers_as_of(*, workspace: Workspace, at: datetime) -> QuerySet[Customer]:
    """Customers of `workspace` as they were at `at`: created by then, not yet lost (no lost
    record on or before that day; the status is today's, so it is not read for past dates)."""
    lost_by = LostRecord.objects.filter(customer=OuterRef("pk"), lost_on__lt=at.date())
    return (
        Customer.objects.for_workspace(workspace)
        .filter(created_at__lt=at)
        .exclude(status=Customer.Status.PROSPECT)
        .exclude(Exists(lost_by))
    )


def signal_rows(
    *,
    workspace: Workspace,
    at: datetime,
    window_days: int = 90,
    flag_days: int = 7,
    customers: QuerySet[Customer] | None = None,
) -> QuerySet[Customer]:
    """`customers` (default: `customers_as_of`) annotated with every signal the measures read,
    as `.values()` rows."""
    window = at - timedelta(days=window_days)
    recent = at - timedelta(days=flag_days)
    year = at - timedelta(days=365)
    ws = workspace.pk
    nps = Response.objects.filter(kind=Survey.Kind.NPS, score__isnull=False, submitted_at__lt=at)
    responses = Response.objects.filter(submitted_at__lt=at)
    interactions = Interaction.objects.filter(occurred_at__lt=at)
    signals = StaffSignal.objects.filter(created_at__lt=at)
    checks = PromiseCheck.objects.filter(occurred_at__lt=at)
    texts = TextAnalysis.objects.filter(occurred_at__lt=at, occurred_at__gt=window)
    # The score's own "call back" cases (opened when a customer falls into the poor band) do not
    # count against the customer again.
    cases = Case.objects.filter(opened_at__lt=at).exclude(source_key__startswith=RISK_CASE_PREFIX)
    leaving = list(LEAVING_WORDS) + competitor_names(workspace=workspace)
    leaving_since = at - timedelta(days=LEAVING_DAYS)
    answers_leaving = Answer.objects.filter(
        response__customer=OuterRef("pk"),
        response__submitted_at__lt=at,
        response__submitted_at__gt=leaving_since,
    ).filter(_words_q("text", leaving))
    qs = customers if customers is not None else customers_as_of(workspace=workspace, at=at)
    return qs.annotate(
        nps_last=_latest(nps, "score", "-submitted_at"),
        nps_last_all_good=_latest(nps, "all_good", "-submitted_at"),
        nps_last_at=_latest(nps, "submitted_at", "-submitted_at"),
        nps_previous=_latest(nps, "score", "-submitted_at", offset=1),
        last_response_at=_max(responses, "submitted_at"),
        last_interaction_at=_max(interactions, "occurred_at"),
        unanswered=_count(
            Invitation.objects.filter(
                sent_at__lt=at - timedelta(days=7),
                sent_at__gt=at - timedelta(days=180),
            ).filter(Q(answered_at__isnull=True) | Q(answered_at__gte=at))
        ),
        interactions_year=_count(interactions.filter(occurred_at__gt=year)),
        # Their own rhythm: the first contact of the year, with the count and the last one.
        first_interaction_year=_min(interactions.filter(occurred_at__gt=year), "occurred_at"),
        first_interaction_at=_min(interactions, "occurred_at"),
        # Words against deeds: contacts in the window against the window before it.
        interactions_window=_count(interactions.filter(occurred_at__gt=window)),
        interactions_before=_count(
            interactions.filter(
                occurred_at__gt=window - timedelta(days=window_days), occurred_at__lte=window
            )
        ),
        negative_events=_count(
            interactions.filter(occurred_at__gt=window, touchpoint__is_negative=True).exclude(
                touchpoint__code=MISSED_PAYMENT_CODE
            )
        ),
        payments_year=_count(
            interactions.filter(occurred_at__gt=year, touchpoint__code__in=PAYMENT_CODES)
        ),
        missed_payments=_count(
            interactions.filter(occurred_at__gt=window, touchpoint__code=MISSED_PAYMENT_CODE)
        ),
        missed_payments_before=_count(
            interactions.filter(
                occurred_at__gt=window - timedelta(days=window_days),
                occurred_at__lte=window,
                touchpoint__code=MISSED_PAYMENT_CODE,
            )
        ),
        broken=_count(checks.filter(occurred_at__gt=window, outcome=PromiseCheck.Outcome.BROKEN)),
        broken_30=_count(
            checks.filter(
                occurred_at__gt=at - timedelta(days=30), outcome=PromiseCheck.Outcome.BROKEN
            )
        ),
        checks=_count(
            checks.filter(occurred_at__gt=window).exclude(
                outcome=PromiseCheck.Outcome.NOT_MEASURABLE
            )
        ),
        open_crises=_count(
            Crisis.objects.filter(opened_at__lt=at, withdrawn=False).filter(
                Q(closed_at__isnull=True) | Q(closed_at__gte=at)
            )
        ),
        cases_ever=_count(cases),
        cases_open=_count(cases.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=at))),
        sla_breaches=Coalesce(
            Subquery(
                SlaAlert.objects.filter(
                    workspace_id=ws,
                    case__customer=OuterRef("pk"),
                    level=SlaAlert.Level.BREACH,
                    created_at__lt=at,
                    created_at__gt=window,
                )
                .exclude(case__source_key__startswith=RISK_CASE_PREFIX)
                .order_by()
                .values("case__customer")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        texts=_count(texts),
        negative=_count(texts.filter(sentiment=Sentiment.NEGATIVE)),
        angry=_count(texts.filter(emotion=Emotion.ANGER, sentiment=Sentiment.NEGATIVE)),
        signals=_count(signals.filter(created_at__gt=window)),
        signals_negative=_count(
            signals.filter(created_at__gt=window, polarity=StaffSignal.Polarity.NEGATIVE)
        ),
        fine=_count(
            signals.filter(created_at__gt=window).filter(_words_q("text", list(FINE_WORDS)))
        ),
        renewal_date=_latest(
            Contract.objects.filter(renewal_date__gte=at.date()).filter(start_date__lte=at.date()),
            "renewal_date",
            "renewal_date",  # the nearest renewal
        ),
        contract_first_start=_min(Contract.objects.filter(start_date__lte=at.date()), "start_date"),
        contract_value_last=_latest(
            Contract.objects.filter(start_date__lte=at.date()), "yearly_value", "-start_date"
        ),
        contract_value_previous=_latest(
            Contract.objects.filter(start_date__lte=at.date()),
            "yearly_value",
            "-start_date",
            offset=1,
        ),
        renewal_auto=_latest(
            Contract.objects.filter(renewal_date__gte=at.date()).filter(start_date__lte=at.date()),
            "auto_renew",
            "renewal_date",
        ),
        flag_missed_payment=_count(
            interactions.filter(occurred_at__gt=recent, touchpoint__code=MISSED_PAYMENT_CODE)
        ),
        flag_complaint=_count(
            interactions.filter(occurred_at__gt=recent, touchpoint__is_negative=True).exclude(
                touchpoint__code=MISSED_PAYMENT_CODE
            )
        ),
        flag_detractor=_count(nps.filter(submitted_at__gt=recent, score__lte=6)),
        flag_staff_negative=_count(
            signals.filter(created_at__gt=recent, polarity=StaffSignal.Polarity.NEGATIVE)
        ),
        flag_leaving=_count(
            interactions.filter(occurred_at__gt=leaving_since).filter(_words_q("text", leaving))
        )
        + _count(signals.filter(created_at__gt=leaving_since).filter(_words_q("text", leaving)))
        + Coalesce(
            Subquery(
                answers_leaving.order_by()
                .values("response__customer")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def signal_values(rows: QuerySet[Customer], *, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """The annotated rows as dicts, in chunks read whole one after the other (by id), ordered
    by id. No statement stays open between two chunks: on SQLite an open read keeps its
    snapshot, and a caller that writes between chunks (the nightly job stores each batch) could
    not start its write once another process has committed ("database is locked")."""
    fields = ["pk", "created_at", "account_owner_id", *rows.query.annotations]
    ordered = rows.order_by("pk").values(*fields)
    last = None
    while True:
        page = list((ordered if last is None else ordered.filter(pk__gt=last))[:chunk])
        yield from page
        if len(page) < chunk:
            return
        last = page[-1]["pk"]
