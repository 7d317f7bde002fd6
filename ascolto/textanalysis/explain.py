"""The "why?" of a badge in plain words: each stored explanation line as a short sentence.

The analyser (`analyser.py`) and the workspace model (`services._labels`) explain a result
with English technical lines such as ``negative cue 'Complimenti' -1.8 (read as irony)`` or
``blend: rules -0.97, model p(neg) 0.91 ...``. Staff who are not technical need
«“Complimenti” letto come ironia: negativo». `reason(line)` recognises every line format the
analyser and the services write and returns a translated sentence; the purely technical
lines (language detection, the blend's numbers, the verdict with its score) are marked
`technical` and shown behind "Details"; a line in an unknown format (an older analyser, a
new format) is shown as it is.

`tests/test_explain.py` runs the analyser over the development set and fails on any line
this module does not recognise: a new line format must be given its sentence here.

How to add a line format: add a pattern and a function to `_FORMATS` below (whole sentences
with named placeholders, one msgid per sentence), and a case to `tests/test_explain.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from ascolto.textanalysis.models import AspectName, Emotion, Sentiment


@dataclass(frozen=True)
class Reason:
    """One explanation line for people: `text` is the sentence, `notes` short qualifiers
    ("in capitals"), `kind` the recognised format ("" when unknown), `line` the original."""

    text: str
    kind: str = ""
    technical: bool = False
    notes: tuple[str, ...] = field(default=())
    line: str = ""

    @property
    def known(self) -> bool:
        return bool(self.kind)


def _q(text: str) -> str:
    return f"“{text}”"


def _aspect(name: str) -> str:
    return str(AspectName(name).label)


def _word(label) -> str:
    """A choice's label inside a sentence ("Anger" -> "anger")."""
    return str(label).lower()


# --- Cues ----------------------------------------------------------------------------------------

_CUE = re.compile(
    r"^(?P<kind>positive|negative) cue '(?P<cue>.*)' (?P<value>[+-]\d+\.\d)(?: \((?P<notes>.*)\))?$"
)
_MODIFIER = re.compile(r"^'(?P<word>.+)' x(?P<mult>\d+(?:\.\d+)?)$")
_NEGATED = re.compile(r"^negated by '(?P<word>.+)'$")
# Notes that name what kind of cue it is; one of them at most on a cue.
_CUE_KINDS = (
    "read as irony",
    "missing event",
    "service missing",
    "waiting time",
    "polite but negative",
    "emoji",
)


def _cue_sentence(kind: str, cue: str, positive: bool, negator: str | None, zero: bool) -> str:
    q = _q(cue)
    if kind == "read as irony":
        return _("%(cue)s read as irony: negative") % {"cue": q}
    if kind == "missing event":
        return _("%(cue)s: something expected did not happen (negative)") % {"cue": q}
    if kind == "service missing":
        return _("%(cue)s: a service is missing (negative)") % {"cue": q}
    if kind == "waiting time":
        return _("%(cue)s: a long wait (negative)") % {"cue": q}
    if kind == "polite but negative":
        return _("%(cue)s: polite but negative") % {"cue": q}
    if kind == "emoji":
        if positive:
            return _("Emoji %(emoji)s: positive") % {"emoji": cue}
        return _("Emoji %(emoji)s: negative") % {"emoji": cue}
    if negator is not None:
        values = {"cue": q, "negator": _q(negator)}
        if zero:
            return _("%(cue)s negated by %(negator)s: does not count") % values
        if positive:
            return _("%(cue)s negated by %(negator)s: positive") % values
        return _("%(cue)s negated by %(negator)s: negative") % values
    if positive:
        return _("%(cue)s: positive") % {"cue": q}
    return _("%(cue)s: negative") % {"cue": q}


def _cue(m: re.Match) -> Reason | None:
    value = float(m["value"])
    notes: list[str] = []
    kind, negator = "cue", None
    for note in (m["notes"] or "").split(", ") if m["notes"] else []:
        if note in _CUE_KINDS:
            kind = note
        elif note == "superlative":
            notes.append(_("superlative"))
        elif note == "caps":
            notes.append(_("in capitals"))
        elif modifier := _MODIFIER.match(note):
            word = _q(modifier["word"])
            if float(modifier["mult"]) >= 1:
                notes.append(_("stronger because of %(word)s") % {"word": word})
            else:
                notes.append(_("weaker because of %(word)s") % {"word": word})
        elif negated := _NEGATED.match(note):
            negator = negated["word"]
        else:
            return None  # a note this module does not know: the line stays as it is
    text = _cue_sentence(kind, m["cue"], value > 0, negator, value == 0)
    code = "negated" if negator is not None and kind == "cue" else kind.replace(" ", "-")
    return Reason(text, kind=code, notes=tuple(notes))


