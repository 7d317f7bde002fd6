"""The badge's "why?" in plain words: every explanation line the analyser writes is recognised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from ascolto.textanalysis import explain
from ascolto.textanalysis.analyser import analyse
from ascolto.textanalysis.templatetags.textanalysis_tags import badge_context

DEVSET = Path(__file__).resolve().parent.parent / "data" / "devset.jsonl"


def _devset_lines() -> dict[str, str]:
    """Every distinct explanation line the analyser writes for the development set (and for
    empty and non-Latin text), with the id of one text that produced it."""
    lines: dict[str, str] = {}
    rows = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines() if line]
    rows += [{"id": "empty", "text": "  "}, {"id": "han", "text": "你好，谢谢"}]
    for row in rows:
        for line in analyse(row["text"], row.get("lang")).explanation:
            lines.setdefault(line, row["id"])
    return lines


def test_every_line_the_analyser_writes_on_the_devset_is_recognised():
    """GIVEN the analyser run over the whole development set WHEN each explanation line is
    rendered THEN every one is a known format (a new format fails here until it has its
    sentence in explain.py), and each recognised kind turns up."""
    lines = _devset_lines()
    assert len(lines) > 1000
    unknown = {line: id for line, id in lines.items() if not explain.reason(line).known}
    assert unknown == {}, f"explanation lines without a sentence: {list(unknown.items())[:10]}"
    kinds = {explain.reason(line).kind for line in lines}
    assert {
        "cue",
        "negated",
        "read-as-irony",
        "missing-event",
        "service-missing",
        "waiting-time",
        "polite-but-negative",
        "emoji",
        "emotion",
        "aspect",
        "contrast",
        "language",
        "blend",
        "verdict",
        "empty",
        "foreign",
    } <= kinds


@pytest.mark.parametrize(
    ("line", "kind", "text", "notes"),
    [
        (
            "negative cue 'Complimenti' -1.8 (read as irony)",
            "read-as-irony",
            "“Complimenti” read as irony: negative",
            (),
        ),
        ("positive cue 'ottimo' +2.4", "cue", "“ottimo”: positive", ()),
        ("negative cue 'lento' -1.2", "cue", "“lento”: negative", ()),
        (
            "positive cue 'gentilissimi' +3.6 (superlative, caps, 'molto' x1.5)",
            "cue",
            "“gentilissimi”: positive",
            ("superlative", "in capitals", "stronger because of “molto”"),
        ),
        (
            "negative cue 'lento' -0.6 ('un po'' x0.5)",
            "cue",
            "“lento”: negative",
            ("weaker because of “un po'”",),
        ),
        (
            "negative cue 'soddisfatto' -1.8 (negated by 'per niente')",
            "negated",
            "“soddisfatto” negated by “per niente”: negative",
            (),
        ),
        (
            "positive cue 'male' +1.0 (negated by 'non')",
            "negated",
            "“male” negated by “non”: positive",
            (),
        ),
        (
            "negative cue 'disdetta' +0.0 (negated by 'non')",
            "negated",
            "“disdetta” negated by “non”: does not count",
            (),
        ),
        (
            "negative cue 'non … arrivato' -1.6 (missing event)",
            "missing-event",
            "“non … arrivato”: something expected did not happen (negative)",
            (),
        ),
        (
            "negative cue 'senza internet' -2.2 (service missing)",
            "service-missing",
            "“senza internet”: a service is missing (negative)",
            (),
        ),
        (
            "negative cue 'terzo giorno' -1.2 (waiting time)",
            "waiting-time",
            "“terzo giorno”: a long wait (negative)",
            (),
        ),
        (
            "negative cue 'però …' -2.5 (polite but negative)",
            "polite-but-negative",
            "“però …”: polite but negative",
            (),
        ),
        ("negative cue '🙄' -1.5 (emoji)", "emoji", "Emoji 🙄: negative", ()),
        ("positive cue '😍' +2.0 (emoji)", "emoji", "Emoji 😍: positive", ()),
        (
            "emotion evidence: fear 0.5, anger 2.3",
            "emotion",
            "Signs of emotion: anger, worry",
            (),
        ),
        (
            "aspect timeliness: terzo giorno, non … arrivato",
            "aspect",
            "Timeliness, from the words “terzo giorno”, “non … arrivato”",
            (),
        ),
        (
            "aspects from the model: price, quality",
            "model-aspects",
            "Topics recognised from similar comments: price, quality",
            (),
        ),
        (
            "contrast at 'ma'",
            "contrast",
            "What follows “ma” counts more than what comes before",
            (),
        ),
        ("request: mild cues x0.5", "request", "A request: polite words count less", ()),
        ("exclamation marks x1.16", "exclamation", "Exclamation marks make the tone stronger", ()),
        ("ALL CAPS words: 1", "caps", "1 word in capitals makes the tone stronger", ()),
        ("ALL CAPS words: 3", "caps", "3 words in capitals make the tone stronger", ()),
        ("… 4 more cues", "more", "… and 4 more clues", ()),
        ("no words to analyse", "empty", "There are no words to analyse.", ()),
        (
            "no Italian or English words found",
            "foreign",
            "No Italian or English words were found.",
            (),
        ),
        (
            "workspace model: sentiment neutral -> negative",
            "learnt",
            "Learnt from your corrections: neutral became negative",
            (),
        ),
        (
            "workspace model: emotion none -> anger",
            "learnt",
            "Learnt from your corrections: no emotion became anger",
            (),
        ),
        (
            "workspace model: aspect price added",
            "learnt",
            "Learnt from your corrections: about price",
            (),
        ),
        (
            "workspace model: aspect courtesy removed",
            "learnt",
            "Learnt from your corrections: not about courtesy",
            (),
        ),
    ],
)
def test_each_format_has_its_sentence(line, kind, text, notes):
    with translation.override("en"):
        r = explain.reason(line)
    assert (r.kind, r.text, r.notes, r.technical, r.line) == (kind, text, notes, False, line)


@pytest.mark.parametrize(
    "line",
    [
        "language: it (detected)",
        "blend: rules -0.97, model p(neg) 0.91 p(neu) 0.05 p(pos) 0.04, valence 2.10",
        "sentiment negative (-0.93), emotion anger (rules: negative (-0.91), emotion anger)",
        "sentiment neutral (+0.00), emotion none",
    ],
)
def test_technical_lines_go_to_the_details(line):
    """They are said in words too (the "details" of "why?" showed English debug text)."""
    r = explain.reason(line)
    assert r.known and r.technical and r.line == line
    assert r.text != line and r.text.endswith(".")


@pytest.mark.parametrize(
    "line",
    [
        "cue for timeliness",
        "negative cue 'x' -1.0 (a note nobody wrote yet)",
        "aspect parking: posto auto",
        "workspace model: emotion none -> rage",
        "",
    ],
)
def test_unknown_lines_are_shown_as_they_are(line):
    r = explain.reason(line)
    assert (r.known, r.technical, r.text) == (False, False, line)


def test_badge_shows_sentences_and_hides_the_numbers_in_details(rf):
    """GIVEN the analysis of an ironic complaint WHEN its badge is rendered in English THEN
    "why?" lists plain sentences, the blend's numbers are only inside "details", and nothing
    of the raw cue line is shown outside it."""
    from types import SimpleNamespace

    result = analyse("Complimenti, terzo giorno senza internet.")
    analysis = SimpleNamespace(
        pk=1,
        sentiment="negative",
        emotion="anger",
        learned=False,
        explanation=result.explanation,
        aspect_rows=SimpleNamespace(all=list),
        get_sentiment_display="Negative",
        get_emotion_display="Anger",
    )
    with translation.override("en"):
        html = render_to_string(
            "textanalysis/_badge.html", badge_context({"request": rf.get("/")}, analysis)
        )
    plain = html[: html.index('class="ta-why-details')]
    assert "“Complimenti” read as irony: negative" in plain
    assert "“senza internet”: a service is missing (negative)" in plain
    assert "blend:" not in plain and "negative cue" not in plain
    details = html[html.index('class="ta-why-details') :]
    assert "<summary>details</summary>" in details
    assert "blend: rules" not in details and "The rules scored the tone" in details
