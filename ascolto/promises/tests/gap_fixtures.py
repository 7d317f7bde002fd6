"""A small business with known promises, checks, ratings and needs, for the gap tests.

Workspace A (Europe/Rome), period January–March 2026:

- P1 "on site within 24 h" (duration, 1440 min shown in hours), rated on a 1–5 question:
  c1: Jan kept 600, Jan kept 1440, Feb broken 2000; c2: Feb broken 3000, Mar kept 1000,
  Mar not measurable; plus an April check (outside the period). Ratings: c1 2; c2 3, 4.
  Needs: c1 within 4 h, c2 within 48 h, c3 within 24 h at another touchpoint (not counted).
- P2 "on time ± 30 min" (punctuality), rated on a 0–10 question:
  c1 kept −10; c2 broken 50, broken −70. Ratings: c1 9; c2 10.
- P3 "clean van" (flag), no question: c1 one not-measurable check.

c1 is in segment "Edilizia", c2 and c3 in "Eventi".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from ascolto.customers.models import Customer, Segment
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.dashboards.tests.factories import ResponseFactory, SurveyFactory
from ascolto.feedback.models import Answer, Question
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.lib.periods import Period
from ascolto.promises.models import Expectation, Promise, PromiseCheck

PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))


@dataclass
class GapWorld:
    p1: Promise
    p2: Promise
    p3: Promise
    c1: Customer
    c2: Customer
    c3: Customer
    edilizia: Segment
    eventi: Segment
    q5: Question
    q10: Question


def at(month: int, day: int = 10) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


def check(promise: Promise, customer: Customer, when: datetime, outcome: str, measured=None):
    interaction = InteractionFactory(
        customer=customer, touchpoint=promise.touchpoint, occurred_at=when
    )
    return PromiseCheck.objects.create(
        workspace=promise.workspace,
        promise=promise,
        interaction=interaction,
        customer=customer,
        occurred_at=when,
        outcome=outcome,
        measured=measured,
    )


def rate(question: Question, customer: Customer, number: int, when: datetime) -> None:
    response = ResponseFactory(survey=question.survey, customer=customer, submitted_at=when)
    Answer.objects.create(response=response, question=question, number=number)


def question(workspace, survey, position: int, low: int, high: int, dimension: str) -> Question:
    return Question.objects.create(
        workspace=workspace,
        survey=survey,
        position=position,
        kind=Question.Kind.SCALE,
        role=Question.Role.DIMENSION,
        dimension=dimension,
        text_it=f"Voto {position}",
        min_value=low,
        max_value=high,
    )


def promise(workspace, name: str, **fields) -> Promise:
    fields.setdefault("touchpoint", Touchpoint.objects.get(workspace=workspace, code="intervento"))
    return Promise.objects.create(workspace=workspace, name_it=name, wording_it=name, **fields)


def build(workspace, member) -> GapWorld:
    edilizia = SegmentFactory(workspace=workspace, name="Edilizia")
    eventi = SegmentFactory(workspace=workspace, name="Eventi")
    c1 = CustomerFactory(workspace=workspace, name="Anna Bianchi", segment=edilizia)
    c2 = CustomerFactory(workspace=workspace, name="Bruno Verdi", segment=eventi)
    c3 = CustomerFactory(workspace=workspace, name="Carla Neri", segment=eventi)
    survey = SurveyFactory(workspace=workspace)
    q5 = question(workspace, survey, 5, 1, 5, "timeliness")
    q10 = question(workspace, survey, 6, 0, 10, "punctuality")
    p1 = promise(
        workspace,
        "Intervento entro 24 ore",
        dimension="timeliness",
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=1440,
        unit="hours",
        question=q5,
    )
    p2 = promise(
        workspace,
        "Puntuali entro mezz'ora",
        dimension="punctuality",
        target_type="punctuality",
        limit=30,
        unit="minutes",
        question=q10,
    )
    p3 = promise(workspace, "Furgone pulito", dimension="tangibles", target_type="flag")

    check(p1, c1, at(1), "kept", 600)
    check(p1, c1, at(1, 20), "kept", 1440)
    check(p1, c1, at(2), "broken", 2000)
    check(p1, c2, at(2, 20), "broken", 3000)
    check(p1, c2, at(3), "kept", 1000)
    check(p1, c2, at(3, 20), "not_measurable")
    check(p1, c2, at(4), "broken", 5000)  # after the period
    check(p2, c1, at(1), "kept", -10)
    check(p2, c2, at(2), "broken", 50)
    check(p2, c2, at(3), "broken", -70)
    check(p3, c1, at(2), "not_measurable")

    rate(q5, c1, 2, at(2))
    rate(q5, c2, 3, at(2))
    rate(q5, c2, 4, at(3))
    rate(q5, c2, 1, at(4))  # after the period
    rate(q10, c1, 9, at(2))
    rate(q10, c2, 10, at(3))

    intervento = p1.touchpoint
    telefonata = Touchpoint.objects.get(workspace=workspace, code="telefonata")
    for customer, minutes, touchpoint in (
        (c1, 240, intervento),
        (c2, 2880, None),
        (c3, 1440, telefonata),
    ):
        Expectation.objects.create(
            workspace=workspace,
            customer=customer,
            dimension="timeliness",
            touchpoint=touchpoint,
            text="Subito",
            target_type="duration",
            limit=minutes,
            unit="hours",
        )
    return GapWorld(p1, p2, p3, c1, c2, c3, edilizia, eventi, q5, q10)
