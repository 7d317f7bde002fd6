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
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db import connections
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

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


COUNTS = (
    "unanswered interactions_year interactions_window interactions_before negative_events "
    "payments_year missed_payments missed_payments_before broken broken_30 checks open_crises "
    "cases_ever cases_open sla_breaches texts negative angry signals signals_negative fine "
    "flag_missed_payment flag_complaint flag_detractor flag_staff_negative"
).split()
VALUES = (
    "nps_last nps_last_all_good nps_last_at nps_previous last_response_at last_interaction_at "
    "first_interaction_year first_interaction_at renewal_date contract_first_start "
    "contract_value_last contract_value_previous renewal_auto"
).split()
# Every signal but `flag_leaving` (a sum), with its value when the customer has no row.
SIGNAL_DEFAULTS: dict[str, Any] = {name: 0 for name in COUNTS} | {name: None for name in VALUES}


# --- The same signals for a whole workspace, one grouped statement per table ----------------------
def _fast_converter(internal_type: str, vendor: str) -> Any:
    """Only SQLite needs converting (it returns dates and times as text, or as naive times in
    UTC); `fromisoformat` is several times faster than Django's general converters, which cost
    more than the statements themselves at 100,000 customers."""
    if vendor != "sqlite":
        return None
    if internal_type == "DateTimeField":

        def convert_datetime(v: Any) -> Any:
            if isinstance(v, str):
                v = datetime.fromisoformat(v)
            return v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v

        return convert_datetime
    if internal_type == "DateField":
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    if internal_type == "BooleanField":
        return lambda v: v if v is None else bool(v)
    if internal_type == "DecimalField":
        return lambda v: v if v is None else Decimal(str(v))
    return None


def _rows(qs: QuerySet) -> Iterator[dict[str, Any]]:
    """The rows of a `.values()` queryset as dicts, read straight from the cursor."""
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    connection = connections[qs.db]
    names, converters = [], []
    for index, (expression, _sql, alias) in enumerate(compiler.select):
        names.append(alias or expression.target.attname)
        field = getattr(expression, "output_field", None)
        convert = _fast_converter(field.get_internal_type(), connection.vendor) if field else None
        if convert is not None:
            converters.append((index, convert))
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            for raw in batch:
                values = list(raw)
                for index, convert in converters:
                    values[index] = convert(values[index])
                yield dict(zip(names, values, strict=True))


def _ranked(qs: QuerySet, order: list[Any], keep: int, fields: list[str]) -> QuerySet:
    """The first `keep` rows of each customer by `order`, numbered from 1 (`rn`)."""
    return (
        qs.annotate(
            rn=Window(RowNumber(), partition_by=[F("customer_id")], order_by=order),
        )
        .filter(rn__lte=keep)
        .values("customer_id", "rn", *fields)
    )


