"""Demo step 2: customers (external and internal), their contracts and lost-customer records.

Customers are generated and inserted in batches; only a compact `DemoCustomer` per customer is
kept for the later steps. Every customer draws from its own generator (seed, "customer", index),
so customer number 57 is the same whatever the batch size or the number of customers asked.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from ascolto.customers.models import Contract, Customer, LostRecord
from ascolto.demo import DemoContext, DemoCustomer
from ascolto.demo.dates import business_moment
from ascolto.demo.names import (
    CITIES,
    COMPANY_FIRST,
    COMPANY_SECOND,
    COMPETITORS,
    DEPARTMENTS,
    EQUIPMENT,
    FIRST_NAMES,
    LEGAL_FORMS,
    LOST_DETAILS,
    PUBLIC_BODIES,
    SEGMENT_COMPANY_WORDS,
    SEGMENTS,
    STREETS,
    SURNAMES,
)

INTERNAL_EVERY = 20  # one customer in 20 is an internal department (5 %)
PROSPECT_SHARE = 0.07
LOST_SHARE = 0.10
AT_RISK_SHARE = 0.10
ENGLISH_SHARE = 0.07
# Account owners: the owner keeps a few key accounts, the agents most of them.
OWNER_WEIGHTS = [1, 2, 4, 4]
# Lost reasons (code, weight); only codes present in the workspace's list are used.
LOST_REASON_WEIGHTS = {
    "promessa-non-mantenuta": 5,
    "servizio": 5,
    "prezzo": 4,
    "concorrente": 4,
    "comunicazione": 2,
    "qualita": 2,
    "cessata-attivita": 1,
    "altro": 1,
}
COMPANY_DOMAIN = "brambilla-noleggi.example"
# Reasons a customer may leave for without any warning the signals could see, and how often.
UNSEEN_REASONS = ("prezzo", "concorrente")
UNSEEN_SHARE = 0.7

_SEGMENT_NAMES = list(SEGMENTS)
_SEGMENT_WEIGHTS = [SEGMENTS[name]["weight"] for name in _SEGMENT_NAMES]


def _ascii(text: str) -> str:
    return slugify(text).replace("-", "")


def _company_name(rng: random.Random, segment: str, city: str) -> tuple[str, str]:
    """(display name, legal name) for a business customer."""
    if segment == "Enti pubblici":
        name = rng.choice(PUBLIC_BODIES).format(city=city)
        return name, name
    words = SEGMENT_COMPANY_WORDS.get(segment) or []
    pattern = rng.random()
    if words and pattern < 0.45:
        name = f"{rng.choice(words)} {rng.choice(SURNAMES)}"
    elif pattern < 0.75:
        name = f"{rng.choice(COMPANY_FIRST)} {rng.choice(COMPANY_SECOND)}"
    else:
        name = f"{rng.choice(SURNAMES)} {rng.choice(COMPANY_SECOND)}"
    if segment == "Agricoltura" and name.startswith(("Azienda", "Cascina")):
        return name, name
    return name, f"{name} {rng.choice(LEGAL_FORMS)}"


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(["02", "039", "035", "031", "0341", "0332", "030"])
    return f"+39 {prefix} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _date_between(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _build(ctx: DemoContext, index: int) -> tuple[Customer, dict]:
    """One customer and the facts the rest of the pipeline needs about it."""
    rng = ctx.random_for("customer", index)
    today, start = ctx.today, ctx.start_date
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    person = f"{first} {last}"
    city = rng.choice(CITIES)
    owner_index = rng.choices(range(len(ctx.members)), weights=OWNER_WEIGHTS[: len(ctx.members)])[0]
    facts: dict = {
        "person": person,
        "city": city,
        "owner_index": owner_index,
        "lost_on": None,
        "at_risk": False,
        "segment": None,
    }

    if index % INTERNAL_EVERY == INTERNAL_EVERY // 3:
        department = DEPARTMENTS[(index // INTERNAL_EVERY) % len(DEPARTMENTS)]
        round_ = index // (INTERNAL_EVERY * len(DEPARTMENTS))
        name = department if round_ == 0 else f"{department} ({round_ + 1})"
        since = _date_between(rng, start - timedelta(days=3 * 365), start)
        customer = Customer(
            kind=Customer.Kind.INTERNAL,
            name=name,
            company=ctx.options.workspace_name,
            email=f"{_ascii(department)}{round_ or ''}@{COMPANY_DOMAIN}",
            phone=f"int. {200 + index % 700}",
            status=Customer.Status.ACTIVE,
            notes=f"Referente: {person}.",
        )
        facts.update(
            kind="internal",
            status="active",
            since=since,
            billing="",
            rentals_per_year=rng.uniform(3, 10),
            language="it",
        )
        return customer, facts

    segment = rng.choices(_SEGMENT_NAMES, weights=_SEGMENT_WEIGHTS)[0]
    low, high = SEGMENTS[segment]["rentals"]
    language = "en" if rng.random() < ENGLISH_SHARE else "it"
    roll = rng.random()
    span_days = (today - start).days
    if roll < PROSPECT_SHARE:
        status = Customer.Status.PROSPECT
        since = today - timedelta(days=rng.randint(7, 180))
    elif roll < PROSPECT_SHARE + LOST_SHARE:
        status = Customer.Status.LOST
        # Lost at least a month ago, and with enough history before it to tell the story.
        lost_on = today - timedelta(days=rng.randint(30, max(31, span_days - 150)))
        since = _date_between(rng, start - timedelta(days=4 * 365), lost_on - timedelta(days=300))
        facts["lost_on"] = lost_on
    else:
        status = Customer.Status.ACTIVE
        if rng.random() < 0.65:
            since = _date_between(rng, start - timedelta(days=6 * 365), start)
        else:
            since = _date_between(rng, start, today - timedelta(days=60))
        facts["at_risk"] = rng.random() < AT_RISK_SHARE
    if segment == "Privati":
        name, company = person, ""
        email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@mail.example"
    else:
        name, company = _company_name(rng, segment, city)
        email = f"{_ascii(first)}.{_ascii(last)}@{_ascii(name)[:40]}.example"
    notes = ""
    if rng.random() < 0.3:
        notes = rng.choice(
            [
                f"Referente: {person}. Preferisce consegne al mattino.",
                f"Cantiere principale in {rng.choice(STREETS)} a {city}.",
                "Pagamenti sempre puntuali.",
                f"Usa spesso {rng.choice(EQUIPMENT)}.",
                "Chiede sempre il preventivo scritto prima di confermare.",
            ]
        )
    customer = Customer(
        kind=Customer.Kind.EXTERNAL,
        name=name,
        company=company,
        email=email,
        phone=_phone(rng),
        preferred_language=language,
        status=status,
        notes=notes,
    )
    facts.update(
        kind="external",
        status=str(status),
        since=since,
        segment=segment,
        billing="monthly" if rng.random() < 0.35 and segment != "Privati" else "quarterly",
        rentals_per_year=rng.uniform(low, high),
        language=language,
    )
    facts["contract"] = _contract_facts(rng, ctx, segment, status, facts)
    facts["unseen_loss"] = False
    if status == Customer.Status.LOST:
        facts["lost"] = _lost_facts(rng, ctx)
        # Most who leave for price or a competitor's offer do so out of the blue; the others
        # go through a rough patch first (broken promises, silence, complaints, fewer contacts).
        facts["unseen_loss"] = facts["lost"]["reason_code"] in UNSEEN_REASONS and (
            ctx.random_for("unseen-loss", index).random() < UNSEEN_SHARE
        )
    return customer, facts


def _contract_facts(
    rng: random.Random, ctx: DemoContext, segment: str, status: str, facts: dict
) -> dict | None:
    share = 0.25 if segment == "Privati" else 0.8
    if status == Customer.Status.PROSPECT or rng.random() >= share:
        return None
    low, high = SEGMENTS[segment]["value"]
    step = 50 if high <= 5_000 else 500
    value = Decimal(round(rng.uniform(low, high) / step) * step).quantize(Decimal("0.01"))
    if status == Customer.Status.LOST:
        renewal = facts["lost_on"]  # they left at renewal time
        auto_renew = False
    else:
        renewal = ctx.today + timedelta(days=rng.randint(1, 365))
        auto_renew = rng.random() < 0.35
    years = rng.choice([1, 1, 1, 2, 3])
    start_date = renewal - timedelta(days=365 * years)
    kind = rng.choice(
        [
            "Contratto quadro noleggi",
            "Accordo annuale noleggio e assistenza",
            f"Noleggio a lungo termine {rng.choice(EQUIPMENT)}",
        ]
    )
    return {
        "title": f"{kind} {start_date.year}",
        "start_date": start_date,
        "renewal_date": renewal,
        "yearly_value": value,
        "auto_renew": auto_renew,
    }


def _lost_facts(rng: random.Random, ctx: DemoContext) -> dict:
    codes = [code for code in LOST_REASON_WEIGHTS if code in ctx.lost_reasons] or sorted(
        ctx.lost_reasons
    )
    weights = [LOST_REASON_WEIGHTS.get(code, 1) for code in codes]
    code = rng.choices(codes, weights=weights)[0]
    competitor = ""
    if code in ("prezzo", "concorrente") or rng.random() < 0.3:
        competitor = rng.choice(COMPETITORS)
    return {"reason_code": code, "competitor": competitor, "details": rng.choice(LOST_DETAILS)}


def customers_step(ctx: DemoContext) -> None:
    total = ctx.options.customers
    for first in range(0, total, ctx.options.batch_size):
        indices = range(first, min(total, first + ctx.options.batch_size))
        built = [_build(ctx, index) for index in indices]
        with transaction.atomic():
            _insert_batch(ctx, indices, built)
        ctx.progress("customers", len(built), total)


def _insert_batch(ctx: DemoContext, indices: range, built: list[tuple[Customer, dict]]) -> None:
    workspace = ctx.workspace
    members = ctx.members
    for index, (customer, facts) in zip(indices, built, strict=True):
        customer.workspace = workspace
        customer.account_owner = members[facts["owner_index"]]
        if facts["segment"]:
            customer.segment_id = ctx.segments[facts["segment"]]
        customer.created_at = business_moment(
            ctx.random_for("customer-created", index),
            facts["since"],
            ctx.tz,
        )
    ctx.bulk_insert(Customer, [customer for customer, _facts in built])
    contracts, lost_records = [], []
    for index, (customer, facts) in zip(indices, built, strict=True):
        if facts.get("contract"):
            contract = Contract(workspace=workspace, customer=customer, **facts["contract"])
            contract.created_at = min(customer.created_at, ctx.end - timedelta(seconds=1))
            contracts.append(contract)
        if facts.get("lost"):
            lost = facts["lost"]
            recorded_by = members[facts["owner_index"]]
            lost_records.append(
                LostRecord(
                    workspace=workspace,
                    customer=customer,
                    lost_on=facts["lost_on"],
                    reason_id=ctx.lost_reasons[lost["reason_code"]],
                    details=lost["details"],
                    competitor=lost["competitor"],
                    recorded_by=recorded_by,
                    created_at=business_moment(
                        ctx.random_for("lost", index), facts["lost_on"], ctx.tz
                    ),
                )
            )
        ctx.customers.append(
            DemoCustomer(
                id=customer.pk,
                index=index,
                kind=facts["kind"],
                status=facts["status"],
                segment=facts["segment"],
                since=facts["since"],
                lost_on=facts["lost_on"],
                at_risk=facts["at_risk"],
                owner_index=facts["owner_index"],
                billing=facts["billing"],
                rentals_per_year=facts["rentals_per_year"],
                person=facts["person"],
                city=facts["city"],
                language=facts["language"],
                unseen_loss=facts.get("unseen_loss", False),
            )
        )
    ctx.bulk_insert(Contract, contracts)
    ctx.bulk_insert(LostRecord, lost_records)