# --- Other lines ---------------------------------------------------------------------------------


def _emotions(m: re.Match) -> Reason | None:
    items = []
    for part in m["items"].split(", "):
        name, _sep, weight = part.partition(" ")
        if name not in Emotion.values or not re.fullmatch(r"\d+\.\d", weight):
            return None
        items.append((float(weight), name))
    labels = [_word(Emotion(name).label) for _w, name in sorted(items, key=lambda i: -i[0])]
    return Reason(
        _("Signs of emotion: %(emotions)s") % {"emotions": ", ".join(labels)}, kind="emotion"
    )


def _aspect_cues(m: re.Match) -> Reason | None:
    if m["name"] not in AspectName.values:
        return None
    cues = ", ".join(_q(c) for c in m["cues"].split(", ") if c)
    return Reason(
        _("%(aspect)s, from the words %(cues)s") % {"aspect": _aspect(m["name"]), "cues": cues},
        kind="aspect",
    )


def _model_aspects(m: re.Match) -> Reason | None:
    names = m["names"].split(", ")
    if not all(n in AspectName.values for n in names):
        return None
    return Reason(
        _("Topics recognised from similar comments: %(aspects)s")
        % {"aspects": ", ".join(_word(_aspect(n)) for n in names)},
        kind="model-aspects",
    )


def _learnt_label(m: re.Match) -> Reason | None:
    choices = Sentiment if m["what"] == "sentiment" else Emotion
    if m["before"] not in choices.values or m["after"] not in choices.values:
        return None
    return Reason(
        _("Learnt from your corrections: %(before)s became %(after)s")
        % {"before": _word(choices(m["before"]).label), "after": _word(choices(m["after"]).label)},
        kind="learnt",
    )


def _learnt_aspect(m: re.Match) -> Reason | None:
    if m["name"] not in AspectName.values:
        return None
    if m["change"] == "added":
        text = _("Learnt from your corrections: about %(aspect)s")
    else:
        text = _("Learnt from your corrections: not about %(aspect)s")
    return Reason(text % {"aspect": _word(_aspect(m["name"]))}, kind="learnt")


def _technical(kind: str, sentence: Callable[[re.Match], str]) -> Callable[[re.Match], Reason]:
    """A technical line (shown behind "details"), said in words in the reader's language."""
    return lambda m: Reason(sentence(m), kind=kind, technical=True)


def _sentiment_word(name: str) -> str:
    return _word(Sentiment(name).label) if name in Sentiment.values else name


def _emotion_word(name: str) -> str:
    if name == "none":
        return pgettext("emotion", "none")
    return _word(Emotion(name).label) if name in Emotion.values else name


def _percent(value: str) -> str:
    return f"{round(float(value) * 100)}%"


def _score(value: str) -> str:
    """A tone score as the reader writes numbers ("-0,52" in Italian)."""
    return number_format(float(value), 2)


def _language_line(m: re.Match) -> str:
    names = {
        "it": pgettext("language name", "Italian"),
        "en": pgettext("language name", "English"),
        "und": _("not recognised"),
    }
    if m["how"] == "given":
        return _("Language: %(language)s (as recorded).") % {"language": names[m["lang"]]}
    return _("Language: %(language)s (recognised from the words).") % {"language": names[m["lang"]]}


def _blend_line(m: re.Match) -> str:
    rules = {"score": _score(m["rules"])}
    if m["neg"] is None:
        return _("The rules scored the tone %(score)s (from −1 to +1).") % rules
    return _(
        "The rules scored the tone %(score)s (from −1 to +1); the trained model read it as "
        "negative %(negative)s, neutral %(neutral)s, positive %(positive)s."
    ) % {
        **rules,
        "negative": _percent(m["neg"]),
        "neutral": _percent(m["neu"]),
        "positive": _percent(m["pos"]),
    }


def _verdict_line(m: re.Match) -> str:
    text = _("Result: %(sentiment)s tone (%(score)s), emotion: %(emotion)s.") % {
        "sentiment": _sentiment_word(m["sentiment"]),
        "score": _score(m["score"]),
        "emotion": _emotion_word(m["emotion"]),
    }
    if m["rules_sentiment"]:
        text += " " + _("The rules alone said: %(sentiment)s tone, emotion: %(emotion)s.") % {
            "sentiment": _sentiment_word(m["rules_sentiment"]),
            "emotion": _emotion_word(m["rules_emotion"]),
        }
    return text


