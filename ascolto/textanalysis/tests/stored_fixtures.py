"""Helpers for tests of stored analyses: texts on a customer's timeline and their analyses."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Interaction
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.textanalysis.models import TextAnalysis, TextAspect


def customer(workspace, **kwargs):
    return CustomerFactory(workspace=workspace, **kwargs)


def interaction(cust, text: str, when: datetime | None = None) -> Interaction:
    return InteractionFactory(customer=cust, text=text, occurred_at=when or timezone.now())


def labelled(
    cust,
    text: str,
    *,
    sentiment: str = "neutral",
    emotion: str = "none",
    aspects: tuple[str, ...] = (),
    when: datetime | None = None,
) -> TextAnalysis:
    """An interaction and an analysis with exactly these labels (independent of the analyser,
    for tests of lists and filters)."""
    source = interaction(cust, text, when)
    analysis = TextAnalysis.objects.create(
        workspace=cust.workspace,
        customer=cust,
        source_kind="interaction",
        source_id=source.pk,
        text_hash="x" * 64,
        language="it",
        sentiment=sentiment,
        predicted_sentiment=sentiment,
        sentiment_score=0.0,
        emotion=emotion,
        predicted_emotion=emotion,
        emotion_scores={},
        aspects=[{"name": a, "cues": [a]} for a in aspects],
        explanation=[f"cue for {a}" for a in aspects],
        analyser_version="test",
        occurred_at=source.occurred_at,
    )
    TextAspect.objects.bulk_create([TextAspect(analysis=analysis, name=a) for a in aspects])
    return analysis
