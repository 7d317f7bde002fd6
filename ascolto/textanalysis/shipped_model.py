"""The trained part of the analyser: linear models over word features, pure Python at run time.

`features(words)` turns the analyser's lower-case tokens into sparse features (words, word
pairs, 5-letter prefixes, words in a negation scope, emoji and `!`/`?`). Each *group* of the
shipped model (`data/model.json`, written by `shipped_model_build.py`) has its own vocabulary, inverse
document frequencies and one weight per output: the TF-IDF vector (sublinear counts, L2-normed
over the group's vocabulary) is dotted with the weights. No scikit-learn or numpy at run time.

Groups and outputs:
- `customer` (trained on our own labelled customer texts): sentiment (3 classes, softmax),
  emotion (6 classes, softmax) and one logistic output per aspect;
- `valence` (trained on EmoITA, CC BY-SA 4.0): valence on EmoITA's 1-5 scale, from the word
  features plus a second block of character n-grams (3-5 letters of each word, with `<` and `>`
  marking its edges; feature names `c <gram>`).

The character block has its own normalisation so that it can be computed word by word: the raw
count of each gram times its IDF, divided by the square root of the sum over the text's gram
occurrences of IDF². A word's share of both sums is cached (`Group.char_cache`), so a word seen
before costs one dictionary look-up. Only single-output groups may have a character block.

The file is JSON (never pickle), loaded once per process and lazily, under a lock.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field
from functools import cached_property
from operator import mul
from pathlib import Path

MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.json"
FORMAT = "ascolto-textmodel-1"
MAX_TOKENS = 800  # features come from the first 800 tokens: bounded time on very long texts
PREFIX = 5
NEGATION_SCOPE = 3
CHAR_NS = (3, 4, 5)  # character n-gram lengths of the character block
CHAR_CACHE_LIMIT = 50_000  # words whose character-block shares are kept per group
_NEGATORS = frozenset(
    {
        "non",
        "nn",
        "mai",
        "nessun",
        "nessuno",
        "nessuna",
        "niente",
        "nulla",
        "senza",
        "neanche",
        "nemmeno",
        "not",
        "no",
        "never",
        "nothing",
        "without",
        "don't",
        "didn't",
        "doesn't",
        "isn't",
        "wasn't",
        "won't",
        "can't",
        "haven't",
        "hasn't",
    }
)
_SCOPE_STOP = frozenset({".", ",", ";", ":", "!", "?", "…", "ma", "però", "but"})


class ModelError(ValueError):
    """The model file is missing, malformed or of an unknown format."""


@dataclass(frozen=True)
class Group:
    name: str
    outputs: tuple[str, ...]
    vocabulary: dict[str, tuple[float, tuple[float, ...]]]  # feature -> (idf, weights)
    intercepts: tuple[float, ...]
    # Character block (single-output groups only): gram -> (IDF x weight, IDF²).
    chars: dict[str, tuple[float, float]] = field(default_factory=dict)
    char_cache: dict[str, tuple[float, float]] = field(default_factory=dict, compare=False)

    @cached_property
    def index(self) -> dict[str, int]:
        return {name: k for k, name in enumerate(self.outputs)}


@dataclass(frozen=True)
class Model:
    groups: dict[str, Group]
    meta: dict


_MODEL: list[Model] = []  # one element once loaded
_LOCK = threading.Lock()
LOADS = 0  # how many times the file was read (tests check it is once per process)


def features(words: list[str]) -> dict[str, float]:
    """Counts of the features of one text, from its lower-case tokens (words, emoji, `!`, `?`).

    Punctuation tokens other than `!`/`?` only end a negation scope and a word pair.
    """
    counts: dict[str, float] = {}
    prev = ""
    scope = 0
    for tok in words[:MAX_TOKENS]:
        if tok in _SCOPE_STOP:
            scope = 0
            prev = ""
            if tok in ("!", "?"):
                counts[tok] = counts.get(tok, 0.0) + 1.0
            continue
        if not tok or not (tok[0].isalpha() or ord(tok[0]) > 0x2000 or len(tok) > 1):
            prev = ""
            continue
        key = "w " + tok
        counts[key] = counts.get(key, 0.0) + 1.0
        if prev:
            key = "b " + prev + " " + tok
            counts[key] = counts.get(key, 0.0) + 1.0
        if len(tok) > PREFIX + 1 and tok[0].isalpha():
            key = "p " + tok[:PREFIX]
            counts[key] = counts.get(key, 0.0) + 1.0
        if scope:
            key = "n " + tok
            counts[key] = counts.get(key, 0.0) + 1.0
            scope -= 1
        if tok in _NEGATORS:
            scope = NEGATION_SCOPE
        prev = tok
    return counts


def char_grams(token: str) -> list[str]:
    """The character n-grams of one word (`<` and `>` mark its edges); none for non-words."""
    if not token[:1].isalpha():
        return []
    word = "<" + token + ">"
    size = len(word)
    return [word[i : i + n] for n in CHAR_NS for i in range(size - n + 1)]


def char_output(words: list[str], group: Group) -> float:
    """The character block's contribution to a single-output group for one text."""
    chars = group.chars
    cache = group.char_cache
    total = 0.0
    norm = 0.0
    for tok in words[:MAX_TOKENS]:
        shares = cache.get(tok)
        if shares is None:
            dot = 0.0
            sq = 0.0
            for gram in char_grams(tok):
                entry = chars.get(gram)
                if entry is not None:
                    dot += entry[0]
                    sq += entry[1]
            shares = (dot, sq)
            if len(cache) >= CHAR_CACHE_LIMIT:
                cache.clear()
            cache[tok] = shares
        total += shares[0]
        norm += shares[1]
    return total / math.sqrt(norm) if norm else 0.0


