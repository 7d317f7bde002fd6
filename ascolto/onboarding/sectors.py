"""What a new workspace starts with, per sector: data, installed by `workspace_setup`.

Each sector adds its own touchpoints to the general ones every workspace gets, a starter
catalogue of promises written in plain Italian and English for the owner to edit, and the
first relationship survey's cadence. Durations are in the unit given (`unit`); the promise
services store them in minutes. Touchpoint codes name either a general touchpoint
(`interactions.services.DEFAULT_TOUCHPOINTS`) or one of the sector's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    RENTAL = "rental", _("Equipment rental")
    TELECOM = "telecom", _("Telecom reseller")
    STUDIO = "studio", _("Professional studio")
    HOSPITALITY = "hospitality", _("Hotel or restaurant")
    RETAIL = "retail", _("Shop")
    OTHER = "other", _("Other")


@dataclass(frozen=True)
class SectorDefaults:
    # (code, Italian name, English name, negative event)
    touchpoints: list[tuple[str, str, str, bool]] = field(default_factory=list)
    # fields for `promise_create`; "touchpoint" is a code
    promises: list[dict[str, Any]] = field(default_factory=list)
    # the relationship survey's cadence: ask every N days, never twice within M days
    every_days: int = 90
    fatigue_days: int = 30


def _duration(
    name: tuple[str, str],
    wording: tuple[str, str],
    touchpoint: str,
    start: str,
    end: str,
    hours: int,
    *,
    dimension: str = "timeliness",
    business_hours: bool = False,
) -> dict[str, Any]:
    return {
        "name_it": name[0],
        "name_en": name[1],
        "wording_it": wording[0],
        "wording_en": wording[1],
        "kind": "explicit",
        "dimension": dimension,
        "touchpoint": touchpoint,
        "target_type": "duration",
        "start_moment": start,
        "end_moment": end,
        "business_hours": business_hours,
        "limit": Decimal(hours),
        "unit": "hours",
    }


def _punctual(
    name: tuple[str, str], wording: tuple[str, str], touchpoint: str, minutes: int
) -> dict[str, Any]:
    return {
        "name_it": name[0],
        "name_en": name[1],
        "wording_it": wording[0],
        "wording_en": wording[1],
        "kind": "explicit",
        "dimension": "punctuality",
        "touchpoint": touchpoint,
        "target_type": "punctuality",
        "start_moment": "scheduled_for",
        "end_moment": "started_at",
        "limit": Decimal(minutes),
        "unit": "minutes",
    }


def _flag(
    name: tuple[str, str], wording: tuple[str, str], touchpoint: str, dimension: str
) -> dict[str, Any]:
    return {
        "name_it": name[0],
        "name_en": name[1],
        "wording_it": wording[0],
        "wording_en": wording[1],
        "kind": "implicit",
        "dimension": dimension,
        "touchpoint": touchpoint,
        "target_type": "flag",
    }


_QUOTE = _duration(
    ("Preventivo entro 2 giorni lavorativi", "Quote within 2 working days"),
    (
        "Il preventivo le arriva entro due giorni lavorativi dalla richiesta.",
        "Your quote arrives within two working days of your request.",
    ),
    "preventivo",
    "requested_at",
    "occurred_at",
    18,
    dimension="communication",
    business_hours=True,
)
_COMPLAINT_ANSWER = _duration(
    ("Risposta a un reclamo entro 1 giorno lavorativo", "Complaint answered within 1 working day"),
    (
        "Se qualcosa non va, le rispondiamo entro un giorno lavorativo.",
        "If something goes wrong, we answer you within one working day.",
    ),
    "reclamo",
    "requested_at",
    "started_at",
    9,
    dimension="communication",
    business_hours=True,
)

SECTORS: dict[str, SectorDefaults] = {
    Sector.RENTAL: SectorDefaults(
        promises=[
            _duration(
                ("Intervento entro 24 ore", "Technician on site within 24 hours"),
                (
                    "Un tecnico da lei entro 24 ore dalla chiamata.",
                    "A technician with you within 24 hours of your call.",
                ),
                "intervento",
                "requested_at",
                "started_at",
                24,
            ),
            _punctual(
                ("Consegna all'ora concordata (±30 min)", "Delivery at the agreed time (±30 min)"),
                (
                    "Consegniamo all'ora concordata, con al massimo mezz'ora di scarto.",
                    "We deliver at the agreed time, give or take half an hour.",
                ),
                "consegna",
                30,
            ),
            _flag(
                ("Mezzi puliti e controllati", "Clean, checked machines"),
                (
                    "Mezzi e attrezzature arrivano puliti, controllati e con il pieno.",
                    "Machines and tools arrive clean, checked and refuelled.",
                ),
                "consegna",
                "tangibles",
            ),
            _QUOTE,
        ],
        every_days=90,
    ),
    Sector.TELECOM: SectorDefaults(
        touchpoints=[
            ("attivazione", "Attivazione linea", "Line activation", False),
            ("guasto", "Guasto", "Fault", True),
        ],
        promises=[
            _duration(
                ("Linea attiva entro 10 giorni lavorativi", "Line active within 10 working days"),
                (
                    "La sua linea è attiva entro dieci giorni lavorativi dal contratto.",
                    "Your line is active within ten working days of signing.",
                ),
                "attivazione",
                "requested_at",
                "completed_at",
                90,
                business_hours=True,
            ),
            _duration(
                ("Guasto risolto entro 24 ore", "Fault fixed within 24 hours"),
                (
                    "Se la linea si guasta, la ripariamo entro 24 ore dalla segnalazione.",
                    "If your line fails, we fix it within 24 hours of your report.",
                ),
                "guasto",
                "requested_at",
                "completed_at",
                24,
            ),
            _COMPLAINT_ANSWER,
        ],
        every_days=120,
    ),
    Sector.STUDIO: SectorDefaults(
        touchpoints=[
            ("appuntamento", "Appuntamento", "Appointment", False),
            ("pratica", "Pratica consegnata", "Work delivered", False),
        ],
        promises=[
            _duration(
                ("Risposta entro 1 giorno lavorativo", "Answer within 1 working day"),
                (
                    "Rispondiamo a ogni sua richiesta entro un giorno lavorativo.",
                    "We answer every request of yours within one working day.",
                ),
                "richiesta",
                "requested_at",
                "started_at",
                9,
                dimension="communication",
                business_hours=True,
            ),
            _punctual(
                ("Appuntamenti puntuali (±15 min)", "Appointments on time (±15 min)"),
                (
                    "La riceviamo all'ora fissata, con al massimo un quarto d'ora di attesa.",
                    "We see you at the agreed time, with at most a quarter of an hour's wait.",
                ),
                "appuntamento",
                15,
            ),
            _QUOTE,
        ],
        every_days=180,
        fatigue_days=45,
    ),
    Sector.HOSPITALITY: SectorDefaults(
        touchpoints=[
            ("prenotazione", "Prenotazione", "Booking", False),
            ("soggiorno", "Soggiorno o pasto", "Stay or meal", False),
        ],
        promises=[
            _duration(
                ("Conferma della prenotazione entro 2 ore", "Booking confirmed within 2 hours"),
                (
                    "Confermiamo la sua prenotazione entro due ore.",
                    "We confirm your booking within two hours.",
                ),
                "prenotazione",
                "requested_at",
                "occurred_at",
                2,
                dimension="communication",
            ),
            _flag(
                ("Camere e sala pulite e in ordine", "Clean, tidy rooms and dining room"),
                (
                    "Trova camere e sala pulite, in ordine e funzionanti.",
                    "You find rooms and dining room clean, tidy and working.",
                ),
                "soggiorno",
                "tangibles",
            ),
            _COMPLAINT_ANSWER,
        ],
        every_days=365,
        fatigue_days=60,
    ),
    Sector.RETAIL: SectorDefaults(
        touchpoints=[
            ("acquisto", "Acquisto", "Purchase", False),
            ("reso", "Reso o cambio", "Return or exchange", False),
        ],
        promises=[
            _duration(
                (
                    "Reso rimborsato entro 5 giorni lavorativi",
                    "Return refunded within 5 working days",
                ),
                (
                    "Se restituisce un articolo, la rimborsiamo entro cinque giorni lavorativi.",
                    "If you return an item, we refund you within five working days.",
                ),
                "reso",
                "requested_at",
                "completed_at",
                45,
                business_hours=True,
            ),
            _punctual(
                ("Consegna nel giorno concordato", "Delivery on the agreed day"),
                (
                    "Consegniamo nel giorno concordato, entro la fascia oraria indicata.",
                    "We deliver on the agreed day, within the time slot given.",
                ),
                "consegna",
                120,
            ),
            _flag(
                ("Prodotti come descritti", "Products as described"),
                (
                    "Ciò che riceve corrisponde a quanto descritto in negozio o sul sito.",
                    "What you receive matches what was described in the shop or online.",
                ),
                "acquisto",
                "quality",
            ),
        ],
        every_days=180,
        fatigue_days=45,
    ),
    Sector.OTHER: SectorDefaults(
        promises=[
            _duration(
                ("Risposta entro 1 giorno lavorativo", "Answer within 1 working day"),
                (
                    "Rispondiamo a ogni sua richiesta entro un giorno lavorativo.",
                    "We answer every request of yours within one working day.",
                ),
                "richiesta",
                "requested_at",
                "started_at",
                9,
                dimension="communication",
                business_hours=True,
            ),
            _COMPLAINT_ANSWER,
        ],
    ),
}
