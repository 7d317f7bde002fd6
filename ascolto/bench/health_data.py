"""A generated workspace for timing the nightly health score at scale
(`ascolto bench health --customers N`).

Bulk-inserts, in batches, a new workspace of N active customers with two years of the events
the score reads, in proportions close to the demo business's last two years: about 8
interactions a customer (calls, deliveries, interventions, payments, some complaints and
missed payments), one NPS answer each on average with its invitation (and as many unanswered
invitations), a promise check for one in three, a text analysis for one in two, a staff signal
for one in five, a contract for three in five, a lost-customer record for one in thirty. The
data is for timing only: it has no story (the demo business has one)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ascolto.customers.models import Contract, Customer, LostReason, LostRecord
from ascolto.feedback.models import Invitation, Question, Response, Survey
from ascolto.interactions.models import Interaction, StaffSignal, Touchpoint
from ascolto.promises.models import Promise, PromiseCheck
from ascolto.textanalysis.models import TextAnalysis
from ascolto.workspaces.models import Membership, Workspace

BATCH = 2000
TOUCHPOINT_MIX = [
    ("telefonata", 30),
    ("consegna", 20),
    ("intervento", 15),
    ("pagamento", 20),
    ("pagamento-mancato", 3),
    ("reclamo", 4),
    ("ritardo", 3),
    ("visita", 5),
]


def generate_health_workspace(
    *, customers: int, seed: int = 0, progress: Callable[[str], None] = lambda _m: None
) -> Workspace:
    from ascolto.workspaces.services import workspace_create

    rng = random.Random(seed)
    now = timezone.now()
    user_model = get_user_model()
    email = f"bench-health-{secrets.token_hex(4)}@example.invalid"
    owner = user_model.objects.create_user(username=email, email=email, password=None)
    workspace = workspace_create(name=f"Bench salute {customers}", owner=owner)
    member = Membership.objects.get(workspace=workspace, user=owner)
    touchpoints = {t.code: t.pk for t in Touchpoint.objects.filter(workspace=workspace)}
    mix = [(touchpoints[c], w) for c, w in TOUCHPOINT_MIX if c in touchpoints]
    codes, weights = [c for c, _w in mix], [w for _c, w in mix]
    intervention = touchpoints.get("intervento", codes[0])
    promise = Promise.objects.create(
        workspace=workspace,
        name_it="Intervento entro 24 ore",
        wording_it="Intervento entro 24 ore",
        touchpoint_id=intervention,
        dimension="timeliness",
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=1440,
        unit="hours",
    )
    survey = Survey.objects.create(
        workspace=workspace, name="NPS", kind=Survey.Kind.NPS, title_it="NPS"
    )
    Question.objects.create(
        workspace=workspace,
        survey=survey,
        position=0,
        kind=Question.Kind.SCORE,
        role=Question.Role.MAIN,
        text_it="NPS",
        min_value=0,
        max_value=10,
    )
    reason = LostReason.objects.filter(workspace=workspace).order_by("pk").first()
    two_years = 2 * 365 * 86400
    text_id = 0
    for start in range(0, customers, BATCH):
        size = min(BATCH, customers - start)
        with transaction.atomic():
            made = Customer.objects.bulk_create(
                [
                    Customer(
                        workspace=workspace,
                        name=f"Cliente {start + i + 1:06d}",
                        status=Customer.Status.ACTIVE,
                        account_owner=member if rng.random() < 0.5 else None,
                        created_at=now - timedelta(days=rng.randint(10, 4 * 365)),
                    )
                    for i in range(size)
                ]
            )
            interactions, responses, invitations = [], [], []
            signals, analyses, contracts, lost = [], [], [], []
            checks_for = []
            for customer in made:
                age = (now - customer.created_at).total_seconds()
                span = min(two_years, age)
                for _k in range(rng.randint(2, 14)):
                    tp = rng.choices(codes, weights)[0]
                    inter = Interaction(
                        workspace=workspace,
                        customer=customer,
                        touchpoint_id=tp,
                        channel="phone",
                        occurred_at=now - timedelta(seconds=rng.random() * span),
                        text="",
                    )
                    interactions.append(inter)
                    if tp == intervention and rng.random() < 0.6:
                        checks_for.append(inter)
                for _k in range(rng.choice((0, 1, 1, 2))):
                    submitted = now - timedelta(seconds=rng.random() * span)
                    score = min(10, max(0, round(rng.gauss(8, 2.2))))
                    band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
                    for answered in (True, False):
                        created = submitted - timedelta(hours=rng.randint(1, 96))
                        invitations.append(
                            Invitation(
                                workspace=workspace,
                                survey=survey,
                                customer=customer,
                                token_salt=secrets.token_hex(8),
                                token_hash=secrets.token_hex(32),
                                created_at=created,
                                expires_at=created + timedelta(days=30),
                                closed_at=submitted if answered else created + timedelta(days=30),
                                state="done",
                                sent_at=created,
                                answered_at=submitted if answered else None,
                            )
                        )
                    responses.append(
                        Response(
                            workspace=workspace,
                            survey=survey,
                            customer=customer,
                            submitted_at=submitted,
                            kind=Survey.Kind.NPS,
                            score=score,
                            band=band,
                            all_good=score >= 9 and rng.random() < 0.2,
                        )
                    )
                if rng.random() < 0.2:
                    signals.append(
                        StaffSignal(
                            workspace=workspace,
                            customer=customer,
                            member=member,
                            text=rng.choice(("Tutto bene", "Infastidito", "Molto contento")),
                            polarity=rng.choice(("positive", "negative", "neutral")),
                            created_at=now - timedelta(seconds=rng.random() * span),
                        )
                    )
                if rng.random() < 0.5:
                    text_id += 1
                    negative = rng.random() < 0.25
                    analyses.append(
                        TextAnalysis(
                            workspace=workspace,
                            customer=customer,
                            source_kind="interaction",
                            source_id=text_id,
                            text_hash=secrets.token_hex(32),
                            language="it",
                            sentiment="negative" if negative else "positive",
                            emotion="anger" if negative and rng.random() < 0.4 else "joy",
                            sentiment_score=-0.6 if negative else 0.6,
                            predicted_sentiment="negative" if negative else "positive",
                            predicted_emotion="none",
                            analyser_version="bench",
                            occurred_at=now - timedelta(seconds=rng.random() * span),
                        )
                    )
                if rng.random() < 0.6:
                    begun = (now - timedelta(days=rng.randint(30, 3 * 365))).date()
                    contracts.append(
                        Contract(
                            workspace=workspace,
                            customer=customer,
                            start_date=begun,
                            renewal_date=_renewal(begun, now.date()),
                            yearly_value=Decimal(rng.randint(500, 20000)),
                            auto_renew=rng.random() < 0.3,
                        )
                    )
                if reason is not None and rng.random() < 1 / 30:
                    lost.append(
                        LostRecord(
                            workspace=workspace,
                            customer=customer,
                            lost_on=(now - timedelta(days=rng.randint(1, 700))).date(),
                            reason=reason,
                        )
                    )
            Interaction.objects.bulk_create(interactions, batch_size=1000)
            PromiseCheck.objects.bulk_create(
                [
                    PromiseCheck(
                        workspace=workspace,
                        promise=promise,
                        interaction=inter,
                        customer_id=inter.customer_id,
                        occurred_at=inter.occurred_at,
                        outcome="broken" if rng.random() < 0.12 else "kept",
                    )
                    for inter in checks_for
                ],
                batch_size=1000,
            )
            Invitation.objects.bulk_create(invitations, batch_size=1000)
            Response.objects.bulk_create(responses, batch_size=1000)
            StaffSignal.objects.bulk_create(signals, batch_size=1000)
            TextAnalysis.objects.bulk_create(analyses, batch_size=1000)
            Contract.objects.bulk_create(contracts, batch_size=1000)
            LostRecord.objects.bulk_create(lost, batch_size=1000)
        progress(f"{start + size} customers")
    return workspace


def _renewal(begun: date, today: date) -> date:
    """The contract's next yearly anniversary on or after today (or its first)."""
    renewal = (
        begun.replace(year=begun.year + 1)
        if not (begun.month == 2 and begun.day == 29)
        else begun + timedelta(days=365)
    )
    while renewal < today:
        renewal = renewal + timedelta(days=365)
    return renewal
