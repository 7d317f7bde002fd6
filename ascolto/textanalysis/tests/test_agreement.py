"""Sentiment, emotion and explanation never contradict each other, over the whole development
set: "Rispettare gli orari promessi e avvisare quando c'è un problema." was shown as Negative +
Joy while its explanation spoke of anger."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from ascolto.textanalysis import explain
from ascolto.textanalysis.analyser import EMOTIONS_OF_SENTIMENT, analyse
from ascolto.textanalysis.devset import load_devset

VERDICT = re.compile(r"^sentiment (\w+) \([+-]\d\.\d\d\), emotion (\w+)")


def _contradictions(text: str) -> list[str]:
    result = analyse(text)
    found = []
    allowed = EMOTIONS_OF_SENTIMENT.get(result.sentiment_label)
    if allowed is not None and result.emotion_label not in allowed:
        found.append(f"{result.sentiment_label} + {result.emotion_label}")
    verdict = VERDICT.match(result.explanation[-1]) if result.explanation else None
    if verdict and verdict.groups() != (result.sentiment_label, result.emotion_label):
        found.append(f"explanation says {verdict.groups()}")
    return found


def test_the_reported_text_is_not_negative_and_joyful():
    result = analyse("Rispettare gli orari promessi e avvisare quando c'è un problema.")
    assert result.sentiment_label == "negative"
    assert result.emotion_label in EMOTIONS_OF_SENTIMENT["negative"]
    assert any("set aside" in line for line in result.explanation)


def test_no_contradiction_over_the_development_set():
    bad = {}
    for row in load_devset():
        found = _contradictions(row["text"])
        if found:
            bad[row["id"]] = found
    assert not bad, f"{len(bad)} contradictions, e.g. {list(bad.items())[:5]}"


@pytest.mark.parametrize("language", ["it", "en"])
def test_details_are_sentences_in_the_reader_language(language):
    result = analyse("Rispettare gli orari promessi e avvisare quando c'è un problema.")
    with translation.override(language):
        _plain, details = explain.reasons(result.explanation)
        texts = [d.text for d in details]
    assert texts and not any(t in result.explanation for t in texts)
    if language == "it":
        assert any("Risultato" in t for t in texts), texts
