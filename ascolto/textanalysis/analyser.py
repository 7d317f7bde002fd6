"""Offline analysis of customer text in Italian and English.

`analyse(text, language=None)` returns an `Analysis`: the language, a sentiment label and score
in [-1, 1], an emotion with scores, the service aspects the text is about (with the words that
triggered them) and an explanation listing every cue used.

The analyser is rule-based over our own lexicons (files in `data/`, see docs/textanalysis.md):
lemma -> polarity weight, emotion and aspect cue lists, negators, intensifiers, diminishers,
contrast words, irony patterns and an emoji table. Inflected forms come from `forms_<lang>.json`,
built once from simplemma's dictionaries by `lemma_forms_build.py`, so nothing heavy is loaded at run
time. Pure Python without Django imports: it is loaded once per process and is safe to call from
any thread.
"""

from __future__ import annotations

import json
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ascolto.textanalysis import shipped_model as textmodel

DATA_DIR = Path(__file__).resolve().parent / "data"

LANGUAGES = ("it", "en")
UNDETERMINED = "und"
SENTIMENT_LABELS = ("negative", "neutral", "positive")
EMOTIONS = ("anger", "fear", "sadness", "joy", "trust")
EMOTION_LABELS = (*EMOTIONS, "none")
ASPECTS = (
    "timeliness",
    "price",
    "courtesy",
    "competence",
    "quality",
    "communication",
    "reliability",
    "tangibles",
)

# Tuning constants (see docs/textanalysis.md for what each one does).
NORMALISE_ALPHA = 6.0  # score = S / sqrt(S^2 + alpha)
LABEL_THRESHOLD = 0.35  # |score| below this is neutral
NEGATED_POSITIVE = -0.8  # "non soddisfatto": a negated positive flips and weakens
NEGATED_NEGATIVE = -0.5  # "non male": a negated negative becomes mildly positive
NEGATION_WINDOW = 5
CAPS_BOOST = 1.3
SUPERLATIVE_BOOST = 1.4
CONTRAST_BEFORE = 0.5
CONTRAST_AFTER = 1.5
EXCLAMATION_STEP = 0.08
MISSING_EVENT = -1.6  # "il tecnico non è ancora arrivato"
SERVICE_MISSING = -2.2  # "senza internet"
WAITING_TIME = -1.2  # "da tre giorni", "after two weeks"
TRAILING_CONTRAST = -2.5  # "tutto bene, però…"
IRONY_FLIP = -0.8
EMOTION_NONE_BASELINE = 1.2
ASPECT_THRESHOLD = 1.0
MAX_EXPLANATION = 60
REQUEST_DAMPING = 0.5  # a polite request with only mild cues ("…, grazie") stays neutral
WEAK_NEGATIVE = 1.5  # a negated negative weaker than this counts as nothing
# Blend with the trained model (constants chosen by 5-fold cross-validation on the tune split,
# see docs/textanalysis.md). The rules lead where they are confident, the model fills the gaps:
#   score = r + (1 - |r|) x (BLEND_MODEL x (p(pos) - p(neg)) + BLEND_VALENCE x (v - 3) / 2)
# with r the rules' score and v the EmoITA valence; neutral when |score| < BLEND_THRESHOLD +
# BLEND_NEUTRAL x (1 - |r|) x p(neutral) / 2 (where the rules are unsure, the model's p(neutral)
# decides). Emotion scores = a x rules + (1 - a) x model, with
# a = BLEND_EMOTION_RULES + (1 - BLEND_EMOTION_RULES) x BLEND_EMOTION_GATE x (1 - rules' none).
BLEND_MODEL = 1.0
BLEND_VALENCE = 0.5
BLEND_THRESHOLD = 0.02
BLEND_NEUTRAL = 3.0
BLEND_EMOTION_RULES = 0.1
BLEND_EMOTION_GATE = 0.5
# The model adds an aspect at this probability, per aspect (the rules' aspects stay).
BLEND_ASPECT = {
    "timeliness": 0.7,
    "price": 0.6,
    "courtesy": 0.6,
    "competence": 0.5,
    "quality": 0.5,
    "communication": 0.7,
    "reliability": 0.5,
    "tangibles": 0.4,
}
# Analysis.valence (EmoITA's 1-5 scale) = the valence model's output + VALENCE_RULES x the rules'
# score, clipped to [1, 5] (weight chosen by 2-fold cross-validation on EmoITA's dev file).
VALENCE_RULES = 0.25

# Waiting is measured in hours, days and weeks; "da due anni" is loyalty, not waiting.
_SHORT_UNITS = frozenset(
    {"ora", "ore", "minuto", "minuti", "giorno", "giorni", "settimana", "settimane"}
    | {"hour", "hours", "minute", "minutes", "day", "days", "week", "weeks"}
)
_LONG_UNITS = frozenset({"anno", "anni", "year", "years"})
# Words that may stand between a negator and a missed event: "non mi avete ancora richiamato".
_EVENT_GAP = frozenset(
    "mi ci vi si ti lo la li le ne è sono ha hanno ho abbiamo avete hai ancora più mai stato "
    "stata stati state siete siamo sei era erano fatto fatti mai ancora neanche nemmeno "
    "have has had not yet been ever still is are was were it they he she anyone anybody me us "
    "you even i we do does did".split()
)
_SELF_NEGATING = frozenset(
    {"non", "nn", "not", "no", "mai", "never", "nessuno", "nobody", "senza", "without", "niente"}
)
_ABILITY = frozenset({"riesco", "riusciamo", "posso", "possiamo", "can't", "cannot", "couldn't"})
_DESIRE = frozenset({"vorrei", "voglio", "volevo", "vorremmo", "want", "wanted", "would"})
# A negated expectation is a pleasant surprise, not a negation: "non mi aspettavo tanta
# competenza", "non me lo aspettavo", "didn't expect such a quick service".
_EXPECT = frozenset(
    "aspettavo aspettavamo aspettassi aspettarmi aspettavano expect expected expecting".split()
)
_EXPECT_GAP = frozenset({"mi", "me", "lo", "ce", "ci", "l'", "really", "even", "i", "we"})
_EXPECT_NEGATORS = frozenset("non nn not never mai didn't didnt don't dont never".split())
MAX_CUES_PER_ASPECT = 12