def _fixed(kind: str, sentence: Callable[[re.Match], str]) -> Callable[[re.Match], Reason]:
    return lambda m: Reason(sentence(m), kind=kind)


_FORMATS: list[tuple[re.Pattern, Callable[[re.Match], Reason | None]]] = [
    (_CUE, _cue),
    (re.compile(r"^emotion evidence: (?P<items>.+)$"), _emotions),
    (re.compile(r"^aspect (?P<name>\w+): (?P<cues>.*)$"), _aspect_cues),
    (re.compile(r"^aspects from the model: (?P<names>.+)$"), _model_aspects),
    (
        re.compile(r"^contrast at '(?P<word>.+)'$"),
        _fixed(
            "contrast",
            lambda m: (
                _("What follows %(word)s counts more than what comes before")
                % {"word": _q(m["word"])}
            ),
        ),
    ),
    (
        re.compile(r"^request: mild cues x\d+(?:\.\d+)?$"),
        _fixed("request", lambda m: _("A request: polite words count less")),
    ),
    (
        re.compile(r"^exclamation marks x\d+(?:\.\d+)?$"),
        _fixed("exclamation", lambda m: _("Exclamation marks make the tone stronger")),
    ),
    (
        re.compile(r"^ALL CAPS words: (?P<count>\d+)$"),
        _fixed(
            "caps",
            lambda m: (
                ngettext(
                    "%(count)d word in capitals makes the tone stronger",
                    "%(count)d words in capitals make the tone stronger",
                    int(m["count"]),
                )
                % {"count": int(m["count"])}
            ),
        ),
    ),
    (
        re.compile(r"^… (?P<count>\d+) more cues$"),
        _fixed(
            "more",
            lambda m: (
                ngettext("… and %(count)d more clue", "… and %(count)d more clues", int(m["count"]))
                % {"count": int(m["count"])}
            ),
        ),
    ),
    (
        re.compile(r"^no words to analyse$"),
        _fixed("empty", lambda m: _("There are no words to analyse.")),
    ),
    (
        re.compile(r"^no Italian or English words found$"),
        _fixed("foreign", lambda m: _("No Italian or English words were found.")),
    ),
    (
        re.compile(
            r"^workspace model: (?P<what>sentiment|emotion) (?P<before>\w+) -> (?P<after>\w+)$"
        ),
        _learnt_label,
    ),
    (
        re.compile(r"^workspace model: aspect (?P<name>\w+) (?P<change>added|removed)$"),
        _learnt_aspect,
    ),
    (
        re.compile(
            r"^emotion (?P<emotion>\w+) set aside: contradicts sentiment (?P<sentiment>\w+)$"
        ),
        _fixed(
            "agree",
            lambda m: (
                _("“%(emotion)s” set aside: it does not go with a %(sentiment)s tone")
                % {
                    "emotion": _emotion_word(m["emotion"]),
                    "sentiment": _sentiment_word(m["sentiment"]),
                }
            ),
        ),
    ),
    (
        re.compile(r"^language: (?P<lang>it|en|und) \((?P<how>given|detected)\)$"),
        _technical("language", _language_line),
    ),
    (
        re.compile(
            r"^blend: rules (?P<rules>[+-]\d\.\d\d)"
            r"(?:, model p\(neg\) (?P<neg>\d\.\d\d) p\(neu\) (?P<neu>\d\.\d\d)"
            r" p\(pos\) (?P<pos>\d\.\d\d))?(?:, .+)?$"
        ),
        _technical("blend", _blend_line),
    ),
    (
        re.compile(
            r"^sentiment (?P<sentiment>negative|neutral|positive) \((?P<score>[+-]\d\.\d\d)\),"
            r" emotion (?P<emotion>\w+)"
            r"(?: \(rules: (?P<rules_sentiment>negative|neutral|positive) \([+-]\d\.\d\d\),"
            r" emotion (?P<rules_emotion>\w+)\))?$"
        ),
        _technical("verdict", _verdict_line),
    ),
]


def reason(line: str) -> Reason:
    """The plain-language reason for one explanation line; the line itself when unknown."""
    if isinstance(line, str):
        for pattern, build in _FORMATS:
            match = pattern.match(line)
            if match is not None:
                found = build(match)
                if found is not None:
                    return Reason(found.text, found.kind, found.technical, found.notes, line=line)
                break
    return Reason(str(line), line=str(line))


def reasons(lines: Iterable[str] | None) -> tuple[list[Reason], list[Reason]]:
    """The explanation split for display: (reasons for everyone, technical details)."""
    plain, technical = [], []
    for line in lines or ():
        r = reason(line)
        (technical if r.technical else plain).append(r)
    return plain, technical
