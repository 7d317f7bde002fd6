"""One customer's words with labels counted by hand, for the "Their words" card tests.

Workspace A, customer `cust`, the workspace's last 12 months (`default_period`):

    kind            when                       sentiment  emotion  aspects
    t1 interaction  10 days ago                negative   anger    timeliness, courtesy
    t2 survey       40 days ago                negative   sadness  timeliness
    t3 signal       2 days ago                 negative   anger    courtesy
    t4 interaction  100 days ago               positive   joy      timeliness
    t5 survey       the period's first instant neutral    none     -
    old_edge        one second before it       negative   anger    price        (excluded)
    old             400 days ago               negative   anger    timeliness   (excluded)
    other           another customer of A      negative   anger    timeliness   (excluded)
    b               a customer of workspace B  negative   anger    timeliness   (excluded)

By hand: 5 texts, 3 negative (t1-t3), 2 angry (t1, t3), most spoken of: timeliness in 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from ascolto.customers.models import Customer
from ascolto.dashboards.tests.factories import ResponseFactory, SurveyFactory
from ascolto.feedback.models import Answer, Question
from ascolto.interactions.models import StaffSignal
from ascolto.lib.periods import Period, default_period, workspace_zone
from ascolto.textanalysis.models import TextAnalysis, TextAspect
from ascolto.textanalysis.tests import stored_fixtures as fx


def analysis_of(
    cust: Customer,
    source_kind: str,
    source_id: int,
    when: datetime,
    *,
    sentiment: str,
    emotion: str,
    aspects: tuple[str, ...] = (),
) -> TextAnalysis:
    """An analysis with exactly these labels for an existing text."""
    analysis = TextAnalysis.objects.create(
        workspace=cust.workspace,
        customer=cust,
        source_kind=source_kind,
        source_id=source_id,
        text_hash="x" * 64,
        language="it",
        sentiment=sentiment,
        predicted_sentiment=sentiment,
        sentiment_score=0.0,
        emotion=emotion,
        predicted_emotion=emotion,
        emotion_scores={},
        aspects=[{"name": a, "cues": [a]} for a in aspects],
        explanation=[],
        analyser_version="test",
        occurred_at=when,
    )
    TextAspect.objects.bulk_create([TextAspect(analysis=analysis, name=a) for a in aspects])
    return analysis


def survey_comment(cust: Customer, text: str, when: datetime, **labels) -> TextAnalysis:
    survey = SurveyFactory(workspace=cust.workspace)
    question = Question.objects.create(
        workspace=cust.workspace,
        survey=survey,
        position=1,
        kind=Question.Kind.TEXT,
        role=Question.Role.WHY,
        text_it="Perché?",
    )
    response = ResponseFactory(survey=survey, customer=cust, submitted_at=when)
    answer = Answer.objects.create(response=response, question=question, text=text)
    return analysis_of(cust, "survey_answer", answer.pk, when, **labels)


def staff_signal(cust: Customer, text: str, when: datetime, **labels) -> TextAnalysis:
    signal = StaffSignal.objects.create(
        workspace=cust.workspace, customer=cust, text=text, polarity="negative", created_at=when
    )
    return analysis_of(cust, "staff_signal", signal.pk, when, **labels)


@dataclass
class VoiceWorld:
    cust: Customer
    period: Period
    texts: list[TextAnalysis]  # t1..t5, the ones counted
    negative: list[TextAnalysis]
    angry: list[TextAnalysis]
    timeliness: list[TextAnalysis]


def voice_world(workspace_a, workspace_b) -> VoiceWorld:
    cust = fx.customer(workspace_a)
    period = default_period(workspace_a)
    first, _ = period.bounds(workspace_zone(workspace_a))
    now = timezone.now()
    t1 = fx.labelled(
        cust,
        "Tre giorni di attesa e nessuna scusa!",
        sentiment="negative",
        emotion="anger",
        aspects=("timeliness", "courtesy"),
        when=now - timedelta(days=10),
    )
    t2 = survey_comment(
        cust,
        "Il tecnico è arrivato tardi.",
        now - timedelta(days=40),
        sentiment="negative",
        emotion="sadness",
        aspects=("timeliness",),
    )
    t3 = staff_signal(
        cust,
        "Furioso al telefono con l'operatore",
        now - timedelta(days=2),
        sentiment="negative",
        emotion="anger",
        aspects=("courtesy",),
    )
    t4 = fx.labelled(
        cust,
        "Puntualissimi",
        sentiment="positive",
        emotion="joy",
        aspects=("timeliness",),
        when=now - timedelta(days=100),
    )
    t5 = survey_comment(cust, "Nulla da dire.", first, sentiment="neutral", emotion="none")
    excluded = {"sentiment": "negative", "emotion": "anger"}
    fx.labelled(
        cust, "Troppo caro", aspects=("price",), when=first - timedelta(seconds=1), **excluded
    )
    fx.labelled(
        cust, "In ritardo", aspects=("timeliness",), when=now - timedelta(days=400), **excluded
    )
    fx.labelled(fx.customer(workspace_a), "In ritardo", aspects=("timeliness",), **excluded)
    fx.labelled(fx.customer(workspace_b), "In ritardo", aspects=("timeliness",), **excluded)
    return VoiceWorld(
        cust=cust,
        period=period,
        texts=[t1, t2, t3, t4, t5],
        negative=[t1, t2, t3],
        angry=[t1, t3],
        timeliness=[t1, t2, t4],
    )