class AnalysisError(ValueError):
    """The input cannot be analysed (wrong type or unsupported language)."""


@dataclass(frozen=True)
class Aspect:
    name: str
    cues: list[str]


@dataclass
class Analysis:
    language: str
    sentiment_label: str
    sentiment_score: float
    emotion_label: str
    emotion_scores: dict[str, float]
    aspects: list[Aspect] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    id: Any = None
    # Valence on EmoITA's 1-5 scale (1 very unpleasant, 5 very pleasant), from the trained model;
    # None without a model or without words. Not part of `to_dict()` (the JSON contract).
    valence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape used by `ascolto analyse` and stored analyses."""
        return {
            "id": self.id,
            "language": self.language,
            "sentiment": {"label": self.sentiment_label, "score": self.sentiment_score},
            "emotion": {"label": self.emotion_label, "scores": dict(self.emotion_scores)},
            "aspects": [{"name": a.name, "cues": list(a.cues)} for a in self.aspects],
            "explanation": list(self.explanation),
        }


# --- Lexicon loading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One cue: `kind` is pol/emo/asp/neg/int/dim/contrast/...; `name` the emotion or aspect."""

    tokens: tuple[frozenset[str], ...]
    text: str
    kind: str
    name: str
    weight: float

    @property
    def length(self) -> int:
        return len(self.tokens)


@dataclass
class Lexicon:
    language: str
    forms: dict[str, str]
    index: dict[str, list[Entry]]
    stopwords: frozenset[str]
    fallback_block: frozenset[str]


_EMOJI: dict[str, tuple[float, str]] = {}
_LEXICONS: dict[str, Lexicon] = {}
_LOCK = threading.Lock()

_WORD = r"[^\W\d_]+(?:'(?:t|s|re|ve|ll|d|m)\b)?"


def _tokenise_plain(text: str) -> list[str]:
    return re.findall(_WORD + r"|\d+", text.lower().replace("’", "'"))


def _parse_weighted(item: str, default: float = 1.0) -> tuple[str, float]:
    item = item.strip()
    if ":" in item:
        cue, _, weight = item.rpartition(":")
        try:
            return cue.strip(), float(weight)
        except ValueError:
            return item, default
    return item, default


def _read_sections(path: Path) -> dict[str, list[tuple[str, float]]]:
    sections: dict[str, list[tuple[str, float]]] = {}
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections.setdefault(current, [])
            continue
        for item in line.split(","):
            if item.strip():
                sections[current].append(_parse_weighted(item))
    return sections


def _read_polarity(path: Path) -> list[tuple[str, float]]:
    entries = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cue, _, weight = line.rpartition(" ")
        entries.append((cue.strip(), float(weight)))
    return entries


_SECTION_KINDS = {
    "negators": "neg",
    "intensifiers": "int",
    "diminishers": "dim",
    "contrast": "contrast",
    "irony_praise": "praise",
    "irony_markers": "marker",
    "expected_events": "expected",
    "late_events": "late",
    "service_nouns": "service",
    "time_units": "timeunit",
    "time_preps": "timeprep",
    "numbers": "number",
    "waiting": "waiting",
    "still": "still",
    "request": "request",
}


def _load_lexicon(language: str) -> Lexicon:
    forms = json.loads((DATA_DIR / f"forms_{language}.json").read_text(encoding="utf-8"))
    sections = _read_sections(DATA_DIR / f"cues_{language}.txt")
    index: dict[str, list[Entry]] = {}

    def add(cue: str, kind: str, name: str, weight: float) -> None:
        words = _tokenise_plain(cue)
        if not words:
            return
        # Short words match only themselves ("so" must not match every form of "essere").
        tokens = tuple(frozenset({w, forms.get(w, w)} if len(w) >= 4 else {w}) for w in words)
        entry = Entry(tokens, " ".join(words), kind, name, weight)
        for key in tokens[0]:
            index.setdefault(key, []).append(entry)

    for cue, weight in _read_polarity(DATA_DIR / f"polarity_{language}.txt"):
        add(cue, "pol", "", weight)
    for section, items in sections.items():
        kind, _, name = section.partition(":")
        if kind in ("emotion", "aspect"):
            for cue, weight in items:
                add(cue, kind[:3], name, weight)
        elif section in _SECTION_KINDS:
            for cue, weight in items:
                add(cue, _SECTION_KINDS[section], "", weight)
    for entries in index.values():
        entries.sort(key=lambda e: -e.length)
    return Lexicon(
        language=language,
        forms=forms,
        index=index,
        stopwords=frozenset(w for w, _ in sections.get("stopwords", [])),
        fallback_block=frozenset(w for w, _ in sections.get("fallback_block", [])),
    )


