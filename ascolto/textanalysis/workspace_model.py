"""A workspace's own sentiment, emotion and aspect model, learnt from its staff's corrections.

Multinomial naive Bayes over lower-cased words and word pairs, in plain Python: it trains in
milliseconds on a few thousand corrections, needs no dependency, and its parameters are word
counts that are stored as JSON (`TextModel.params`), never as a pickle.

The model is *blended* with the base analyser, not substituted for it: the base label gets a
fixed weight (`BASE_WEIGHT`), the model's class probabilities the rest, and the larger total
wins. So the workspace model overrides the base only where it is confident, e.g. on the
workspace's own jargon. 20% of the corrections (chosen by a hash of the text, so the split is
stable between runs) are held back; the blend is used for a label only when it is strictly more
accurate than the base analyser on them.

Aspects are several labels per text: one binary naive Bayes per aspect ("yes"/"no"), each
blended with the base analyser's yes or no in the same way. They are measured together, as
the micro-F1 of the aspect sets on the held-back corrections, and used together only when
that beats the base analyser's micro-F1. An aspect with fewer than `MIN_ASPECT_EXAMPLES`
corrections saying yes (or no) gets no model: the base analyser decides it alone.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_CORRECTIONS = 100
RETRAIN_EVERY = 25  # retrain once this many corrections were added since the last model
HOLDOUT_BUCKETS = 5  # one bucket in five is held back: 20%
BASE_WEIGHT = 0.45
MAX_FEATURES = 20_000
MIN_ASPECT_EXAMPLES = 5  # corrections with and without an aspect before it gets a model
YES, NO = "yes", "no"

_WORD = re.compile(r"\w+", re.UNICODE)


def features(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if not w.isdigit()]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def is_held_back(text_hash: str) -> bool:
    digest = hashlib.sha256(("holdout:" + text_hash).encode()).digest()
    return digest[0] % HOLDOUT_BUCKETS == 0


@dataclass(frozen=True)
class Example:
    text: str
    text_hash: str
    label: str
    base_label: str


class NaiveBayes:
    """Multinomial naive Bayes with add-one smoothing; `to_json`/`from_json` round-trip."""

    def __init__(self, priors: dict[str, float], counts: dict[str, dict[str, int]]):
        self.priors = priors
        self.counts = counts
        self.totals = {label: sum(c.values()) for label, c in counts.items()}
        self.vocabulary = len({f for c in counts.values() for f in c}) or 1

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str]) -> NaiveBayes:
        label_counts = Counter(labels)
        per_label: dict[str, Counter] = {label: Counter() for label in label_counts}
        for text, label in zip(texts, labels, strict=True):
            per_label[label].update(features(text))
        overall: Counter = Counter()
        for counter in per_label.values():
            overall.update(counter)
        keep = {f for f, _ in overall.most_common(MAX_FEATURES)}
        n = len(labels)
        priors = {label: count / n for label, count in label_counts.items()}
        counts = {
            label: {f: c for f, c in counter.items() if f in keep}
            for label, counter in per_label.items()
        }
        return cls(priors, counts)

    def probabilities(self, text: str) -> dict[str, float]:
        if not self.priors:
            return {}
        feats = [f for f in features(text)]
        logs = {}
        for label, prior in self.priors.items():
            counts = self.counts.get(label, {})
            denominator = self.totals.get(label, 0) + self.vocabulary
            score = math.log(prior)
            for f in feats:
                score += math.log((counts.get(f, 0) + 1) / denominator)
            logs[label] = score
        top = max(logs.values())
        exp = {label: math.exp(v - top) for label, v in logs.items()}
        total = sum(exp.values())
        return {label: v / total for label, v in exp.items()}

    def to_json(self) -> dict:
        return {"priors": self.priors, "counts": self.counts}

    @classmethod
    def from_json(cls, data: dict) -> NaiveBayes:
        priors = {str(k): float(v) for k, v in (data.get("priors") or {}).items()}
        counts = {
            str(label): {str(f): int(c) for f, c in (feats or {}).items()}
            for label, feats in (data.get("counts") or {}).items()
        }
        return cls(priors, counts)


def blend(base_label: str, probabilities: dict[str, float]) -> str:
    """The label with the highest blended weight; ties go to the base analyser."""
    if not probabilities:
        return base_label
    weights = {label: (1 - BASE_WEIGHT) * p for label, p in probabilities.items()}
    weights[base_label] = weights.get(base_label, 0.0) + BASE_WEIGHT
    best = max(weights.values())
    if weights[base_label] >= best:
        return base_label
    return max(weights, key=lambda label: weights[label])


@dataclass(frozen=True)
class Evaluation:
    model: NaiveBayes
    accuracy: float
    base_accuracy: float
    train_size: int
    test_size: int

    @property
    def beats_base(self) -> bool:
        return self.test_size > 0 and self.accuracy > self.base_accuracy


def train_and_evaluate(examples: Iterable[Example]) -> Evaluation:
    """Fit on the kept corrections, measure the blend and the base on the held-back ones."""
    examples = list(examples)
    train = [e for e in examples if not is_held_back(e.text_hash)]
    test = [e for e in examples if is_held_back(e.text_hash)]
    model = NaiveBayes.fit([e.text for e in train], [e.label for e in train])
    if not test:
        return Evaluation(model, 0.0, 0.0, len(train), 0)
    hits = sum(blend(e.base_label, model.probabilities(e.text)) == e.label for e in test)
    base_hits = sum(e.base_label == e.label for e in test)
    return Evaluation(model, hits / len(test), base_hits / len(test), len(train), len(test))


# --- Aspects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AspectExample:
    text: str
    text_hash: str
    aspects: frozenset[str]  # the staff's
    base_aspects: frozenset[str]  # the base analyser's


def aspects_blend(
    models: dict[str, NaiveBayes], text: str, base_aspects: Iterable[str]
) -> set[str]:
    """The base analyser's aspects, with each modelled aspect's yes or no blended as a label."""
    chosen = set(base_aspects)
    for name, model in models.items():
        base = YES if name in chosen else NO
        if blend(base, model.probabilities(text)) == YES:
            chosen.add(name)
        else:
            chosen.discard(name)
    return chosen


def micro_f1(pairs: Iterable[tuple[set[str] | frozenset[str], set[str] | frozenset[str]]]) -> float:
    """Micro-averaged F1 of predicted against true aspect sets; 1.0 when both are always empty."""
    tp = fp = fn = 0
    for predicted, true in pairs:
        tp += len(predicted & true)
        fp += len(predicted - true)
        fn += len(true - predicted)
    if tp + fp + fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


@dataclass(frozen=True)
class AspectEvaluation:
    models: dict[str, NaiveBayes]
    f1: float
    base_f1: float
    train_size: int
    test_size: int

    @property
    def beats_base(self) -> bool:
        return self.test_size > 0 and bool(self.models) and self.f1 > self.base_f1

    def to_json(self) -> dict:
        return {name: model.to_json() for name, model in sorted(self.models.items())}


def aspect_models_from_json(data: dict) -> dict[str, NaiveBayes]:
    return {str(name): NaiveBayes.from_json(params) for name, params in (data or {}).items()}


def aspects_train_and_evaluate(
    examples: Iterable[AspectExample], names: Iterable[str]
) -> AspectEvaluation:
    """One binary model per aspect with enough corrections on both sides, fitted on the kept
    corrections; the blend and the base measured by micro-F1 on the held-back ones."""
    examples = list(examples)
    train = [e for e in examples if not is_held_back(e.text_hash)]
    test = [e for e in examples if is_held_back(e.text_hash)]
    texts = [e.text for e in train]
    models = {}
    for name in names:
        labels = [YES if name in e.aspects else NO for e in train]
        counts = Counter(labels)
        if counts[YES] >= MIN_ASPECT_EXAMPLES and counts[NO] >= MIN_ASPECT_EXAMPLES:
            models[name] = NaiveBayes.fit(texts, labels)
    if not test:
        return AspectEvaluation(models, 0.0, 0.0, len(train), 0)
    f1 = micro_f1((aspects_blend(models, e.text, e.base_aspects), e.aspects) for e in test)
    base_f1 = micro_f1((e.base_aspects, e.aspects) for e in test)
    return AspectEvaluation(models, f1, base_f1, len(train), len(test))