def raw_outputs(
    counts: dict[str, float], group: Group, words: list[str] | None = None
) -> list[float]:
    """Linear outputs (before softmax/sigmoid) of a group for one text.

    The weight rows of the text's features are transposed and each output is one C-level
    `sum(map(mul, ...))`; the L2 norm is applied once at the end. A group with a character
    block adds it when the text's `words` are given.
    """
    if group.chars and words is not None:
        word_part = raw_outputs(counts, group)
        return [word_part[0] + char_output(words, group)]
    vocabulary = group.vocabulary
    values = []
    rows = []
    for feat, count in counts.items():
        entry = vocabulary.get(feat)
        if entry is not None:
            values.append(entry[0] if count == 1.0 else (1.0 + math.log(count)) * entry[0])
            rows.append(entry[1])
    if not values:
        return list(group.intercepts)
    scale = 1.0 / math.sqrt(sum(map(mul, values, values)))
    return [
        b + scale * sum(map(mul, column, values))
        for b, column in zip(group.intercepts, zip(*rows, strict=True), strict=True)
    ]


def softmax(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    e = math.exp(value)
    return e / (1.0 + e)


def top_features(counts: dict[str, float], group: Group, output: int, limit: int = 3) -> list[str]:
    """The words whose features pushed one output up the most (for explanations and cues)."""
    contributions: dict[str, float] = {}
    vocabulary = group.vocabulary
    norm = 0.0
    for feat, count in counts.items():
        entry = vocabulary.get(feat)
        if entry is None:
            continue
        value = (1.0 + math.log(count)) * entry[0]
        norm += value * value
        word = feat[2:].split(" ")[-1] if feat[0] in "wbn" else ""
        if word and entry[1][output] > 0:
            contributions[word] = contributions.get(word, 0.0) + value * entry[1][output]
    if not contributions:
        return []
    ranked = sorted(contributions.items(), key=lambda kv: -kv[1])
    return [w for w, c in ranked[:limit] if c / math.sqrt(norm) > 0.05]


def _parse(data: object) -> Model:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelError(f"not an {FORMAT} file")
    groups = {}
    for name, raw in data["groups"].items():
        outputs = tuple(raw["outputs"])
        intercepts = tuple(float(v) for v in raw["intercepts"])
        names, idf, weights = raw["features"], raw["idf"], raw["weights"]
        if len(intercepts) != len(outputs):
            raise ModelError(f"group {name}: {len(intercepts)} intercepts for {len(outputs)}")
        if not (len(names) == len(idf) == len(weights)):
            raise ModelError(f"group {name}: features, idf and weights differ in length")
        if any(len(row) != len(outputs) for row in weights):
            raise ModelError(f"group {name}: a weight row does not match the outputs")
        vocabulary = dict(zip(names, zip(idf, map(tuple, weights), strict=True), strict=True))
        chars = {
            feat[2:]: (v[0] * v[1][0], v[0] * v[0])
            for feat, v in vocabulary.items()
            if feat.startswith("c ")
        }
        if chars:
            if len(outputs) != 1:
                raise ModelError(f"group {name}: a character block needs a single output")
            for gram in chars:
                del vocabulary["c " + gram]
        groups[name] = Group(name, outputs, vocabulary, intercepts, chars)
    return Model(groups, dict(data.get("meta", {})))


def load_model(path: Path | None = None) -> Model:
    """Read a model file (JSON only). Raises ModelError when it is missing or malformed."""
    path = MODEL_PATH if path is None else path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"no model file at {path}") from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"unreadable model file {path}: {exc}") from exc
    try:
        return _parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"malformed model file {path}: {exc}") from exc


def get_model() -> Model | None:
    """The shipped model, read once per process; None when no model file ships."""
    if _MODEL:
        return _MODEL[0]
    global LOADS
    with _LOCK:
        if not _MODEL:
            LOADS += 1
            try:
                _MODEL.append(load_model())
            except ModelError:
                if MODEL_PATH.exists():
                    raise
                return None
    return _MODEL[0]


def reset() -> None:
    """Forget the loaded model (after retraining, and in tests)."""
    with _LOCK:
        _MODEL.clear()