def _load_emoji() -> dict[str, tuple[float, str]]:
    table = {}
    for raw in (DATA_DIR / "emoji.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("# "):
            continue
        parts = line.split()
        if len(parts) == 3:
            table[parts[0]] = (float(parts[1]), parts[2])
    return table


def load() -> None:
    """Load every lexicon once per process (idempotent, thread-safe)."""
    if _LEXICONS:
        return
    with _LOCK:
        if _LEXICONS:
            return
        global _TOKEN_RE
        emoji = _load_emoji()
        lexicons = {lang: _load_lexicon(lang) for lang in LANGUAGES}
        emoticons = sorted((k for k in emoji if not _is_emoji_char(k)), key=len, reverse=True)
        _TOKEN_RE = re.compile(
            "|".join(
                [
                    r"(?:(?<=\s)|^)(?:" + "|".join(re.escape(e) for e in emoticons) + r")(?=\s|$)",
                    _WORD,
                    r"\d+(?:[.,]\d+)?",
                    r"[!?]+",
                    r"\.{2,}|…",
                    r"[.;:,]",
                    r"\S",
                ]
            )
        )
        _EMOJI.update(emoji)
        _LEXICONS.update(lexicons)


def _is_emoji_char(symbol: str) -> bool:
    return len(symbol) == 1 and not symbol.isascii()


_TOKEN_RE: re.Pattern[str] = re.compile(r"\S+")

# --- Text normalisation and tokens --------------------------------------------------------------

_URL_RE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_CONTROL_RE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\ufe0e\ufe0f\U0001F3FB-\U0001F3FF]"
)
_ELONGATION_RE = re.compile(r"([^\W\d_])\1{2,}")
_BOUNDARY = frozenset({".", ";", "!", "?", "…", ":"})
_LATIN_RE = re.compile(r"[A-Za-zÀ-ÿ]")


@dataclass
class Token:
    surface: str  # lower case
    original: str
    lemma: str
    kind: str  # w word, n number, p punctuation, e emoji/emoticon, x other
    caps: bool = False
    # filled during analysis
    value: float = 0.0


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL_RE.sub(" ", text)
    return _URL_RE.sub(" ", text)


