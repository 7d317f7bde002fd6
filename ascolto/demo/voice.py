"""Demo step: a year of public reviews on Google, TripAdvisor and Facebook, through the voice
services (imports are small: a few hundred reviews).

Most reviews are good; some are angry. Some are written by the demo's own customers (their
name as author, or their email on Trustpilot-like exports) and a part of those are confirmed,
so they show on the customer's timeline; the rest wait for someone to confirm. Most reviews got
a reply within a day or two; a few angry ones, among them the most recent, are still waiting,
so the page opens with clocks running. Text analysis labels them in the texts step, after
this one.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ascolto.customers.models import Customer
from ascolto.demo import DemoContext
from ascolto.demo.names import FIRST_NAMES, SURNAMES
from ascolto.voice.models import Platform, Review, Source
from ascolto.voice.normalise import ReviewIn
from ascolto.voice.services import (
    review_match_confirm,
    review_reply_record,
    reviews_ingest,
    source_create,
)

PLATFORMS = [
    (Platform.GOOGLE, "Google Business Profile", 0.5),
    (Platform.TRIPADVISOR, "TripAdvisor", 0.25),
    (Platform.FACEBOOK, "Pagina Facebook", 0.25),
]

GOOD = [
    "Furgone pulito e consegnato in perfetto orario. Personale gentilissimo, torneremo.",
    "Noleggio semplice e veloce, prezzi onesti. Consigliato!",
    "Ottimo servizio: mi hanno spiegato tutto con pazienza e competenza.",
    "Attrezzatura in ottime condizioni, ritiro e riconsegna senza attese.",
    "Gentili e disponibili anche di sabato. Bravi!",
    "Professionali, puntuali e cortesi. Il preventivo era chiaro.",
    "Great service, friendly staff and a clean van. Highly recommended.",
]
MIXED = [
    "Tutto bene, ma al ritiro abbiamo aspettato venti minuti.",
    "Mezzo in buono stato, prezzo un po' alto rispetto ad altri.",
    "Servizio discreto, la fattura però è arrivata con errori.",
]
ANGRY = [
    "Vergognoso! Il furgone è arrivato con due ore di ritardo e nessuno ha avvisato.",
    "Addebito doppio sulla carta e nessuno risponde al telefono da una settimana. Pessimi.",
    "Piattaforma rotta alla consegna, cantiere fermo per un giorno. Mai più.",
    "Personale scortese e maleducato, ci hanno trattato come un fastidio.",
    "Terrible: the van broke down and nobody answered the phone. Never again.",
]


def _rating(rng) -> int:
    draw = rng.random()
    if draw < 0.55:
        return 5
    if draw < 0.8:
        return 4
    if draw < 0.88:
        return 3
    if draw < 0.94:
        return 2
    return 1


def _text(rng, stars: int) -> str:
    if stars >= 4:
        return rng.choice(GOOD)
    if stars == 3:
        return rng.choice(MIXED)
    return rng.choice(ANGRY)


def voice_step(ctx: DemoContext) -> None:
    workspace = ctx.workspace
    manager, agent = ctx.members[1], ctx.members[2]
    end = ctx.end
    start = max(ctx.start, end - timedelta(days=365))
    span = (end - start).total_seconds()
    per_year = max(30, min(450, ctx.options.customers * 2))
    rng = ctx.random_for("voice")
    customers = list(
        Customer.objects.filter(workspace=workspace, kind="external")
        .order_by("pk")
        .values_list("pk", "name", "email")[:2000]
    )
    items_by_source = []
    for platform, name, share in PLATFORMS:
        source = source_create(
            workspace=workspace, by=manager, name=name, kind=Source.Kind.FILE, platform=platform
        )
        items = []
        for index in range(round(per_year * share)):
            stars = _rating(rng)
            published = start + timedelta(seconds=rng.random() * span)
            author, email = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}", ""
            if customers and rng.random() < 0.15:  # one of the business's own customers
                _pk, author, email = rng.choice(customers)
                email = email if rng.random() < 0.5 else ""
            language = "en" if rng.random() < 0.05 else "it"
            items.append(
                ReviewIn(
                    platform=platform,
                    published_at=published,
                    text=_text(rng, stars) if rng.random() < 0.9 else "",
                    author=author,
                    author_email=email,
                    platform_id=f"{platform}-{index}",
                    rating=Decimal(stars),
                    rating_original=str(stars),
                    language=language,
                )
            )
        items_by_source.append((source, items))
    # The angriest news is the latest: two recent 1★ reviews still waiting for a reply.
    for days, text in ((1, ANGRY[0]), (3, ANGRY[1])):
        items_by_source[0][1].append(
            ReviewIn(
                platform=Platform.GOOGLE,
                published_at=end - timedelta(days=days, hours=rng.randint(1, 8)),
                text=text,
                author=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
                platform_id=f"google-recent-{days}",
                rating=Decimal(1),
                rating_original="1",
                language="it",
            )
        )
    created = 0
    for source, items in items_by_source:
        result = reviews_ingest(
            workspace=workspace, items=items, source=source, now=end, email=False
        )
        created += len(result.created)
    ctx.counts["review"] += created

    reviews = Review.objects.filter(workspace=workspace).order_by("published_at", "pk")
    for review in reviews.filter(match_state="suggested"):
        if rng.random() < 0.6:
            review_match_confirm(review=review, by=agent)
    recent = end - timedelta(days=7)
    for review in reviews.filter(published_at__lt=recent):
        answer = rng.random()
        if review.is_negative and answer < 0.15:
            continue  # angry and never answered
        if not review.is_negative and answer < 0.4:
            continue  # good reviews are thanked less often
        replied_at = min(
            end - timedelta(minutes=1),
            review.published_at + timedelta(hours=rng.choice((2, 5, 20, 30, 52, 80))),
        )
        review_reply_record(review=review, by=rng.choice(ctx.members[1:]), replied_at=replied_at)


__all__ = ["voice_step"]
