"""Many small businesses on one installation: `ascolto demo --workspaces N [--big C]`.

What a consultant, an association of artisans or a hosting provider runs: N workspaces, each a
small business of 50 to 500 customers (most of them small: the sizes are spread evenly on a
logarithmic scale), with an owner who has an email address, an NPS survey with its questions,
three months of interactions (about three per customer) and answers from about a third of the
customers, each with its invitation. `--big C` adds one workspace of C customers built the same
way, the large business beside the small ones. Everything but the workspaces, their owners and
surveys is written with bulk inserts, many workspaces per statement, so a thousand businesses
load in minutes. The dashboards' counts are kept by their triggers as the rows go in.
"""

from __future__ import annotations

import math
import random
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ascolto.customers.models import Customer
from ascolto.demo import _fast_sqlite, prepare_rows, write_rows
from ascolto.demo.interactions import INTERACTION_FIELDS
from ascolto.feedback.models import Invitation, Response, Survey
from ascolto.feedback.services import survey_create
from ascolto.interactions.models import Channel, Interaction, Touchpoint
from ascolto.workspaces.models import Membership, Role, Workspace

TRADES = (
    "Idraulica",
    "Panificio",
    "Officina",
    "Ottica",
    "Parrucchiere",
    "Ferramenta",
    "Studio dentistico",
    "Lavanderia",
    "Falegnameria",
    "Elettricista",
)
TOWNS = ("Bergamo", "Lecco", "Como", "Brescia", "Cremona", "Lodi", "Pavia", "Varese")
BATCH = 5000


def _sizes(rng: random.Random, count: int, low: int, high: int) -> list[int]:
    return [int(math.exp(rng.uniform(math.log(low), math.log(high)))) for _ in range(count)]


def tenants_generate(
    *,
    workspaces: int,
    big: int = 0,
    seed: int = 42,
    password: str,
    low: int = 50,
    high: int = 500,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Create the workspaces; returns counts of what was written and the seconds it took."""
    started = time.monotonic()
    rng = random.Random(seed)
    progress = progress or (lambda label, advance, total: None)
    sizes = _sizes(rng, workspaces, low, high) + ([big] if big else [])
    hashed = make_password(password)
    tag = secrets.token_hex(3)
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(
                username=f"titolare-{tag}-{i + 1}",
                email=f"titolare{i + 1}@{tag}.example",
                password=hashed,
            )
            for i in range(len(sizes))
        ]
    )
    made: list[tuple[Workspace, Membership, Survey, int, list[int]]] = []
    # One transaction per 50 workspaces: a commit per workspace costs more than its rows.
    for first in range(0, len(sizes), 50):
        with transaction.atomic():
            for i in range(first, min(first + 50, len(sizes))):
                made.append(_workspace(i, sizes[i], users[i], big=big and i == len(sizes) - 1))
                progress("workspaces", 1, len(sizes))
    counts = {"workspaces": len(made), "customers": 0, "interactions": 0, "responses": 0}
    now = timezone.now()
    span = 90 * 24 * 3600
    pending_customers: list[Customer] = []
    owners_of: list[
        tuple[int, int, list[int], int]
    ] = []  # per customer row: ws, member, tps, survey

    def flush_customers() -> None:
        if not pending_customers:
            return
        with transaction.atomic():
            rows = Customer.objects.bulk_create(pending_customers, batch_size=1000)
        _history(rows, owners_of, rng, now, span, counts)
        counts["customers"] += len(rows)
        progress("customers", len(rows), sum(sizes))
        pending_customers.clear()
        owners_of.clear()

    with _fast_sqlite():
        _customers(made, pending_customers, owners_of, flush_customers, tag, now, rng)
    counts["seconds"] = round(time.monotonic() - started)
    return counts


def _customers(made, pending_customers, owners_of, flush_customers, tag, now, rng) -> None:
    for workspace, owner, survey, size, touchpoints in made:
        for n in range(size):
            pending_customers.append(
                Customer(
                    workspace=workspace,
                    name=f"Cliente {n + 1} di {workspace.name}"[:200],
                    email=f"c{n + 1}.w{workspace.pk}@{tag}.example",
                    created_at=now - timedelta(days=rng.randint(100, 2000)),
                )
            )
            owners_of.append((workspace.pk, owner.pk, touchpoints, survey.pk))
        if len(pending_customers) >= BATCH:
            flush_customers()
    flush_customers()


def _workspace(i: int, size: int, user, *, big: bool):
    name = f"{TRADES[i % len(TRADES)]} {TOWNS[i // len(TRADES) % len(TOWNS)]} {i + 1}"
    if big:
        name = f"Grande distribuzione ({size} clienti)"
    workspace = Workspace.objects.create(name=name)
    owner = Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    survey = survey_create(workspace=workspace, by=owner, name="Soddisfazione", kind="nps")
    touchpoints = Touchpoint.objects.bulk_create(
        [
            Touchpoint(workspace=workspace, code=code, name_it=label, position=n)
            for n, (code, label) in enumerate(
                (("telefonata", "Telefonata"), ("intervento", "Intervento"), ("reclamo", "Reclamo"))
            )
        ]
    )
    return workspace, owner, survey, size, [t.pk for t in touchpoints]


def _history(customers, owners_of, rng, now, span, counts) -> None:
    """About three interactions per customer over 90 days, and an NPS answer from a third."""
    interactions, invitations, responses = [], [], []
    for customer, (workspace_id, member_id, touchpoints, survey_id) in zip(
        customers, owners_of, strict=True
    ):
        for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
            moment = now - timedelta(seconds=rng.random() * span)
            interactions.append(
                (workspace_id, customer.pk, rng.choice(touchpoints), Channel.PHONE, moment)
                + (member_id, "", None, None, None, None, "{}", moment)
            )
        if rng.random() < 0.35:
            submitted = now - timedelta(seconds=rng.random() * span)
            created = submitted - timedelta(hours=rng.randint(1, 72))
            invitations.append(
                Invitation(
                    workspace_id=workspace_id,
                    survey_id=survey_id,
                    customer_id=customer.pk,
                    token_salt=secrets.token_hex(8),
                    token_hash=secrets.token_hex(32),
                    created_at=created,
                    expires_at=created + timedelta(days=30),
                    closed_at=submitted,
                    state="done",
                    sent_at=created,
                    opened_at=submitted,
                    answered_at=submitted,
                )
            )
            score = min(10, max(0, round(rng.gauss(8, 2))))
            responses.append(
                Response(
                    workspace_id=workspace_id,
                    survey_id=survey_id,
                    customer_id=customer.pk,
                    submitted_at=submitted,
                    kind=Survey.Kind.NPS,
                    score=score,
                    band="",
                )
            )
    with transaction.atomic():
        write_rows(
            Interaction,
            INTERACTION_FIELDS,
            prepare_rows(Interaction, INTERACTION_FIELDS, interactions),
        )
        made = Invitation.objects.bulk_create(invitations, batch_size=1000)
        for invitation, response in zip(made, responses, strict=True):
            response.invitation_id = invitation.pk
        Response.objects.bulk_create(responses, batch_size=1000)
    counts["interactions"] += len(interactions)
    counts["responses"] += len(responses)