def _tokens(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN_RE.finditer(text.replace("’", "'")):
        original = match.group(0)
        if original == "'":
            continue  # elision: "un po'", "l'operatore"
        lower = original.lower()
        if original in _EMOJI or lower in _EMOJI:
            key = original if original in _EMOJI else lower  # ":D" is not ":d"
            tokens.append(Token(key, original, key, "e"))
        elif original[0].isalpha():
            caps = len(original) >= 3 and original.isupper()
            tokens.append(Token(lower, original, lower, "w", caps))
        elif original[0].isdigit():
            tokens.append(Token(lower, original, lower, "n"))
        elif original[0] in "!?.;:,…":
            tokens.append(Token(original[0] if original[0] != "." else original, original, "", "p"))
        else:
            tokens.append(Token(lower, original, lower, "x"))
    return tokens


def model_words(text: str) -> list[str]:
    """The lower-case tokens the trained model reads (the same the rules read)."""
    load()
    return [t.surface for t in _tokens(normalise(text))]


def detect_language(tokens: list[Token], text: str) -> str:
    """Italian or English by function words; undetermined when there are no Latin letters."""
    scores = {lang: 0.0 for lang in LANGUAGES}
    for tok in tokens:
        if tok.kind != "w":
            continue
        for lang in LANGUAGES:
            if tok.surface in _LEXICONS[lang].stopwords:
                scores[lang] += 1
    scores["it"] += 0.5 * sum(1 for ch in text if ch in "àèéìòù")
    if scores["en"] > scores["it"]:
        return "en"
    if scores["it"] > 0:
        return "it"
    # No function words: look at content cues, then default to Italian if the script is Latin.
    for lang in LANGUAGES:
        lex = _LEXICONS[lang]
        scores[lang] = sum(
            1
            for t in tokens
            if t.kind == "w" and (t.surface in lex.index or t.surface in lex.forms)
        )
    if scores["en"] > scores["it"]:
        return "en"
    if scores["it"] > 0 or _LATIN_RE.search(text):
        return "it"
    return UNDETERMINED


def _lemmatise(tok: Token, lex: Lexicon) -> None:
    """Map the surface to a lexicon key: forms table, then elongation and superlatives."""
    word = tok.surface
    if lex.language == "it" and len(word) > 7 and word[-6:-1] == "issim" and word not in lex.index:
        base = word[:-6]
        for ending in ("o", "e"):
            key = lex.forms.get(base + ending, base + ending)
            if key in lex.index:
                tok.lemma = key
                tok.kind = "w+"  # superlative
                return
    if word in lex.forms:
        tok.lemma = lex.forms[word]
        return
    if word in lex.index:
        return
    if _ELONGATION_RE.search(word):
        for candidate in (_ELONGATION_RE.sub(r"\1", word), _ELONGATION_RE.sub(r"\1\1", word)):
            key = lex.forms.get(candidate) or (candidate if candidate in lex.index else None)
            if key:
                tok.lemma = key
                return


# --- Matching -----------------------------------------------------------------------------------


@dataclass
class Match:
    entry: Entry
    start: int
    end: int  # exclusive


def _matches_at(tokens: list[Token], i: int, lex: Lexicon) -> list[Match]:
    tok = tokens[i]
    # A tuple, not a set: the order must not depend on the string hash seed (ties between
    # equally long cues go to the first one found, surface before lemma).
    keys = (tok.surface,) if tok.lemma == tok.surface else (tok.surface, tok.lemma)
    found = []
    seen = set()
    for key in keys:
        for entry in lex.index.get(key, ()):
            if id(entry) in seen:
                continue
            seen.add(id(entry))
            n = entry.length
            if i + n > len(tokens):
                continue
            ok = True
            for k in range(1, n):
                other = tokens[i + k]
                alts = entry.tokens[k]
                if other.surface not in alts and other.lemma not in alts:
                    ok = False
                    break
            if ok:
                found.append(Match(entry, i, i + n))
    return found


# --- Analysis -----------------------------------------------------------------------------------


@dataclass
class _Cue:
    text: str
    value: float
    position: int
    praise: bool = False
    note: str = ""


def _fmt(value: float) -> str:
    return f"{value:+.1f}"


def analyse(text: str, language: str | None = None, *, id: Any = None) -> Analysis:
    """Analyse one text. `language` ("it"/"en") skips detection; anything else is an error.

    The rules' result is blended with the trained model (`shipped_model.py`) when a model ships.
    """
    return _analyse(text, language, id, use_model=True)


def analyse_rules(text: str, language: str | None = None, *, id: Any = None) -> Analysis:
    """The rules alone, without the trained model (for comparisons and training)."""
    return _analyse(text, language, id, use_model=False)


def _analyse(text: str, language: str | None, id: Any, *, use_model: bool) -> Analysis:
    if not isinstance(text, str):
        raise AnalysisError("text must be a string")
    if language is not None:
        if not isinstance(language, str) or language[:2].lower() not in LANGUAGES:
            raise AnalysisError(f"unsupported language: {language!r} (use 'it' or 'en')")
        language = language[:2].lower()
    load()
    clean = normalise(text)
    tokens = _tokens(clean)
    explanation: list[str] = []
    if not any(t.kind in ("w", "e") for t in tokens):
        lang = language or UNDETERMINED
        explanation.append("no words to analyse")
        return _neutral(lang, explanation, id)
    lang = language or detect_language(tokens, clean)
    if lang == UNDETERMINED:
        explanation.append("no Italian or English words found")
        return _neutral(lang, explanation, id)
    lex = _LEXICONS[lang]
    other = _LEXICONS["en" if lang == "it" else "it"]
    explanation.append(f"language: {lang}" + (" (given)" if language else " (detected)"))
    for tok in tokens:
        if tok.kind == "w":
            _lemmatise(tok, lex)
    result = _score(tokens, lex, other, lang, explanation, id)
    if use_model:
        trained = textmodel.get_model()
        if trained is not None:
            _blend(result, tokens, trained)
    _agree(result)
    return result


# The emotions that can go with a sentiment: a negative text is not joyful, a positive one is
# not angry. A neutral text may carry any (a calm complaint, a plain thank-you).
EMOTIONS_OF_SENTIMENT = {
    "negative": ("anger", "fear", "sadness", "none"),
    "positive": ("joy", "trust", "none"),
}
_VERDICT_EMOTION = re.compile(r"^(sentiment \w+ \([+-]\d\.\d\d\)), emotion \w+")


def emotion_for_sentiment(sentiment: str, emotion: str, scores: dict[str, float]) -> str:
    """`emotion` when it can go with `sentiment`; otherwise the likeliest emotion that can."""
    allowed = EMOTIONS_OF_SENTIMENT.get(sentiment)
    if allowed is None or emotion in allowed:
        return emotion
    return max(allowed, key=lambda e: (scores.get(e, 0.0), e == "none"))


def _agree(result: Analysis) -> None:
    """Sentiment, emotion and explanation never contradict each other: an emotion that cannot
    go with the sentiment is set aside, the explanation says so, and its last line (the
    verdict) names the emotion shown."""
    chosen = emotion_for_sentiment(
        result.sentiment_label, result.emotion_label, result.emotion_scores
    )
    if chosen == result.emotion_label:
        return
    explanation = result.explanation
    verdict = explanation.pop() if explanation and explanation[-1].startswith("sentiment ") else ""
    explanation.append(
        f"emotion {result.emotion_label} set aside: contradicts sentiment {result.sentiment_label}"
    )
    result.emotion_label = chosen
    if verdict:
        explanation.append(_VERDICT_EMOTION.sub(rf"\1, emotion {chosen}", verdict, count=1))


def _neutral(lang: str, explanation: list[str], id: Any) -> Analysis:
    scores = {e: 0.0 for e in EMOTIONS}
    scores["none"] = 1.0
    return Analysis(lang, "neutral", 0.0, "none", scores, [], explanation, id)


def _score(
    tokens: list[Token],
    lex: Lexicon,
    other: Lexicon,
    lang: str,
    explanation: list[str],
    id: Any,
) -> Analysis:
    """The rules' analysis of lemmatised `tokens`, in the steps numbered below; each step adds
    its cues (or changes theirs) and its lines of the explanation, in this order."""
    # 1. Every cue match at every position, and where the words that change others are.
    scene = _Scene.of(tokens, _cue_matches(tokens, lex, other))
    # 2. Polarity cues.
    cues, covered = _polarity_cues(scene)
    # 3. Business patterns: a missing expected event, a missing service, waiting time.
    events, late_cues = _missing_events(scene, covered)
    time_cues, waits = _waiting_times(scene)
    cues += events + _missing_services(scene) + waits
    # 4. Irony.
    irony = _irony(scene, cues)
    # 5. Contrast weighting and a trailing "però…".
    cues += _contrast(scene, cues, explanation)
    # 6. Emoji.
    emoji, emoji_emotions = _emoji_cues(tokens)
    cues += emoji
    # 7. The sentiment: the cues summed and normalised.
    total, score, label, caps_words, exclamations = _sentiment(scene, cues, explanation)
    # 8. Emotions and aspects.
    emotions = _emotions(
        scene.by_kind.get("emo", ()),
        tokens,
        scene.negated,
        emoji_emotions,
        total,
        cues,
        irony,
        caps_words,
        exclamations,
        explanation,
    )
    emotion_label = max(emotions, key=lambda e: emotions[e])
    aspects = _aspects(
        scene.by_kind.get("asp", ()), tokens, cues, time_cues, late_cues, explanation
    )
    explanation.append(f"sentiment {label} ({score:+.2f}), emotion {emotion_label}")
    return Analysis(
        language=lang,
        sentiment_label=label,
        sentiment_score=round(score, 3),
        emotion_label=emotion_label,
        emotion_scores=emotions,
        aspects=aspects,
        explanation=explanation,
        id=id,
    )


def _cue_matches(tokens: list[Token], lex: Lexicon, other: Lexicon) -> dict[str, list[Match]]:
    """Every cue match at every position (longest first), by kind, with a fallback to the other
    language's lexicon for content words in mixed-language text."""
    by_kind: dict[str, list[Match]] = {}
    for i, tok in enumerate(tokens):
        if tok.kind not in ("w", "w+", "n"):
            continue
        found = _matches_at(tokens, i, lex)
        if (
            not any(m.entry.kind in ("pol", "emo", "asp") for m in found)
            and tok.kind != "n"
            and tok.surface not in lex.fallback_block
            and tok.surface not in lex.stopwords
        ):
            found.extend(_other_language_matches(tokens, i, other))
        for m in found:
            by_kind.setdefault(m.entry.kind, []).append(m)
    return by_kind


def _other_language_matches(tokens: list[Token], i: int, other: Lexicon) -> list[Match]:
    """The other lexicon's polarity, emotion and aspect cues at `i`; the token keeps the other
    language's lemma only when one is found."""
    tok = tokens[i]
    saved = tok.lemma
    tok.lemma = other.forms.get(tok.surface, tok.surface)
    extra = [m for m in _matches_at(tokens, i, other) if m.entry.kind in ("pol", "emo", "asp")]
    if not extra:
        tok.lemma = saved
    return extra


def _positions(by_kind: dict[str, list[Match]], kind: str) -> dict[int, Match]:
    """The longest match of `kind` starting at each position."""
    out: dict[int, Match] = {}
    for m in by_kind.get(kind, ()):
        if m.start not in out or out[m.start].end < m.end:
            out[m.start] = m
    return out


@dataclass
class _Scene:
    """What the steps of `_score` share: the tokens, the cue matches by kind, and where the
    words are that change other words (negators, intensifiers, contrast) or stop them."""

    tokens: list[Token]
    by_kind: dict[str, list[Match]]
    negators: dict[int, Match]
    surprises: set[int]  # "aspettavo" in "non mi aspettavo": neither negated nor waiting
    intensifiers: dict[int, Match]
    diminishers: dict[int, Match]
    contrast: dict[int, Match]
    praise_at: dict[int, Match]
    hard_stops: set[int]  # sentence boundaries and commas: no negation or modifier crosses them
    contrast_at: int | None  # the contrast word that splits the text, if any
    used_modifiers: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, tokens: list[Token], by_kind: dict[str, list[Match]]) -> _Scene:
        negators, surprises = _negators(tokens, _positions(by_kind, "neg"))
        contrast = _positions(by_kind, "contrast")
        boundaries = {
            i for i, t in enumerate(tokens) if t.kind == "p" and t.surface[0] in _BOUNDARY
        }
        commas = {i for i, t in enumerate(tokens) if t.kind == "p" and t.surface == ","}
        # Contrast: the last contrast word that is not at the start of the text splits it.
        first_word = next((i for i, t in enumerate(tokens) if t.kind in ("w", "w+")), None)
        splitting = [i for i in contrast if i > 0 and first_word is not None and first_word < i]
        return cls(
            tokens=tokens,
            by_kind=by_kind,
            negators=negators,
            surprises=surprises,
            intensifiers=_positions(by_kind, "int"),
            diminishers=_positions(by_kind, "dim"),
            contrast=contrast,
            praise_at=_positions(by_kind, "praise"),
            hard_stops=boundaries | commas,
            contrast_at=max(splitting, default=None),
        )

    def positions(self, kind: str) -> dict[int, Match]:
        return _positions(self.by_kind, kind)

    def negated(self, i: int, start: int | None = None) -> Match | None:
        """The negator that reaches position `i` (from `start`), if any: within the window,
        not across a stop or a contrast word."""
        start = i if start is None else start
        for j in range(start - 1, max(-1, start - 1 - NEGATION_WINDOW), -1):
            if j in self.hard_stops or (j in self.contrast and j != start):
                return None
            if j in self.negators and self.negators[j].end <= start:
                return self.negators[j]
        return None

    def modifier(self, i: int) -> tuple[float, str]:
        """The intensifier or diminisher just before `i` (weight and word), noted as used."""
        for j in range(i - 1, max(-1, i - 3), -1):
            if j in self.hard_stops:
                break
            for table in (self.intensifiers, self.diminishers):
                if j in table and table[j].end <= i:
                    self.used_modifiers.add(j)
                    return table[j].entry.weight, table[j].entry.text
        return 1.0, ""


