"""Demo step 4: surveys, invitations and responses over the whole history.

Two surveys are created through the survey service: a relationship NPS survey and a CSAT
survey. Every customer (not the prospects) is invited about once a quarter, by email, to one of
them (two NPS for one CSAT), from a little after they became a customer until today or the day
they left; about 35 % answer. The scores follow the customer's story (drawn from its own
generator, `ctx.random_for("surveys", index)`): a customer who left, or who is at risk now,
answers worse and worse in the months before, with detractor comments; the others are mostly
promoters, and some of those leave "what could be better" empty (the "tutto bene" signal).

Rows are written as tuples (`ctx.insert_rows`, one transaction per batch) with primary keys
assigned here, so responses can point at their invitation and answers at their response without
reading anything back; the PostgreSQL sequences are moved past them at the end. (Nothing else
should write surveys while the demo loads.) Link tokens come from a random salt per invitation
(`secrets`, not the seed), like real ones, so no demo link can be guessed and two demo
workspaces never share one; everything else depends only on the seed.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import timedelta

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from ascolto.demo import DemoContext, DemoCustomer
from ascolto.demo.dates import business_moment
from ascolto.feedback.models import (
    Answer,
    Invitation,
    Response,
    Survey,
    _derive_token,
)
from ascolto.feedback.services import survey_create

INVITATION_FIELDS = (
    "id",
    "workspace_id",
    "survey_id",
    "customer_id",
    "channel",
    "token_salt",
    "token_hash",
    "language",
    "created_at",
    "expires_at",
    "closed_at",
    "sent_at",
    "opened_at",
    "answered_at",
    "reminder_sent_at",
    "message_id",
    "state",
    "attempts",
    "next_attempt_at",
    "dispatched_at",
    "lease_owner",
    "last_error",
)
RESPONSE_FIELDS = (
    "id",
    "workspace_id",
    "survey_id",
    "invitation_id",
    "customer_id",
    "submitted_at",
    "language",
    "kind",
    "score",
    "band",
    "all_good",
)
ANSWER_FIELDS = ("response_id", "question_id", "number", "text", "choice")

ANSWER_RATE = 0.35
QUARTER_DAYS = 91
EXPIRES_DAYS = 30
REMINDER_DAYS = 3
ROUGH_PATCH_DAYS = 200  # before leaving (or now, for a customer at risk)
PROGRESS_EVERY = 500

WHY_PROMOTER = [
    "Consegne sempre puntuali e attrezzature in ordine.",
    "Personale competente e disponibile, anche al telefono.",
    "Quando abbiamo avuto un guasto il tecnico è arrivato in giornata.",
    "Prezzi onesti e nessuna sorpresa in fattura.",
    "Ci seguono da anni e non ci hanno mai lasciato a piedi.",
    "Il nostro referente conosce i nostri cantieri e anticipa le richieste.",
    "Macchine nuove, pulite e con il pieno fatto.",
    "Servizio rapido: chiamo la mattina e il pomeriggio ho il mezzo.",
    "Sempre gentili, anche quando cambiamo i programmi all'ultimo.",
    "Affidabili, semplicemente.",
]
WHY_PASSIVE = [
    "Nel complesso bene, ma i tempi di consegna a volte si allungano.",
    "Buon servizio, prezzi un po' alti rispetto alla concorrenza.",
    "Tutto regolare, niente di speciale.",
    "Le attrezzature vanno bene, l'assistenza telefonica meno.",
    "Qualche ritardo nel ritiro, per il resto ok.",
    "Bene, anche se le fatture arrivano spesso con errori.",
    "Soddisfatti, ma serve più flessibilità sugli orari.",
]
WHY_DETRACTOR = [
    "Terzo ritardo in un mese: il cantiere è rimasto fermo.",
    "La piattaforma si è guastata di nuovo e nessuno ci ha richiamato.",
    "Fatture sbagliate e solleciti di pagamento che non ci spettavano.",
    "Promettete 24 ore e poi ne passano tre giorni.",
    "Ho chiamato cinque volte per lo stesso problema.",
    "Il mezzo è arrivato sporco e con il serbatoio vuoto.",
    "Da quando è cambiato il referente non ci segue più nessuno.",
    "I prezzi sono aumentati ma il servizio è peggiorato.",
    "Ci avete lasciato senza generatore il giorno dell'evento.",
    "Stiamo valutando altri fornitori, così non si può lavorare.",
]
IMPROVE = [
    "Avvisare prima quando la consegna è in ritardo.",
    "Un numero diretto per l'assistenza tecnica.",
    "Fatture più chiare, con il dettaglio dei giorni di noleggio.",
    "Consegne anche il sabato mattina.",
    "Un portale per vedere i noleggi in corso.",
    "Più mezzi disponibili nei mesi di punta.",
    "Rispondere alle email entro la giornata.",
    "Tecnici con i ricambi già sul furgone.",
    "Ritiro più veloce a fine noleggio.",
    "Sconti per chi noleggia tutto l'anno.",
    "Mantenere le promesse sui tempi.",
    "Formazione sull'uso delle macchine al momento della consegna.",
]
IMPROVE_DETRACTOR = [
    "Rispettare gli orari promessi, prima di tutto.",
    "Richiamare quando si apre un reclamo, non aspettare che chiamiamo noi.",
    "Controllare le attrezzature prima di consegnarle.",
    "Sistemare la fatturazione una volta per tutte.",
    "Darci un referente che risponda al telefono.",
]


def _surveys(ctx: DemoContext) -> tuple[Survey, Survey]:
    owner = ctx.members[0]
    nps = survey_create(
        workspace=ctx.workspace, by=owner, name="NPS trimestrale", kind=Survey.Kind.NPS
    )
    csat = survey_create(
        workspace=ctx.workspace,
        by=owner,
        name="Soddisfazione del servizio",
        kind=Survey.Kind.CSAT,
    )
    ctx.counts["survey"] += 2
    return nps, csat


def _questions(survey: Survey) -> dict[str, int]:
    return dict(survey.questions.values_list("role", "pk"))


def _nps_score(rng: random.Random, mood: str) -> int:
    if mood == "bad":
        return rng.choice([0, 1, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7])
    if mood == "meh":
        return rng.choice([4, 5, 6, 6, 7, 7, 8, 8, 8, 9])
    roll = rng.random()
    if roll < 0.58:
        return rng.choice([9, 10, 10])
    if roll < 0.9:
        return rng.choice([7, 8, 8])
    return rng.choice([3, 5, 6, 6])


def _csat_score(rng: random.Random, mood: str) -> int:
    if mood == "bad":
        return rng.choice([1, 1, 2, 2, 3])
    if mood == "meh":
        return rng.choice([2, 3, 3, 4])
    return rng.choice([3, 4, 4, 5, 5, 5])


def _band(kind: str, score: int) -> str:
    if kind == Survey.Kind.NPS:
        return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    return "promoter" if score >= 4 else "passive" if score == 3 else "detractor"


class _Writer:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.invitations: list = []
        self.responses: list = []
        self.answers: list = []
        self.next_invitation = (Invitation.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.next_response = (Response.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def maybe_flush(self) -> None:
        if len(self.invitations) >= self.ctx.options.batch_size:
            self.flush()

    def flush(self) -> None:
        with transaction.atomic():
            self.ctx.insert_rows(Invitation, INVITATION_FIELDS, self.invitations)
            self.ctx.insert_rows(Response, RESPONSE_FIELDS, self.responses)
            self.ctx.insert_rows(Answer, ANSWER_FIELDS, self.answers)
        self.invitations, self.responses, self.answers = [], [], []

    def finish(self) -> None:
        self.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Invitation, Response]):
                    cursor.execute(sql)


def _customer(
    ctx: DemoContext,
    writer: _Writer,
    customer: DemoCustomer,
    surveys: tuple[tuple[Survey, dict[str, int]], ...],
) -> None:
    if customer.status == "prospect":
        return
    rng = ctx.random_for("surveys", customer.index)
    end = ctx.end
    last_day = min(customer.lost_on, ctx.today) if customer.lost_on else ctx.today
    trouble_from = None
    if customer.lost_on and not customer.unseen_loss:
        trouble_from = customer.lost_on - timedelta(days=ROUGH_PATCH_DAYS)
    elif customer.at_risk:
        trouble_from = ctx.today - timedelta(days=ROUGH_PATCH_DAYS)
    day = max(customer.since, ctx.start_date) + timedelta(days=rng.randint(20, QUARTER_DAYS))
    last_open: dict[int, int] = {}  # survey id -> position in writer.invitations
    ws = ctx.workspace.pk
    while day < last_day:
        survey, questions = surveys[0] if rng.random() < 2 / 3 else surveys[1]
        created = business_moment(rng, day, ctx.tz)
        day += timedelta(days=QUARTER_DAYS + rng.randint(-12, 12))
        if created >= end:
            break
        sent = created + timedelta(minutes=rng.randint(1, 4), seconds=rng.randint(0, 59))
        expires = created + timedelta(days=EXPIRES_DAYS)
        troubled = trouble_from is not None and created.date() >= trouble_from
        mood = "bad" if troubled and rng.random() < 0.75 else "meh" if troubled else "good"
        answers = rng.random() < (ANSWER_RATE * (0.8 if troubled else 1.0))
        opened = answered = None
        if answers or rng.random() < 0.25:
            delay = timedelta(minutes=rng.randint(5, 60 * 24 * (2 if answers else 10)))
            opened = sent + delay
        if answers and opened is not None:
            answered = opened + timedelta(minutes=rng.randint(1, 8), seconds=rng.randint(0, 59))
        if opened is not None and opened >= min(end, expires):
            opened = answered = None
        if answered is not None and answered >= end:
            answered = None
        reminder = sent + timedelta(days=REMINDER_DAYS)
        if reminder >= end or (answered is not None and answered < reminder):
            reminder = None
        previous = last_open.get(survey.pk)
        if previous is not None and writer.invitations[previous][10] is None:
            row = writer.invitations[previous]
            writer.invitations[previous] = (*row[:10], created, *row[11:])
        salt = secrets.token_hex(16)  # the only value not drawn from the seed: secret
        token_hash = hashlib.sha256(_derive_token("feedback.invitation", salt).encode()).hexdigest()
        invitation_id = writer.next_invitation
        writer.next_invitation += 1
        last_open[survey.pk] = len(writer.invitations)
        writer.invitations.append(
            (
                invitation_id,
                ws,
                survey.pk,
                customer.id,
                "email",
                salt,
                token_hash,
                customer.language,
                created,
                expires,
                answered,  # closed_at: when answered, or when the next one replaces it
                sent,
                opened,
                answered,
                reminder,
                f"<survey.{salt[:16]}@demo.ascolto.local>",
                "done",
                1,
                created,
                created,
                "",
                "",
            )
        )
        if answered is None:
            continue
        score = (_nps_score if survey.kind == Survey.Kind.NPS else _csat_score)(rng, mood)
        band = _band(survey.kind, score)
        why = improve = ""
        if band == "detractor":
            why = rng.choice(WHY_DETRACTOR) if rng.random() < 0.85 else ""
            improve = rng.choice(IMPROVE_DETRACTOR + IMPROVE) if rng.random() < 0.7 else ""
        elif band == "passive":
            why = rng.choice(WHY_PASSIVE) if rng.random() < 0.5 else ""
            improve = rng.choice(IMPROVE) if rng.random() < 0.6 else ""
        else:
            why = rng.choice(WHY_PROMOTER) if rng.random() < 0.5 else ""
            improve = rng.choice(IMPROVE) if rng.random() < 0.45 else ""
        top = score == (10 if survey.kind == Survey.Kind.NPS else 5) or (
            survey.kind == Survey.Kind.NPS and score == 9
        )
        response_id = writer.next_response
        writer.next_response += 1
        writer.responses.append(
            (
                response_id,
                ws,
                survey.pk,
                invitation_id,
                customer.id,
                answered,
                customer.language,
                survey.kind,
                score,
                band,
                top and not improve,
            )
        )
        writer.answers.append((response_id, questions["main"], score, "", ""))
        if why:
            writer.answers.append((response_id, questions["why"], None, why, ""))
        if improve:
            writer.answers.append((response_id, questions["improve"], None, improve, ""))


def surveys_step(ctx: DemoContext) -> None:
    nps, csat = _surveys(ctx)
    surveys = ((nps, _questions(nps)), (csat, _questions(csat)))
    writer = _Writer(ctx)
    total = len(ctx.customers)
    done = 0
    for customer in ctx.customers:
        _customer(ctx, writer, customer, surveys)
        writer.maybe_flush()
        done += 1
        if done % PROGRESS_EVERY == 0:
            ctx.progress("surveys", PROGRESS_EVERY, total)
    writer.finish()
    ctx.progress("surveys", done % PROGRESS_EVERY, total)


__all__ = ["surveys_step"]
