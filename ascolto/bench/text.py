"""`ascolto bench text`: measure the analyser against its targets (docs/benchmarks.md).

Data:
- our development set (`data/devset.jsonl`, written for this product): sentiment macro-F1 per
  language, emotion macro-F1 and aspect micro-F1, on the held-out split and on everything;
- ATE_ABSITA (EVALITA 2020, CC BY-NC-ND, read in place, evaluation only): binary sentiment from
  the star rating, 1-2 stars negative, 4-5 stars positive, 3 stars left out; we predict negative
  when the analyser's label is negative and positive otherwise;
- EmoITA / EmotivITA (CC BY-SA 4.0): Pearson r between the analysis' valence (`Analysis.valence`,
  the valence model plus a little of the rules' score; the sentiment score when no model ships)
  and the gold valence of the test set, and, for comparison, r of the sentiment score;
- throughput (texts per second, one process, one core) and the lexicon load time, measured in a
  fresh interpreter.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ascolto.textanalysis.analyser import (
    ASPECTS,
    EMOTION_LABELS,
    SENTIMENT_LABELS,
    analyse,
    analyse_rules,
)
from ascolto.textanalysis.devset import load_devset

DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks"

TARGETS = {
    "sentiment_f1": 0.85,
    "emotion_f1": 0.60,
    "aspect_f1": 0.75,
    "absita_f1": 0.85,
    "emoita_r": 0.65,
    "throughput": 2000.0,
    "load_seconds": 1.0,
}


# --- Metrics ------------------------------------------------------------------------------------


def f1_per_label(gold: list[str], pred: list[str], labels: Iterable[str]) -> dict[str, float]:
    scores = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


def macro_f1(gold: list[str], pred: list[str], labels: Iterable[str] | None = None) -> float:
    """Mean F1 over the labels present in the gold data (or the labels given)."""
    labels = sorted(set(gold)) if labels is None else list(labels)
    if not labels:
        return 0.0
    return sum(f1_per_label(gold, pred, labels).values()) / len(labels)


def micro_f1_sets(gold: list[set[str]], pred: list[set[str]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def pearson(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


# --- Data ---------------------------------------------------------------------------------------


@dataclass
class DevResult:
    n: int
    sentiment_f1: dict[str, float]  # per language
    emotion_f1: float
    aspect_f1: float
    errors: list[dict] = field(default_factory=list)


def evaluate_devset(rows: list[dict], *, use_language: bool = False, fn=analyse) -> DevResult:
    """Score the analyser on labelled rows; the language is detected unless `use_language`.

    `fn` is `analyse` (rules blended with the trained model) or `analyse_rules`."""
    preds = [fn(r["text"], r["lang"] if use_language else None) for r in rows]
    sentiment = {}
    for lang in sorted({r["lang"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
        sentiment[lang] = macro_f1(
            [rows[i]["sentiment"] for i in idx],
            [preds[i].sentiment_label for i in idx],
            SENTIMENT_LABELS,
        )
    emotion = macro_f1(
        [r["emotion"] for r in rows], [p.emotion_label for p in preds], EMOTION_LABELS
    )
    aspects = micro_f1_sets(
        [set(r["aspects"]) for r in rows], [{a.name for a in p.aspects} for p in preds]
    )
    errors = []
    for r, p in zip(rows, preds, strict=True):
        got = {a.name for a in p.aspects}
        if (
            r["sentiment"] != p.sentiment_label
            or r["emotion"] != p.emotion_label
            or set(r["aspects"]) != got
        ):
            errors.append({"row": r, "analysis": p.to_dict()})
    return DevResult(len(rows), sentiment, emotion, aspects, errors)


def read_absita(data: Path) -> list[tuple[str, str]]:
    """(text, "negative"|"positive") from the ATE_ABSITA star ratings; 3 stars are left out."""
    rows = []
    for name in ("ate_absita_training.ndjson", "ate_absita_dev.ndjson"):
        path = data / "ate-absita-2020" / name
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                item = json.loads(line)
                stars = int(item["score"])
                if stars <= 2:
                    rows.append((item["sentence"], "negative"))
                elif stars >= 4:
                    rows.append((item["sentence"], "positive"))
    return rows


def evaluate_absita(data: Path) -> tuple[float, int]:
    rows = read_absita(data)
    gold = [g for _, g in rows]
    pred = [
        "negative" if analyse(text, "it").sentiment_label == "negative" else "positive"
        for text, _ in rows
    ]
    return macro_f1(gold, pred, ("negative", "positive")), len(rows)


def read_emoita(path: Path) -> list[tuple[str, float]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row["text"], float(row["V"])) for row in csv.DictReader(fh)]


def evaluate_emoita(data: Path) -> tuple[float, float, int]:
    """(r of the analysis' valence, r of its sentiment score, number of sentences)."""
    rows = read_emoita(data / "emoita" / "emotivita_test_gold.csv")
    results = [analyse(text, "it") for text, _ in rows]
    gold = [v for _, v in rows]
    valence = [r.sentiment_score if r.valence is None else r.valence for r in results]
    return pearson(valence, gold), pearson([r.sentiment_score for r in results], gold), len(rows)


def measure_throughput(texts: list[str], seconds: float = 3.0) -> float:
    """Texts per CPU second of this process (one core), language detection included.

    CPU time, not wall-clock time, so that other work on a shared machine does not count.
    """
    analyse(texts[0])
    done = 0
    started = time.process_time()
    while time.process_time() - started < seconds:
        for text in texts:
            analyse(text)
        done += len(texts)
    return done / (time.process_time() - started)


def measure_load_seconds() -> float:
    """CPU seconds to import and load the lexicons and the trained model in a fresh
    interpreter (median of three)."""
    code = (
        "import time; t = time.process_time(); "
        "from ascolto.textanalysis import analyser, shipped_model; analyser.load(); shipped_model.get_model(); "
        "print(time.process_time() - t)"
    )
    runs = []
    for _ in range(3):
        out = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        runs.append(float(out.stdout.strip()))
    return statistics.median(runs)


# --- Report -------------------------------------------------------------------------------------


@dataclass
class Row:
    metric: str
    data: str
    value: float | None
    target: float | None
    higher_is_better: bool = True
    unit: str = ""
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "not run"
        if self.target is None:
            return ""
        ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "met" if ok else "short"

    def cells(self) -> list[str]:
        def fmt(v: float | None) -> str:
            if v is None:
                return "-"
            return f"{v:,.0f}" if v >= 100 else f"{v:.3f}"

        target = "" if self.target is None else ("≥ " if self.higher_is_better else "< ")
        target += "" if self.target is None else fmt(self.target)
        return [self.metric, self.data, fmt(self.value) + self.unit, target, self.verdict]


def run_all(
    data: Path | None, *, seconds: float = 3.0, skip_external: bool = False
) -> tuple[list[Row], dict]:
    rows: list[Row] = []
    dev = load_devset()
    held = [r for r in dev if r["split"] == "heldout"]
    extra: dict = {}
    for name, subset, fn in (
        ("held-out", held, analyse),
        ("all", dev, analyse),
        ("held-out, rules only", held, analyse_rules),
    ):
        result = evaluate_devset(subset, fn=fn)
        extra[name] = result
        counts = {lang: sum(1 for r in subset if r["lang"] == lang) for lang in ("it", "en")}
        for lang in ("it", "en"):
            rows.append(
                Row(
                    f"sentiment macro-F1 ({lang})",
                    f"devset {name} ({counts[lang]})",
                    result.sentiment_f1.get(lang),
                    TARGETS["sentiment_f1"],
                )
            )
        rows.append(
            Row(
                "emotion macro-F1",
                f"devset {name} ({result.n})",
                result.emotion_f1,
                TARGETS["emotion_f1"],
            )
        )
        rows.append(
            Row(
                "aspect micro-F1",
                f"devset {name} ({result.n})",
                result.aspect_f1,
                TARGETS["aspect_f1"],
            )
        )
    if not skip_external and data is not None:
        if (data / "ate-absita-2020").is_dir():
            f1, n = evaluate_absita(data)
            rows.append(
                Row(
                    "binary sentiment macro-F1",
                    f"ATE_ABSITA 1-2★ vs 4-5★ ({n})",
                    f1,
                    TARGETS["absita_f1"],
                )
            )
        else:
            rows.append(Row("binary sentiment macro-F1", "ATE_ABSITA (missing)", None, 0.85))
        if (data / "emoita").is_dir():
            r, r_sentiment, n = evaluate_emoita(data)
            rows.append(Row("valence Pearson r", f"EmoITA test gold ({n})", r, TARGETS["emoita_r"]))
            rows.append(
                Row(
                    "valence Pearson r, sentiment score",
                    f"EmoITA test gold ({n})",
                    r_sentiment,
                    None,
                )
            )
        else:
            rows.append(Row("valence Pearson r", "EmoITA (missing)", None, 0.65))
    texts = [r["text"] for r in dev]
    rows.append(
        Row(
            "throughput",
            f"devset texts, 1 core, CPU time ({len(texts)})",
            measure_throughput(texts, seconds),
            TARGETS["throughput"],
            unit=" texts/s",
        )
    )
    rows.append(
        Row(
            "model load time",
            "fresh interpreter, CPU time, median of 3",
            measure_load_seconds(),
            TARGETS["load_seconds"],
            higher_is_better=False,
            unit=" s",
        )
    )
    return rows, extra


HEADERS = ["Metric", "Data", "Value", "Target", "Verdict"]


def render_table(rows: list[Row]) -> str:
    cells = [HEADERS] + [r.cells() for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = []
    for k, c in enumerate(cells):
        lines.append("  ".join(c[i].ljust(widths[i]) for i in range(len(HEADERS))).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows: list[Row]) -> str:
    out = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for r in rows:
        out.append("| " + " | ".join(r.cells()) + " |")
    return "\n".join(out)


__all__ = [
    "ASPECTS",
    "DEFAULT_DATA",
    "evaluate_devset",
    "load_devset",
    "macro_f1",
    "micro_f1_sets",
    "pearson",
    "render_markdown",
    "render_table",
    "run_all",
]


# --- Command-line entry (`ascolto bench text`) --------------------------------------------------


def add_text_parser(subparsers) -> None:
    """Register `bench text` on the shared `ascolto bench` command."""
    parser = subparsers.add_parser("text", help="Evaluate the text analyser against its targets.")
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="Folder with ate-absita-2020/ and emoita/ (default: ../shared/benchmarks).",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="Print a docs/benchmarks.md section."
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="Throughput measuring time.")
    parser.add_argument(
        "--skip-external", action="store_true", help="Only the development set and timings."
    )


def handle_text(command, options: dict) -> None:
    from django.core.management.base import CommandError

    data = options["data"]
    if not options["skip_external"] and not Path(data).is_dir():
        raise CommandError(f"No benchmark folder at {data}: pass --data DIR or --skip-external.")
    if options["seconds"] <= 0:
        raise CommandError("--seconds must be positive.")
    rows, _ = run_all(
        Path(data), seconds=options["seconds"], skip_external=options["skip_external"]
    )
    if options["markdown"]:
        command.stdout.write(render_markdown(rows))
    else:
        command.stdout.write(render_table(rows))