def _negators(tokens: list[Token], found: dict[int, Match]) -> tuple[dict[int, Match], set[int]]:
    """The negators that negate ("non vorrei" does not), and the positions of the expectations
    a negator turns into a pleasant surprise ("non mi aspettavo tanta competenza")."""
    n = len(tokens)
    negators = {
        i: m for i, m in found.items() if not (m.end < n and tokens[m.end].surface in _DESIRE)
    }
    surprises: set[int] = set()
    for i, m in sorted(negators.items()):
        j = m.end
        while j < n and j - m.end < 3 and tokens[j].surface in _EXPECT_GAP:
            j += 1
        if j < n and tokens[j].surface in _EXPECT and tokens[m.start].surface in _EXPECT_NEGATORS:
            for k in range(i, j + 1):
                negators.pop(k, None)
            surprises.add(j)
    return negators, surprises


def _polarity_cues(scene: _Scene) -> tuple[list[_Cue], set[int]]:
    """Polarity cues: the longest phrase wins, and the tokens inside it are not counted again;
    each weighed by its form (superlative, capitals), a modifier before it and a negation.
    Returns the cues and the positions they cover."""
    tokens = scene.tokens
    cues: list[_Cue] = []
    covered: set[int] = set(scene.surprises)
    pol = sorted(scene.by_kind.get("pol", ()), key=lambda m: (m.start, -(m.end - m.start)))
    for m in pol:
        if m.start in covered:
            continue
        covered.update(range(m.start, m.end))
        words = tokens[m.start : m.end]
        value = m.entry.weight
        notes = []
        if words[0].kind == "w+":
            value *= SUPERLATIVE_BOOST
            notes.append("superlative")
        if any(t.caps for t in words):
            value *= CAPS_BOOST
            notes.append("caps")
        mult, mod = scene.modifier(m.start)
        if mult != 1.0:
            value *= mult
            notes.append(f"'{mod}' x{mult:g}")
        neg = None
        if not any(t.surface in _SELF_NEGATING for t in words):
            neg = scene.negated(m.start)
        if neg is not None:
            value = _negated_value(value)
            notes.append(f"negated by '{neg.entry.text}'")
        surface = " ".join(t.original for t in words)
        cues.append(
            _Cue(surface, value, m.start, praise=m.start in scene.praise_at, note=", ".join(notes))
        )
    # A word used as an intensifier ("super gentili") does not also count on its own.
    return [c for c in cues if c.position not in scene.used_modifiers], covered