def signal_table(
    *,
    workspace: Workspace,
    at: datetime,
    window_days: int = 90,
    flag_days: int = 7,
    customers: QuerySet[Customer] | None = None,
) -> Iterator[dict[str, Any]]:
    """Exactly the rows of `signal_values(signal_rows(...))`, computed the other way round:
    instead of a few dozen correlated subqueries per customer, one grouped statement per table
    (interactions, responses, invitations, staff signals, checks, crises, cases, missed
    deadlines, texts, contracts, answers) reads each of the workspace's rows once, with
    conditional counts; the results are joined by customer id in Python. Used for the nightly
    batch, where the per-customer subqueries cost a few seconds per 10,000 customers;
    `tests/test_services.py` checks that both give the same rows."""
    window = at - timedelta(days=window_days)
    before = window - timedelta(days=window_days)
    recent = at - timedelta(days=flag_days)
    year = at - timedelta(days=365)
    leaving_since = at - timedelta(days=LEAVING_DAYS)
    today = at.date()
    ws = workspace.pk
    qs = customers if customers is not None else customers_as_of(workspace=workspace, at=at)
    base = list(_rows(qs.order_by("pk").values("pk", "created_at", "account_owner_id")))
    if not base:
        return
    ids = [row["pk"] for row in base]
    few = len(ids) <= 50  # one customer's refresh: by id; the whole workspace: by workspace

    def scoped(
        model_qs: QuerySet, customer_field: str = "customer_id", ws_field: str = "workspace_id"
    ) -> QuerySet:
        if few:
            return model_qs.filter(**{f"{customer_field}__in": ids})
        return model_qs.filter(**{ws_field: ws})

    leaving = list(LEAVING_WORDS) + competitor_names(workspace=workspace)
    leaving_q = _words_q("text", leaving)
    negative_q = Q(touchpoint__is_negative=True) & ~Q(touchpoint__code=MISSED_PAYMENT_CODE)
    missed_q = Q(touchpoint__code=MISSED_PAYMENT_CODE)
    grouped: list[QuerySet] = [
        scoped(Interaction.objects.filter(occurred_at__lt=at))
        .values("customer_id")
        .annotate(
            last_interaction_at=Max("occurred_at"),
            first_interaction_at=Min("occurred_at"),
            first_interaction_year=Min("occurred_at", filter=Q(occurred_at__gt=year)),
            interactions_year=Count("pk", filter=Q(occurred_at__gt=year)),
            interactions_window=Count("pk", filter=Q(occurred_at__gt=window)),
            interactions_before=Count(
                "pk", filter=Q(occurred_at__gt=before, occurred_at__lte=window)
            ),
            negative_events=Count("pk", filter=Q(occurred_at__gt=window) & negative_q),
            payments_year=Count(
                "pk", filter=Q(occurred_at__gt=year, touchpoint__code__in=PAYMENT_CODES)
            ),
            missed_payments=Count("pk", filter=Q(occurred_at__gt=window) & missed_q),
            missed_payments_before=Count(
                "pk", filter=Q(occurred_at__gt=before, occurred_at__lte=window) & missed_q
            ),
            flag_missed_payment=Count("pk", filter=Q(occurred_at__gt=recent) & missed_q),
            flag_complaint=Count(
                "pk",
                filter=Q(occurred_at__gt=recent, touchpoint__is_negative=True) & ~missed_q,
            ),
        ),
        # Words of leaving: only the last 30 days' texts are searched (a range of the
        # (workspace, time) index), not every row of the conditional counts above.
        scoped(
            Interaction.objects.filter(occurred_at__lt=at, occurred_at__gt=leaving_since).filter(
                leaving_q
            )
        )
        .values("customer_id")
        .annotate(leaving_interactions=Count("pk")),
        scoped(Response.objects.filter(submitted_at__lt=at, customer__isnull=False))
        .values("customer_id")
        .annotate(
            last_response_at=Max("submitted_at"),
            flag_detractor=Count(
                "pk",
                filter=Q(
                    kind=Survey.Kind.NPS,
                    score__isnull=False,
                    submitted_at__gt=recent,
                    score__lte=6,
                ),
            ),
        ),
        scoped(
            Invitation.objects.filter(
                sent_at__lt=at - timedelta(days=7), sent_at__gt=at - timedelta(days=180)
            ).filter(Q(answered_at__isnull=True) | Q(answered_at__gte=at))
        )
        .values("customer_id")
        .annotate(unanswered=Count("pk")),
        scoped(StaffSignal.objects.filter(created_at__lt=at, created_at__gt=window))
        .values("customer_id")
        .annotate(
            signals=Count("pk"),
            signals_negative=Count("pk", filter=Q(polarity=StaffSignal.Polarity.NEGATIVE)),
            fine=Count("pk", filter=_words_q("text", list(FINE_WORDS))),
        ),
        scoped(
            StaffSignal.objects.filter(created_at__lt=at, created_at__gt=min(recent, leaving_since))
        )
        .values("customer_id")
        .annotate(
            flag_staff_negative=Count(
                "pk",
                filter=Q(created_at__gt=recent, polarity=StaffSignal.Polarity.NEGATIVE),
            ),
            leaving_signals=Count("pk", filter=Q(created_at__gt=leaving_since) & leaving_q),
        ),
        scoped(PromiseCheck.objects.filter(occurred_at__lt=at, occurred_at__gt=window))
        .values("customer_id")
        .annotate(
            broken=Count("pk", filter=Q(outcome=PromiseCheck.Outcome.BROKEN)),
            broken_30=Count(
                "pk",
                filter=Q(
                    occurred_at__gt=at - timedelta(days=30), outcome=PromiseCheck.Outcome.BROKEN
                ),
            ),
            checks=Count("pk", filter=~Q(outcome=PromiseCheck.Outcome.NOT_MEASURABLE)),
        ),
        scoped(
            Crisis.objects.filter(opened_at__lt=at, withdrawn=False).filter(
                Q(closed_at__isnull=True) | Q(closed_at__gte=at)
            )
        )
        .values("customer_id")
        .annotate(open_crises=Count("pk")),
        scoped(
            Case.objects.filter(opened_at__lt=at).exclude(source_key__startswith=RISK_CASE_PREFIX)
        )
        .values("customer_id")
        .annotate(
            cases_ever=Count("pk"),
            cases_open=Count("pk", filter=Q(resolved_at__isnull=True) | Q(resolved_at__gte=at)),
        ),
        scoped(
            SlaAlert.objects.filter(
                level=SlaAlert.Level.BREACH, created_at__lt=at, created_at__gt=window
            ).exclude(case__source_key__startswith=RISK_CASE_PREFIX),
            "case__customer_id",
        )
        .values(customer_id=F("case__customer_id"))
        .annotate(sla_breaches=Count("pk")),
        scoped(TextAnalysis.objects.filter(occurred_at__lt=at, occurred_at__gt=window))
        .values("customer_id")
        .annotate(
            texts=Count("pk"),
            negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)),
            angry=Count("pk", filter=Q(emotion=Emotion.ANGER, sentiment=Sentiment.NEGATIVE)),
        ),
        scoped(Contract.objects.filter(start_date__lte=today))
        .values("customer_id")
        .annotate(contract_first_start=Min("start_date")),
        scoped(
            Answer.objects.filter(
                response__submitted_at__lt=at, response__submitted_at__gt=leaving_since
            ).filter(leaving_q),
            "response__customer_id",
            "response__workspace_id",
        )
        .values(customer_id=F("response__customer_id"))
        .annotate(leaving_answers=Count("pk")),
    ]
    found: dict[int, dict[str, Any]] = {pk: {} for pk in ids}

    def merge(customer_id: int | None, values: dict[str, Any]) -> None:
        target = found.get(customer_id) if customer_id is not None else None
        if target is not None:
            target.update(values)

    for group in grouped:
        for row in _rows(group.order_by()):
            customer_id = row.pop("customer_id")
            merge(customer_id, row)
    nps = scoped(
        Response.objects.filter(kind=Survey.Kind.NPS, score__isnull=False, submitted_at__lt=at)
    )
    for row in _rows(
        _ranked(
            nps,
            [F("submitted_at").desc(), F("pk").desc()],
            2,
            ["score", "all_good", "submitted_at"],
        )
    ):
        if row["rn"] == 1:
            merge(
                row["customer_id"],
                {
                    "nps_last": row["score"],
                    "nps_last_all_good": row["all_good"],
                    "nps_last_at": row["submitted_at"],
                },
            )
        else:
            merge(row["customer_id"], {"nps_previous": row["score"]})
    contracts = scoped(Contract.objects.filter(start_date__lte=today))
    for row in _ranked(contracts, [F("start_date").desc(), F("pk").desc()], 2, ["yearly_value"]):
        key = "contract_value_last" if row["rn"] == 1 else "contract_value_previous"
        merge(row["customer_id"], {key: row["yearly_value"]})
    for row in _rows(
        _ranked(
            contracts.filter(renewal_date__gte=today),
            [F("renewal_date").asc(), F("pk").desc()],
            1,
            ["renewal_date", "auto_renew"],
        )
    ):
        merge(
            row["customer_id"],
            {"renewal_date": row["renewal_date"], "renewal_auto": row["auto_renew"]},
        )
    for row in base:
        values = found[row["pk"]]
        out = dict(row)
        for name in SIGNAL_DEFAULTS:
            out[name] = values.get(name, SIGNAL_DEFAULTS[name])
        out["flag_leaving"] = (
            values.get("leaving_interactions", 0)
            + values.get("leaving_signals", 0)
            + values.get("leaving_answers", 0)
        )
        yield out
