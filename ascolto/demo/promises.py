"""Demo step 5: the promise catalogue, two years of checks, broken-promise crises, how customers
perceive each promise, and what some customers need (with the fit check's misfits).

The catalogue (six promises, Italian with English translations) and the four survey questions
that measure how customers perceive them go through the services. Every interaction of a
promised touchpoint is then checked with the product's own `evaluate()`, and each broken check
opens its crisis without notifying anyone: what `promise_checks_run(alert=False)` does, written
in bulk (see `_checks()`). The timestamps and measured values it reads were drawn by the
timeline step so that roughly 88 % of repairs start within 24 hours, 80 % of deliveries arrive
within ±30 minutes of the time agreed and 97 % of invoices keep the locked price. Staff then
record the "clean vans" check on a sample of deliveries (about nine in ten clean).

Crises are dated when the promise was broken; all but a handful of the most recent are closed
as handled, one to six working days later, with the checklist steps ticked along the way, so
the owner sees a few red sirens and the history of how the others were handled. Only the three
newest open crises notify the owner (in the app, no email): no flood of alerts.

Perception: the NPS survey gets four 1–5 rating questions (repairs' speed, punctuality, clean
vans, price). Each response answers them from what that customer was delivered in the
previous six months, mixed with the overall mood of the response and some noise; about one
customer in eight feels clearly better or worse than what was delivered.

Everything is drawn from the seed (`ctx.random_for("promises", ...)`) and rows are visited in
insertion order, so two runs with the same seed give the same figures.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ascolto.demo import DemoContext, DemoCustomer, _datetime_adapter, chunked
from ascolto.demo.dates import next_business_time
from ascolto.feedback.models import Answer, Question, Response, Survey
from ascolto.feedback.services import question_add
from ascolto.interactions.models import Interaction
from ascolto.promises.evaluation import evaluate
from ascolto.promises.models import (
    Crisis,
    CrisisStep,
    Expectation,
    FitOverride,
    Promise,
    PromiseCheck,
    TargetType,
)
from ascolto.promises.services import promise_create
from ascolto.workspaces.models import Role

# Crises opened in the last OPEN_DAYS days may still be open: the newest OPEN_CRISES of them.
OPEN_DAYS = 14
OPEN_CRISES = 6
NOTIFIED_CRISES = 3
# Staff record the "clean vans" check on this share of deliveries; this share is clean (less
# for a customer in a rough patch).
FLAG_SAMPLE = 0.25
FLAG_KEPT = 0.92
FLAG_KEPT_TROUBLE = 0.7
# Perception: answered when the customer had checks of the promise in this window.
PERCEPTION_DAYS = 182
FEELS_DIFFERENT = 0.12
EXPECTATION_PROSPECTS = 0.45
EXPECTATION_CUSTOMERS = 0.04
ANSWER_FIELDS = ("response_id", "question_id", "number", "text", "choice")
STEP_FIELDS = ("crisis_id", "step", "done_at", "done_by_id", "note")
PROGRESS_EVERY = 1_000

QUESTIONS = {
    "repairs": {
        "text_it": "Quanto è soddisfatto della rapidità dei nostri interventi tecnici?",
        "text_en": "How satisfied are you with how quickly our technicians come out?",
        "dimension": "timeliness",
        "touchpoint": "intervento",
    },
    "punctuality": {
        "text_it": "Le consegne arrivano all'ora concordata?",
        "text_en": "Do deliveries arrive at the agreed time?",
        "dimension": "punctuality",
        "touchpoint": "consegna",
    },
    "clean": {
        "text_it": "Come valuta la pulizia e l'ordine dei mezzi che riceve?",
        "text_en": "How do you rate the cleanliness and order of the machines you receive?",
        "dimension": "tangibles",
        "touchpoint": "consegna",
    },
    "price": {
        "text_it": "Rispettiamo i prezzi concordati?",
        "text_en": "Do we keep to the prices we agreed?",
        "dimension": "price",
        "touchpoint": "fattura",
    },
}

# key: (fields for promise_create, question key or None). Durations in the unit given.
CATALOGUE = {
    "repair_24h": (
        {
            "name_it": "Intervento entro 24 ore",
            "name_en": "On site within 24 hours",
            "wording_it": "Un tecnico da lei entro 24 ore dalla chiamata, anche di sabato.",
            "wording_en": "A technician with you within 24 hours of your call, Saturdays too.",
            "kind": Promise.Kind.EXPLICIT,
            "dimension": "timeliness",
            "touchpoint": "intervento",
            "target_type": TargetType.DURATION,
            "start_moment": "requested_at",
            "end_moment": "started_at",
            "limit": Decimal(24),
            "unit": "hours",
        },
        "repairs",
    ),
    "repair_industry": (
        {
            "name_it": "Industria: intervento entro 8 ore lavorative",
            "name_en": "Industry: on site within 8 working hours",
            "wording_it": "Per gli impianti industriali, un tecnico entro 8 ore lavorative.",
            "wording_en": "For industrial plants, a technician within 8 working hours.",
            "kind": Promise.Kind.EXPLICIT,
            "dimension": "timeliness",
            "touchpoint": "intervento",
            "segment": "Industria",
            "target_type": TargetType.DURATION,
            "start_moment": "requested_at",
            "end_moment": "started_at",
            "business_hours": True,
            "limit": Decimal(8),
            "unit": "hours",
        },
        "repairs",
    ),
    "delivery_on_time": (
        {
            "name_it": "Consegna puntuale ±30 min",
            "name_en": "Delivery on time, ±30 min",
            "wording_it": "Consegniamo all'ora concordata, con al massimo mezz'ora di scarto.",
            "wording_en": "We deliver at the agreed time, give or take half an hour.",
            "kind": Promise.Kind.EXPLICIT,
            "dimension": "punctuality",
            "touchpoint": "consegna",
            "target_type": TargetType.PUNCTUALITY,
            "start_moment": "scheduled_for",
            "end_moment": "started_at",
            "limit": Decimal(30),
            "unit": "minutes",
        },
        "punctuality",
    ),
    "clean_vans": (
        {
            "name_it": "Mezzi puliti",
            "name_en": "Clean machines",
            "wording_it": "Mezzi e attrezzature arrivano puliti, controllati e con il pieno.",
            "wording_en": "Machines and tools arrive clean, checked and refuelled.",
            "kind": Promise.Kind.IMPLICIT,
            "dimension": "tangibles",
            "touchpoint": "consegna",
            "target_type": TargetType.FLAG,
        },
        "clean",
    ),
    "price_locked": (
        {
            "name_it": "Prezzo bloccato per 12 mesi",
            "name_en": "Price locked for 12 months",
            "wording_it": "Il prezzo del contratto non aumenta per 12 mesi.",
            "wording_en": "The contract price does not go up for 12 months.",
            "kind": Promise.Kind.EXPLICIT,
            "dimension": "price",
            "touchpoint": "fattura",
            "target_type": TargetType.THRESHOLD,
            "measure": "price_increase",
            "comparison": "at_most",
            "limit": Decimal(0),
            "unit": "%",
        },
        "price",
    ),
    "quote_2_days": (
        {
            "name_it": "Preventivo entro 2 giorni lavorativi",
            "name_en": "Quote within 2 working days",
            "wording_it": "Il preventivo le arriva entro due giorni lavorativi dalla richiesta.",
            "wording_en": "Your quote arrives within two working days of your request.",
            "kind": Promise.Kind.EXPLICIT,
            "dimension": "communication",
            "touchpoint": "preventivo",
            "target_type": TargetType.DURATION,
            "start_moment": "requested_at",
            "end_moment": "occurred_at",
            "business_hours": True,
            "limit": Decimal(18),  # two working days of nine hours
            "unit": "hours",
        },
        # Prospects are not surveyed: no question measures how this one is perceived.
        None,
    ),
}

# What customers say they need: (text, fields, the promise compared with or None, fits?).
# Durations in minutes, as stored.
NEEDS = [
    (
        "Serve un tecnico in cantiere entro 4 ore, i fermi ci costano caro",
        {
            "dimension": "timeliness",
            "touchpoint": "intervento",
            "target_type": TargetType.DURATION,
            "limit": Decimal(4 * 60),
            "unit": "hours",
        },
        "repair_24h",
        False,
    ),
    (
        "Se si guasta qualcosa, un tecnico entro il giorno dopo",
        {
            "dimension": "timeliness",
            "touchpoint": "intervento",
            "target_type": TargetType.DURATION,
            "limit": Decimal(36 * 60),
            "unit": "hours",
        },
        "repair_24h",
        True,
    ),
    (
        "Consegna all'ora esatta: al massimo un quarto d'ora di ritardo",
        {
            "dimension": "punctuality",
            "touchpoint": "consegna",
            "target_type": TargetType.PUNCTUALITY,
            "limit": Decimal(15),
            "unit": "minutes",
        },
        "delivery_on_time",
        False,
    ),
    (
        "Le consegne devono rispettare l'orario, mezz'ora di tolleranza va bene",
        {
            "dimension": "punctuality",
            "touchpoint": "consegna",
            "target_type": TargetType.PUNCTUALITY,
            "limit": Decimal(45),
            "unit": "minutes",
        },
        "delivery_on_time",
        True,
    ),
    (
        "Nessun aumento di prezzo per almeno un anno",
        {
            "dimension": "price",
            "touchpoint": "fattura",
            "target_type": TargetType.THRESHOLD,
            "measure": "price_increase",
            "comparison": "at_most",
            "limit": Decimal(0),
            "unit": "%",
        },
        "price_locked",
        True,
    ),
    (
        "Budget massimo 300 € al mese",
        {
            "dimension": "price",
            "touchpoint": "fattura",
            "target_type": TargetType.THRESHOLD,
            "measure": "monthly_cost",
            "comparison": "at_most",
            "limit": Decimal(300),
            "unit": "€",
        },
        None,
        False,
    ),
    (
        "Mezzi puliti: li usiamo davanti ai nostri clienti",
        {"dimension": "tangibles", "touchpoint": "consegna", "target_type": TargetType.FLAG},
        "clean_vans",
        True,
    ),
    (
        "Il preventivo ci serve entro la giornata",
        {
            "dimension": "communication",
            "touchpoint": "preventivo",
            "target_type": TargetType.DURATION,
            "limit": Decimal(8 * 60),
            "unit": "hours",
        },
        "quote_2_days",
        False,
    ),
]

OVERRIDE_REASONS = [
    "Cliente strategico per la zona: proviamo a servirlo con il tecnico reperibile.",
    "Grande volume di noleggi: accettiamo e vediamo se riusciamo a stare nei tempi.",
    "Ce lo ha presentato un cliente storico, non potevamo dire di no.",
    "Stagione bassa, abbiamo bisogno di lavoro: ci organizziamo.",
    "Il titolare ha promesso di trovare una soluzione sul budget.",
]
CRISIS_NOTES = [
    "Chiamato il cliente, scuse fatte; sconto del 10 % sul prossimo noleggio.",
    "Spiegato il ritardo (traffico in tangenziale); il cliente ha capito.",
    "Offerto il ritiro gratuito; il cliente è soddisfatto della soluzione.",
    "Il cliente era arrabbiato: richiamato dal titolare il giorno dopo.",
    "Nota di credito emessa per la differenza in fattura.",
    "Mezzo sostituito con uno pulito e revisionato, scuse al capocantiere.",
    "",
    "",
]


def promises_step(ctx: DemoContext) -> None:
    promises, questions = _catalogue(ctx)
    _checks(ctx)
    _flags(ctx, promises["clean_vans"])
    _crises(ctx)
    _perception(ctx, promises, questions)
    _needs(ctx, promises)


# --- the catalogue --------------------------------------------------------------------------


def _catalogue(ctx: DemoContext) -> tuple[dict[str, Promise], dict[str, Question]]:
    owner = ctx.members[0]
    nps = Survey.objects.get(workspace=ctx.workspace, kind=Survey.Kind.NPS)
    touchpoints = {tp.code: tp for tp in ctx.workspace.touchpoints.all()}
    questions = {}
    for key, spec in QUESTIONS.items():
        questions[key] = question_add(
            survey=nps,
            by=owner,
            kind=Question.Kind.SCALE,
            role=Question.Role.DIMENSION,
            text_it=spec["text_it"],
            text_en=spec["text_en"],
            min_value=1,
            max_value=5,
            dimension=spec["dimension"],
            touchpoint=touchpoints[spec["touchpoint"]],
        )
    ctx.counts["question"] += len(questions)
    promises = {}
    segments = {s.name: s for s in ctx.workspace.segments.all()}
    for key, (spec, question) in CATALOGUE.items():
        fields = dict(spec)
        fields["touchpoint"] = touchpoints[fields["touchpoint"]]
        if "segment" in fields:
            fields["segment"] = segments[fields["segment"]]
        promise = promise_create(
            workspace=ctx.workspace,
            by=owner,
            question=questions[question] if question else None,
            **fields,
        )
        Promise.objects.filter(pk=promise.pk).update(created_at=ctx.start)
        promises[key] = promise
    ctx.counts["promise"] += len(promises)
    return promises, questions


# --- checks ---------------------------------------------------------------------------------


CHECK_FIELDS = (
    "workspace_id",
    "promise_id",
    "interaction_id",
    "customer_id",
    "occurred_at",
    "outcome",
    "measured",
    "reason",
    "manual",
    "checked_at",
)
CRISIS_FIELDS = (
    "workspace_id",
    "customer_id",
    "promise_id",
    "promise_check_id",
    "opened_at",
    "withdrawn",
    "note",
)
INTERACTION_COLUMNS = (
    "pk",
    "customer_id",
    "touchpoint_id",
    "occurred_at",
    "requested_at",
    "scheduled_for",
    "started_at",
    "completed_at",
    "measures",
)


class _Row:
    """The attributes of an interaction that `evaluate()` reads."""

    __slots__ = INTERACTION_COLUMNS[3:]

    def __init__(self, values: tuple):
        (
            _pk,
            _customer,
            _touchpoint,
            self.occurred_at,
            self.requested_at,
            self.scheduled_for,
            self.started_at,
            self.completed_at,
            self.measures,
        ) = values


def _checks(ctx: DemoContext) -> None:
    """Every interaction of a promised touchpoint checked against the catalogue.

    The demo's fast path for `promise_checks_run(alert=False)`: the same `evaluate()` on the
    same rows, but the checks are written as plain rows (COPY on PostgreSQL) and each broken
    check's crisis is written in bulk too, dated when the promise was broken, instead of one
    `crisis_open()` per broken check (that path took eight minutes for 10,000 customers).
    A test runs `promise_checks_run()` after the demo and finds nothing to change.
    """
    workspace = ctx.workspace
    tz = ctx.tz
    calendar = workspace.calendar
    promises = list(Promise.objects.filter(workspace=workspace, active=True))
    by_touchpoint: dict[int, list[Promise]] = defaultdict(list)
    for promise in promises:
        by_touchpoint[promise.touchpoint_id].append(promise)
    segment_of = {c.id: ctx.segments.get(c.segment or "") for c in ctx.customers}
    interactions = (
        Interaction.objects.filter(workspace=workspace, touchpoint_id__in=list(by_touchpoint))
        .order_by("pk")
        .values_list(*INTERACTION_COLUMNS)
    )
    total = interactions.count()
    size = ctx.options.batch_size
    rows: list[tuple] = []
    done = 0
    for values in interactions.iterator(chunk_size=size):
        pk, customer_id, touchpoint_id = values[0], values[1], values[2]
        row = _Row(values)
        checked = max(t for t in values[3:8] if t is not None)
        for promise in by_touchpoint[touchpoint_id]:
            if promise.segment_id and promise.segment_id != segment_of.get(customer_id):
                continue
            result = evaluate(promise, row, tz, calendar)
            rows.append(
                (
                    workspace.pk,
                    promise.pk,
                    pk,
                    customer_id,
                    row.occurred_at,
                    result.outcome,
                    result.measured,
                    result.reason,
                    False,
                    checked,
                )
            )
        done += 1
        if len(rows) >= size:
            ctx.insert_rows(PromiseCheck, CHECK_FIELDS, rows)
            ctx.progress("promise checks", done, total)
            rows, done = [], 0
    ctx.insert_rows(PromiseCheck, CHECK_FIELDS, rows)
    ctx.progress("promise checks", done, total)
    # Each broken promise opened its crisis when it was broken.
    broken = (
        PromiseCheck.objects.filter(workspace=workspace, outcome=PromiseCheck.Outcome.BROKEN)
        .order_by("pk")
        .values_list("pk", "customer_id", "promise_id", "checked_at")
    )
    crises = [
        (workspace.pk, customer_id, promise_id, pk, opened, False, "")
        for pk, customer_id, promise_id, opened in broken.iterator(chunk_size=size)
    ]
    for batch in chunked(crises, size):
        ctx.insert_rows(Crisis, CRISIS_FIELDS, batch)


def _trouble(customer: DemoCustomer, moment: datetime, today) -> bool:
    day = moment.date()
    if customer.lost_on:
        if customer.unseen_loss:
            return False  # left out of the blue
        return customer.lost_on - timedelta(days=150) <= day <= customer.lost_on
    return customer.at_risk and day >= today - timedelta(days=100)


def _flags(ctx: DemoContext, promise: Promise) -> None:
    """Staff record the "clean vans" check on a sample of deliveries: the agent who delivered,
    a few minutes after."""
    rng = ctx.random_for("promises", "flags")
    by_id = {c.id: c for c in ctx.customers}
    rows = (
        PromiseCheck.objects.filter(promise=promise)
        .order_by("interaction_id")
        .values_list("pk", "customer_id", "occurred_at", "interaction__member_id")
    )
    kept: list[tuple] = []
    broken: list[tuple] = []
    for pk, customer_id, occurred_at, member_id in rows.iterator(chunk_size=5_000):
        if rng.random() >= FLAG_SAMPLE:
            continue
        trouble = _trouble(by_id[customer_id], occurred_at, ctx.today)
        share = FLAG_KEPT_TROUBLE if trouble else FLAG_KEPT
        when = occurred_at + timedelta(minutes=rng.randint(5, 90))
        (kept if rng.random() < share else broken).append((pk, member_id, when))
    adapt = _datetime_adapter()
    sql = (
        f"UPDATE {PromiseCheck._meta.db_table} SET outcome = %s, manual = %s, set_by_id = %s, "  # noqa: S608
        "checked_at = %s, reason = %s WHERE id = %s"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for outcome, rows_ in (
            (PromiseCheck.Outcome.KEPT, kept),
            (PromiseCheck.Outcome.BROKEN, broken),
        ):
            cursor.executemany(
                sql, [(outcome, True, member, adapt(when), "", pk) for pk, member, when in rows_]
            )
    for batch in chunked([pk for pk, _m, _w in broken], ctx.options.batch_size):
        crises = [
            (ctx.workspace.pk, customer_id, promise.pk, pk, checked_at, False, "")
            for pk, customer_id, checked_at in PromiseCheck.objects.filter(pk__in=batch)
            .order_by("pk")
            .values_list("pk", "customer_id", "checked_at")
        ]
        ctx.insert_rows(Crisis, CRISIS_FIELDS, crises)


# --- crises ---------------------------------------------------------------------------------


def _crises(ctx: DemoContext) -> None:
    """Close all but the newest few crises as handled, with their checklist steps."""
    rng = ctx.random_for("promises", "crises")
    members = ctx.members
    owner, manager = members[0], members[1]
    owners = {c.id: c.owner_index for c in ctx.customers}
    rows = list(
        Crisis.objects.filter(workspace=ctx.workspace)
        .order_by("opened_at", "promise_check__interaction_id", "promise_id")
        .values_list("pk", "customer_id", "opened_at")
    )
    recent_from = ctx.end - timedelta(days=OPEN_DAYS)
    recent = [row for row in rows if row[2] >= recent_from]
    still_open = {row[0] for row in recent[-OPEN_CRISES:]}
    adapt = _datetime_adapter()
    closes: list[tuple] = []
    steps: list[tuple] = []
    for pk, customer_id, opened in rows:
        handler = members[owners[customer_id]] if rng.random() < 0.6 else manager
        if pk in still_open:
            if rng.random() < 0.5:  # someone already called
                when = next_business_time(opened + timedelta(hours=rng.uniform(0.5, 4)))
                if when < ctx.end:
                    steps.append((pk, Crisis.Step.CALL, adapt(when), handler.pk, ""))
            continue
        closed = next_business_time(opened + timedelta(hours=rng.uniform(2, 120)))
        if closed >= ctx.end:
            closed = ctx.end - timedelta(minutes=rng.randint(5, 120))
        closer = handler if rng.random() < 0.85 else owner
        if not closer.has_role(Role.MANAGER):  # agents tick the steps; managers close
            closer = manager
        closes.append((adapt(closed), closer.pk, rng.choice(CRISIS_NOTES), pk))
        moment = opened
        span = (closed - opened) / 5
        for step, share in (
            (Crisis.Step.CALL, 0.9),
            (Crisis.Step.APOLOGISE, 0.85),
            (Crisis.Step.EXPLAIN, 0.7),
            (Crisis.Step.REMEDY, 0.45),
            (Crisis.Step.FOLLOW_UP, 0.35),
        ):
            moment = moment + span * rng.uniform(0.3, 1.0)
            if rng.random() < share:
                steps.append((pk, step, adapt(min(moment, closed)), handler.pk, ""))
    sql = (
        f"UPDATE {Crisis._meta.db_table} SET closed_at = %s, closed_by_id = %s, note = %s "  # noqa: S608
        "WHERE id = %s"
    )
    for batch in chunked(closes, ctx.options.batch_size):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    for batch in chunked(steps, ctx.options.batch_size):
        ctx.write_rows(CrisisStep, STEP_FIELDS, batch)
    ctx.counts["crisis open"] += len(still_open)
    _notify(ctx, [pk for pk, _c, _o in recent if pk in still_open][-NOTIFIED_CRISES:])


def _notify(ctx: DemoContext, crisis_ids: list[int]) -> None:
    """The newest open crises alert the owner in the app (no email is sent for demo data)."""
    from django.urls import reverse

    from ascolto.notifications.services import notification_create, notification_texts
    from ascolto.promises.services import check_summary

    workspace = ctx.workspace
    for crisis in Crisis.objects.filter(pk__in=crisis_ids).select_related(
        "promise", "customer", "promise_check__promise"
    ):

        def words(crisis: Crisis = crisis) -> tuple[str, str]:
            title = _("Broken promise: “%(promise)s” for %(customer)s") % {
                "promise": crisis.promise.label,
                "customer": crisis.customer.name,
            }
            body = _(
                "We promised: %(wording)s. What happened: %(what)s. "
                "Call the customer, apologise, explain honestly and offer a remedy."
            ) % {
                "wording": crisis.promise.wording(translation.get_language()).rstrip(" ."),
                "what": check_summary(crisis.promise_check),
            }
            return title, body

        notification_create(
            workspace=workspace,
            recipient=ctx.members[0],
            kind="broken_promise",
            texts=notification_texts(words),
            customer=crisis.customer,
            url=reverse("customers:customer-detail", args=[crisis.customer_id])
            + f"#crisis-{crisis.pk}",
            email=False,
        )
        ctx.counts["notification"] += 1


# --- perception -----------------------------------------------------------------------------


def _band_rating(rng: random.Random, band: str) -> float:
    if band == "promoter":
        return rng.uniform(3.8, 5.2)
    if band == "passive":
        return rng.uniform(2.6, 4.2)
    return rng.uniform(1.0, 3.2)


def _perception(
    ctx: DemoContext, promises: dict[str, Promise], questions: dict[str, Question]
) -> None:
    """Dimension answers on every NPS response, from what the customer was delivered."""
    rng_for = ctx.random_for
    promise_to_question: dict[int, str] = {}
    for key, (_spec, question) in CATALOGUE.items():
        if question:
            promise_to_question[promises[key].pk] = question
    window = timedelta(days=PERCEPTION_DAYS)
    total = len(ctx.customers)
    answers: list[tuple] = []
    done = 0
    for batch in chunked(ctx.customers, 2_000):
        ids = [c.id for c in batch]
        delivered: dict[int, list[tuple]] = defaultdict(list)
        for customer_id, promise_id, occurred_at, outcome in (
            PromiseCheck.objects.filter(customer_id__in=ids, promise_id__in=promise_to_question)
            .exclude(outcome=PromiseCheck.Outcome.NOT_MEASURABLE)
            .order_by("occurred_at", "interaction_id", "promise_id")
            .values_list("customer_id", "promise_id", "occurred_at", "outcome")
        ):
            delivered[customer_id].append(
                (promise_to_question[promise_id], occurred_at, outcome == "kept")
            )
        responses: dict[int, list[tuple]] = defaultdict(list)
        for row in (
            Response.objects.filter(
                customer_id__in=ids, survey__kind=Survey.Kind.NPS, survey__workspace=ctx.workspace
            )
            .order_by("submitted_at", "pk")
            .values_list("customer_id", "pk", "submitted_at", "band")
        ):
            responses[row[0]].append(row[1:])
        for customer in batch:
            rng = rng_for("promises", "perception", customer.index)
            history = delivered.get(customer.id, [])
            # About one customer in eight sees things differently from what was delivered.
            bias = 0.0
            if rng.random() < FEELS_DIFFERENT:
                bias = rng.choice([-1.8, -1.4, 1.4, 1.8])
            for response_id, submitted, band in responses.get(customer.id, []):
                for key, question in questions.items():
                    seen = [
                        kept
                        for q, at, kept in history
                        if q == key and submitted - window <= at < submitted
                    ]
                    mood = _band_rating(rng, band)
                    if seen:
                        if rng.random() > 0.85:
                            continue
                        share = sum(seen) / len(seen)
                        value = 0.65 * (1 + 4 * share**2) + 0.35 * mood
                    else:
                        if rng.random() > 0.3:
                            continue
                        value = mood
                    value += bias + rng.uniform(-0.6, 0.6)
                    answers.append((response_id, question.pk, max(1, min(5, round(value))), "", ""))
        if len(answers) >= ctx.options.batch_size:
            ctx.insert_rows(Answer, ANSWER_FIELDS, answers)
            answers = []
        done += len(batch)
        ctx.progress("perception", len(batch), total)
    ctx.insert_rows(Answer, ANSWER_FIELDS, answers)


# --- needs and the fit check ----------------------------------------------------------------


def _needs(ctx: DemoContext, promises: dict[str, Promise]) -> None:
    """Needs recorded for about half the prospects and a few customers; some customers were
    taken on despite a misfit, with the reason."""
    workspace_id = ctx.workspace.pk
    needs: list[Expectation] = []
    overrides: list[tuple[DemoCustomer, list[int]]] = []
    for customer in ctx.customers:
        rng = ctx.random_for("promises", "needs", customer.index)
        share = EXPECTATION_PROSPECTS if customer.status == "prospect" else EXPECTATION_CUSTOMERS
        if rng.random() >= share:
            continue
        picked = rng.sample(range(len(NEEDS)), rng.randint(1, 3))
        recorded = datetime.combine(
            max(customer.since, ctx.start_date), datetime.min.time(), tzinfo=ctx.tz
        ) + timedelta(hours=rng.randint(9, 17))
        for index in picked:
            text, fields, _promise, _fits = NEEDS[index]
            values = {**fields, "touchpoint_id": ctx.touchpoints[fields["touchpoint"]]}
            del values["touchpoint"]
            needs.append(
                Expectation(
                    workspace_id=workspace_id,
                    customer_id=customer.id,
                    text=text,
                    created_at=min(recorded, ctx.end - timedelta(hours=1)),
                    **values,
                )
            )
        misfits = [i for i in picked if not NEEDS[i][3]]
        if customer.status != "prospect" and misfits:
            troubled = bool(customer.lost_on and not customer.unseen_loss) or customer.at_risk
            if rng.random() < (0.85 if troubled else 0.5):
                overrides.append((customer, misfits))
    for batch in chunked(needs, ctx.options.batch_size):
        ctx.bulk_insert(Expectation, batch)
    by_customer: dict[tuple[int, str], int] = {}
    for need in Expectation.objects.filter(workspace_id=workspace_id).values_list(
        "pk", "customer_id", "text"
    ):
        by_customer[(need[1], need[2])] = need[0]
    rows = []
    for customer, misfits in overrides:
        rng = ctx.random_for("promises", "override", customer.index)
        decided = datetime.combine(
            max(customer.since, ctx.start_date), datetime.min.time(), tzinfo=ctx.tz
        ) + timedelta(hours=rng.randint(9, 17), minutes=30)
        rows.append(
            FitOverride(
                workspace_id=workspace_id,
                customer_id=customer.id,
                reason=rng.choice(OVERRIDE_REASONS),
                mismatches=[
                    _mismatch(
                        NEEDS[i],
                        promises,
                        by_customer.get((customer.id, NEEDS[i][0])),
                        ctx.touchpoints[NEEDS[i][1]["touchpoint"]],
                    )
                    for i in misfits
                ],
                decided_by_id=ctx.members[0].pk,
                decided_at=min(decided, ctx.end - timedelta(hours=1)),
            )
        )
    ctx.bulk_insert(FitOverride, rows)


def _mismatch(
    need: tuple, promises: dict[str, Promise], expectation_id: int | None, touchpoint_id: int
) -> dict:
    """A mismatch as the fit check records it at the decision."""
    from ascolto.promises.formatting import target_text

    text, fields, promise_key, _fits = need
    promise = promises.get(promise_key) if promise_key else None
    shape = Expectation(**{k: v for k, v in fields.items() if k != "touchpoint"})
    with translation.override("it"):
        need_text = target_text(shape)
        promised = target_text(promise) if promise else ""
    # Written by the owner at the decision, in the business's language.
    if promise is None:
        explanation = "Nel catalogo nessuna promessa copre questa esigenza."
    else:
        explanation = f"Promettiamo {promised}, al cliente serve {need_text}."
    return {
        "expectation_id": expectation_id,
        "their_words": text,
        "dimension": fields["dimension"],
        "target_type": str(fields["target_type"]),
        "status": "misfit" if promise else "not_covered",
        "explanation": explanation,
        "need": need_text,
        "need_limit": float(fields["limit"]) if "limit" in fields else None,
        "need_measure": fields.get("measure", ""),
        "need_comparison": fields.get("comparison", ""),
        "touchpoint_id": touchpoint_id,
        "promise_id": promise.pk if promise else None,
        "promise": promise.name_it if promise else "",
        "promise_name_it": promise.name_it if promise else "",
        "promise_name_en": promise.name_en if promise else "",
        "promised": promised,
        "promise_limit": float(promise.limit) if promise and promise.limit is not None else None,
        "promise_comparison": promise.comparison if promise else "",
        "business_hours": bool(promise and promise.business_hours),
    }


__all__ = ["promises_step"]