def _negated_value(value: float) -> float:
    """A negated cue: a positive one flips and weakens, a weak negative one counts nothing, a
    stronger negative one becomes mildly positive."""
    if value > 0:
        return value * NEGATED_POSITIVE
    if value >= -WEAK_NEGATIVE:
        return 0.0
    return value * NEGATED_NEGATIVE


def _missing_events(scene: _Scene, covered: set[int]) -> tuple[list[_Cue], list[str]]:
    """An expected event negated ("il tecnico non è ancora arrivato"), where no polarity cue
    stands. Returns the cues and the ones that speak of lateness (for the aspects)."""
    tokens = scene.tokens
    cues: list[_Cue] = []
    late_cues: list[str] = []
    for m in sorted(scene.by_kind.get("expected", ()), key=lambda m: m.start):
        if m.start in covered:
            continue
        neg = scene.negated(m.start)
        if neg is None or tokens[neg.start].surface in _ABILITY:
            continue
        gap = tokens[neg.end : m.start]
        if any(t.surface not in _EVENT_GAP for t in gap):
            continue
        covered.update(range(m.start, m.end))
        surface = " ".join(t.original for t in tokens[m.start : m.end])
        cues.append(
            _Cue(f"{neg.entry.text} … {surface}", MISSING_EVENT, m.start, note="missing event")
        )
        if any(lm.start == m.start for lm in scene.by_kind.get("late", ())):
            late_cues.append(f"{neg.entry.text} … {surface}")
    return cues, late_cues


def _missing_services(scene: _Scene) -> list[_Cue]:
    """A service noun after "senza", "without"... ("senza internet"). Service nouns carry no
    polarity of their own, so nothing here counts twice."""
    tokens = scene.tokens
    cues = []
    for m in scene.by_kind.get("service", ()):
        j = m.start - 1
        if j >= 0 and tokens[j].surface in ("il", "la", "the", "any", "l", "più"):
            j -= 1
        if j >= 0 and tokens[j].surface in ("senza", "without", "no", "niente", "zero"):
            surface = f"{tokens[j].original} {tokens[m.start].original}"
            cues.append(_Cue(surface, SERVICE_MISSING, m.start, note="service missing"))
    return cues


_ORDINALS = frozenset(
    ("terzo", "quarto", "quinto", "ennesimo", "ennesima", "third", "fourth", "fifth", "nth")
)


def _waiting_times(scene: _Scene) -> tuple[list[str], list[_Cue]]:
    """Spans of time ("da tre giorni", "after two weeks"): every one is returned (for the
    aspects), and the ones that read as waiting are cues."""
    tokens = scene.tokens
    n = len(tokens)
    numbers = scene.positions("number")
    preps = scene.positions("timeprep")
    waiting = bool(scene.by_kind.get("waiting"))
    time_cues: list[str] = []
    cues: list[_Cue] = []
    for i in sorted({m.start for m in scene.by_kind.get("timeunit", ())}):
        unit = tokens[i].surface
        if unit in _LONG_UNITS or tokens[i].lemma in _LONG_UNITS:
            continue
        j = i - 1
        has_number = j >= 0 and (tokens[j].kind == "n" or j in numbers)
        if has_number:
            j -= 1
        has_prep = j >= 0 and j in preps
        start = j if has_prep else (i - 1 if has_number else i)
        if not (has_number or has_prep):
            continue
        phrase = " ".join(t.original for t in tokens[start : i + 1])
        short = unit in _SHORT_UNITS or tokens[i].lemma in _SHORT_UNITS
        if not (short or has_prep):
            continue
        time_cues.append(phrase)
        ordinal = has_number and tokens[i - 1].surface in _ORDINALS
        later = i + 1 < n and tokens[i + 1].surface in ("later", "dopo", "di", "of", "after")
        if (has_prep or ordinal or later) and (short or waiting):
            cues.append(_Cue(phrase, WAITING_TIME, i, note="waiting time"))
    return time_cues, cues


def _irony(scene: _Scene, cues: list[_Cue]) -> bool:
    """Praise next to negative facts and no contrast word, or near an irony marker, quoted, or
    with an ironic emoji, is read as irony: its value flips. Returns whether any was."""
    tokens = scene.tokens
    irony = False
    irony_emoji = any(t.kind == "e" and _EMOJI[t.surface][1] == "irony" for t in tokens)
    quoted = {c.position for c in cues if c.praise and _quoted(tokens, c.position)}
    neg_facts = sum(c.value for c in cues if not c.praise and c.value < 0)
    pos_facts = sum(c.value for c in cues if not c.praise and c.value > 0)
    markers = scene.positions("marker")
    for c in cues:
        if not c.praise or c.value <= 0:
            continue
        near_marker = any(abs(k - c.position) <= 2 for k in markers)
        if (
            c.position in quoted
            or irony_emoji
            or (near_marker and neg_facts < 0)
            or (scene.contrast_at is None and neg_facts <= -1.5 and pos_facts < -neg_facts)
        ):
            c.value *= IRONY_FLIP
            c.note = (c.note + ", " if c.note else "") + "read as irony"
            irony = True
    return irony


