"""Building blocks for the health tests: events at chosen times, written straight to the
tables the score reads (the services that usually write them have their own tests)."""

from __future__ import annotations

import itertools
from datetime import datetime

from ascolto.feedback.models import Response, Survey
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import StaffSignal, Touchpoint
from ascolto.interactions.tests.factories import InteractionFactory, StaffSignalFactory
from ascolto.promises.models import Crisis, Promise, PromiseCheck
from ascolto.textanalysis.models import TextAnalysis

_ids = itertools.count(1)


def nps(customer, score: int, when: datetime, *, all_good: bool = False) -> Response:
    survey = Survey.objects.filter(workspace=customer.workspace, kind=Survey.Kind.NPS).first()
    if survey is None:
        survey = SurveyFactory(workspace=customer.workspace)
    band = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
    return Response.objects.create(
        workspace=customer.workspace,
        survey=survey,
        customer=customer,
        submitted_at=when,
        kind=Survey.Kind.NPS,
        score=score,
        band=band,
        all_good=all_good,
    )


def interaction(customer, when: datetime, code: str = "telefonata", text: str = "Telefonata"):
    touchpoint = Touchpoint.objects.get(workspace=customer.workspace, code=code)
    return InteractionFactory(customer=customer, touchpoint=touchpoint, occurred_at=when, text=text)


def signal(customer, when: datetime, polarity: str = "negative", text: str = "Infastidito"):
    return StaffSignalFactory(customer=customer, created_at=when, polarity=polarity, text=text)


def promise(workspace) -> Promise:
    return Promise.objects.create(
        workspace=workspace,
        name_it="Intervento entro 24 ore",
        wording_it="Intervento entro 24 ore",
        touchpoint=Touchpoint.objects.get(workspace=workspace, code="intervento"),
        dimension="timeliness",
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=1440,
        unit="hours",
    )


def check(promise_: Promise, customer, when: datetime, outcome: str = "broken") -> PromiseCheck:
    inter = interaction(customer, when, code="intervento")
    return PromiseCheck.objects.create(
        workspace=customer.workspace,
        promise=promise_,
        interaction=inter,
        customer=customer,
        occurred_at=when,
        outcome=outcome,
    )


def crisis(check_: PromiseCheck, opened: datetime, closed: datetime | None = None) -> Crisis:
    return Crisis.objects.create(
        workspace=check_.workspace,
        customer=check_.customer,
        promise=check_.promise,
        promise_check=check_,
        opened_at=opened,
        closed_at=closed,
    )


def text(customer, when: datetime, sentiment: str = "negative", emotion: str = "none"):
    return TextAnalysis.objects.create(
        workspace=customer.workspace,
        customer=customer,
        source_kind="interaction",
        source_id=next(_ids),
        text_hash="x" * 64,
        language="it",
        sentiment=sentiment,
        predicted_sentiment=sentiment,
        sentiment_score=0.0,
        emotion=emotion,
        predicted_emotion=emotion,
        emotion_scores={},
        aspects=[],
        explanation=[],
        analyser_version="test",
        occurred_at=when,
    )


__all__ = ["StaffSignal", "check", "crisis", "interaction", "nps", "promise", "signal", "text"]