def _contrast(scene: _Scene, cues: list[_Cue], explanation: list[str]) -> list[_Cue]:
    """Around the contrast word, what comes after weighs more than what comes before; a text
    that ends on a contrast word with nothing polar after it ("tutto bene, però…") reads as
    polite but negative. Returns that trailing cue, if any."""
    at = scene.contrast_at
    if at is None:
        return []
    tokens = scene.tokens
    after = [c for c in cues if c.position > at]
    for c in cues:
        c.value *= CONTRAST_BEFORE if c.position < at else CONTRAST_AFTER
    trailing = []
    if not after:
        tail = [t for t in tokens[at + 1 :] if t.kind in ("w", "w+", "e")]
        if len(tail) <= 6:
            word = tokens[at].original
            trailing.append(_Cue(word + " …", TRAILING_CONTRAST, at, note="polite but negative"))
    explanation.append(f"contrast at '{tokens[at].original}'")
    return trailing


def _emoji_cues(tokens: list[Token]) -> tuple[list[_Cue], dict[str, float]]:
    """Every emoji is a cue, and the evidence of the emotion it shows (irony counts as anger)."""
    cues = []
    emoji_emotions: dict[str, float] = {}
    for i, t in enumerate(tokens):
        if t.kind == "e":
            value, emotion = _EMOJI[t.surface]
            cues.append(_Cue(t.original, value, i, note="emoji"))
            key = "anger" if emotion == "irony" else emotion
            if key in EMOTIONS:
                emoji_emotions[key] = emoji_emotions.get(key, 0.0) + abs(value)
    return cues, emoji_emotions


def _sentiment(
    scene: _Scene, cues: list[_Cue], explanation: list[str]
) -> tuple[float, float, str, int, int]:
    """The cues' sum (a request with only mild cues damped, exclamation marks amplifying),
    normalised to -1..1, and its label; explains it cue by cue. Returns the sum, the score,
    the label, and the counts of capitalised words and exclamation marks."""
    tokens = scene.tokens
    total = sum(c.value for c in cues)
    if scene.by_kind.get("request") and all(abs(c.value) < 2 for c in cues) and total > 0:
        total *= REQUEST_DAMPING
        explanation.append(f"request: mild cues x{REQUEST_DAMPING:g}")
    exclamations = sum(len(t.original) for t in tokens if t.kind == "p" and t.surface == "!")
    if total and exclamations:
        total *= 1 + EXCLAMATION_STEP * min(exclamations, 4)
        explanation.append(f"exclamation marks x{1 + EXCLAMATION_STEP * min(exclamations, 4):.2f}")
    score = max(-1.0, min(1.0, total / math.sqrt(total * total + NORMALISE_ALPHA)))
    if score >= LABEL_THRESHOLD:
        label = "positive"
    elif score <= -LABEL_THRESHOLD:
        label = "negative"
    else:
        label = "neutral"
    caps_words = sum(1 for t in tokens if t.caps)
    if caps_words >= 2:
        explanation.append(f"ALL CAPS words: {caps_words}")
    for c in sorted(cues, key=lambda c: c.position)[:MAX_EXPLANATION]:
        kind = "positive" if c.value > 0 else "negative"
        note = f" ({c.note})" if c.note else ""
        explanation.append(f"{kind} cue '{c.text}' {_fmt(c.value)}{note}")
    if len(cues) > MAX_EXPLANATION:
        explanation.append(f"… {len(cues) - MAX_EXPLANATION} more cues")
    return total, score, label, caps_words, exclamations


def _blend(result: Analysis, tokens: list[Token], trained: textmodel.Model) -> None:
    """Blend the trained model's outputs into the rules' result, in place."""
    words = [t.surface for t in tokens]
    counts = textmodel.features(words)
    explanation = result.explanation
    verdict = explanation.pop() if explanation and explanation[-1].startswith("sentiment ") else ""
    customer = trained.groups.get("customer")
    valence_group = trained.groups.get("valence")
    rules_score = result.sentiment_score
    gap = 1.0 - abs(rules_score)
    score = rules_score
    p_neutral = 0.0
    notes = [f"rules {rules_score:+.2f}"]
    if customer is not None:
        out = textmodel.raw_outputs(counts, customer)
        index = customer.index
        sentiment = textmodel.softmax([out[index["sentiment:" + s]] for s in SENTIMENT_LABELS])
        p_neutral = sentiment[1]
        score += gap * BLEND_MODEL * (sentiment[2] - sentiment[0])
        notes.append(
            f"model p(neg) {sentiment[0]:.2f} p(neu) {sentiment[1]:.2f} p(pos) {sentiment[2]:.2f}"
        )
        emotion = textmodel.softmax([out[index["emotion:" + e]] for e in EMOTION_LABELS])
        rules_emotion = result.emotion_scores
        a = BLEND_EMOTION_RULES + (1 - BLEND_EMOTION_RULES) * BLEND_EMOTION_GATE * (
            1 - rules_emotion["none"]
        )
        scores = {
            e: round(a * rules_emotion[e] + (1 - a) * emotion[k], 3)
            for k, e in enumerate(EMOTION_LABELS)
        }
        result.emotion_scores = scores
        result.emotion_label = max(EMOTION_LABELS, key=lambda e: scores[e])
        have = {a.name for a in result.aspects}
        added = []
        for name in ASPECTS:
            k = index["aspect:" + name]
            if name in have or textmodel.sigmoid(out[k]) < BLEND_ASPECT[name]:
                continue
            cues = textmodel.top_features(counts, customer, k)
            result.aspects.append(Aspect(name, cues))
            added.append(name)
        if added:
            result.aspects.sort(key=lambda a: ASPECTS.index(a.name))
            explanation.append("aspects from the model: " + ", ".join(added))
    if valence_group is not None:
        valence = textmodel.raw_outputs(counts, valence_group, words)[0]
        result.valence = round(max(1.0, min(5.0, valence + VALENCE_RULES * rules_score)), 3)
        score += gap * BLEND_VALENCE * (valence - 3.0) / 2.0
        notes.append(f"valence {valence:.2f}")
    score = max(-1.0, min(1.0, score))
    threshold = BLEND_THRESHOLD + BLEND_NEUTRAL * gap * p_neutral / 2
    if score >= threshold:
        label = "positive"
    elif score <= -threshold:
        label = "negative"
    else:
        label = "neutral"
    result.sentiment_score = round(score, 3)
    result.sentiment_label = label
    explanation.append("blend: " + ", ".join(notes))
    explanation.append(
        f"sentiment {label} ({score:+.2f}), emotion {result.emotion_label}"
        + (" (rules: " + verdict[len("sentiment ") :] + ")" if verdict else "")
    )


def _quoted(tokens: list[Token], i: int) -> bool:
    before = tokens[i - 1].original if i > 0 else ""
    after = tokens[i + 1].original if i + 1 < len(tokens) else ""
    return before in ('"', "«", "“") and after in ('"', "»", "”")


def _emotions(
    matches,
    tokens: list[Token],
    negated,
    emoji_emotions: dict[str, float],
    total: float,
    cues: list[_Cue],
    irony: bool,
    caps_words: int,
    exclamations: int,
    explanation: list[str],
) -> dict[str, float]:
    raw = {e: 0.0 for e in EMOTIONS}
    best: dict[int, Match] = {}
    for m in matches:
        key = (m.start, m.entry.name)
        if key not in best or best[key].end < m.end:
            best[key] = m
    covered: dict[str, set[int]] = {}
    for m in sorted(best.values(), key=lambda m: (m.start, -(m.end - m.start))):
        name = m.entry.name
        if m.start in covered.get(name, set()):
            continue
        covered.setdefault(name, set()).update(range(m.start, m.end))
        weight = m.entry.weight
        if any(t.caps for t in tokens[m.start : m.end]):
            weight *= CAPS_BOOST
        has_neg_inside = any(t.surface in ("non", "not", "no") for t in tokens[m.start : m.end])
        neg = None if has_neg_inside else negated(m.start)
        if neg is not None:
            if name in ("joy", "trust"):
                raw["sadness"] += 0.6 * weight
                raw["anger"] += 0.4 * weight
            continue
        raw[name] += weight
    for name, value in emoji_emotions.items():
        raw[name] += value
    negative = -sum(c.value for c in cues if c.value < 0)
    positive = sum(c.value for c in cues if c.value > 0)
    if irony:
        raw["anger"] += 2.0
        raw["joy"] = 0.0
    explicit_negative = raw["anger"] + raw["fear"] + raw["sadness"]
    if total < 0:
        # A complaint without words of sadness or worry reads as frustration.
        if explicit_negative < 1.5:
            raw["anger"] += 0.45 * negative
        if caps_words >= 2:
            raw["anger"] += 1.5
        if exclamations >= 2:
            raw["anger"] += 1.0
        raw["joy"] *= 0.3
        raw["trust"] *= 0.5
    elif total > 0:
        raw["joy"] += 0.4 * positive
    # Texts with a clear polarity usually carry an emotion; neutral ones usually do not.
    raw_none = EMOTION_NONE_BASELINE * (0.5 if abs(total) >= 1.5 else 1.0)
    denominator = raw_none + sum(raw.values())
    scores = {e: round(raw[e] / denominator, 3) for e in EMOTIONS}
    scores["none"] = round(raw_none / denominator, 3)
    top = [f"{e} {raw[e]:.1f}" for e in EMOTIONS if raw[e] > 0]
    if top:
        explanation.append("emotion evidence: " + ", ".join(top))
    return scores


def _aspects(
    matches,
    tokens: list[Token],
    cues: list[_Cue],
    time_cues: list[str],
    late_cues: list[str],
    explanation: list[str],
) -> list[Aspect]:
    weights: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    polar_positions = [c.position for c in cues]
    best: dict[tuple[int, str], Match] = {}
    for m in matches:
        key = (m.start, m.entry.name)
        if key not in best or best[key].end < m.end:
            best[key] = m
    covered: dict[str, set[int]] = {}
    for m in sorted(best.values(), key=lambda m: (m.start, -(m.end - m.start))):
        name = m.entry.name
        if m.start in covered.get(name, set()):
            continue
        covered.setdefault(name, set()).update(range(m.start, m.end))
        weight = m.entry.weight
        # A weak cue ("servizio", "telefono") counts when an opinion is expressed next to it.
        if 0.5 <= weight < ASPECT_THRESHOLD and any(
            abs(p - m.start) <= 3 and not m.start <= p < m.end for p in polar_positions
        ):
            weight = ASPECT_THRESHOLD
        surface = " ".join(t.original for t in tokens[m.start : m.end])
        weights[name] = weights.get(name, 0.0) + weight
        found.setdefault(name, [])
        if surface.lower() not in (c.lower() for c in found[name]):
            found[name].append(surface)
    for phrase in time_cues + late_cues:
        weights["timeliness"] = weights.get("timeliness", 0.0) + 1.0
        found.setdefault("timeliness", []).append(phrase)
    aspects = [
        Aspect(name, found[name][:MAX_CUES_PER_ASPECT])
        for name in ASPECTS
        if weights.get(name, 0.0) >= ASPECT_THRESHOLD
    ]
    for a in aspects:
        explanation.append(f"aspect {a.name}: " + ", ".join(a.cues))
    return aspects
