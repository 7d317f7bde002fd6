"""Rebuild `data/model.json`, the trained part of the analyser, reproducibly.

    python -m ascolto.textanalysis.shipped_model_build [--emoita DIR] [--check]
    ascolto analyse --train [--emoita DIR]

Training data (nothing else):
- the `tune` split of our development set (`data/devset.jsonl`, written for this product):
  sentiment, emotion and aspects (group `customer`); the `heldout` split is never read here;
- EmoITA / EmotivITA `emotivita_dev.csv` (Gafà, Cutugno, Venuti, EVALITA 2023; CC BY-SA 4.0):
  valence (group `valence`). Its test file is never read here (it is the benchmark).
ATE_ABSITA is never used for training (its licence allows evaluation only).

Needs scikit-learn (the `test` extra); the analyser does not need it at run time. Every step is
deterministic (liblinear/lbfgs solvers, sorted vocabularies, folds by a hash of the row id), so
the same inputs give the same file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
from pathlib import Path

from ascolto.textanalysis import analyser
from ascolto.textanalysis import shipped_model as model
from ascolto.textanalysis.analyser import ASPECTS, EMOTION_LABELS, SENTIMENT_LABELS

DATA_DIR = analyser.DATA_DIR
DEVSET = DATA_DIR / "devset.jsonl"
DEFAULT_EMOITA = DATA_DIR.parents[2].parent / "shared" / "benchmarks" / "emoita"

# Hyper-parameters, chosen by 5-fold cross-validation on the tune split (see `--cv`).
CUSTOMER_C = {"sentiment": 8.0, "emotion": 8.0, "aspect": 8.0}
CUSTOMER_MIN_DF = 1
VALENCE_ALPHA = 1.5
VALENCE_MIN_DF = 2
VALENCE_CHAR_MIN_DF = 2
DECIMALS = 4
PRUNE = 0.002


def split_of(row_id: str) -> str:
    """The fixed split of a development-set row: 30 % held out by a hash of its id."""
    return "heldout" if int(hashlib.sha256(row_id.encode()).hexdigest(), 16) % 10 < 3 else "tune"


def load_tune_rows(path: Path = DEVSET) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [r for r in rows if r["split"] == "tune"]


def load_emoita_dev(emoita: Path) -> list[tuple[str, float]]:
    with (emoita / "emotivita_dev.csv").open(encoding="utf-8", newline="") as fh:
        return [(row["text"], float(row["V"])) for row in csv.DictReader(fh)]


def text_counts(text: str) -> dict[str, float]:
    return model.features(analyser.model_words(text))


def gram_counts(words: list[str]) -> dict[str, float]:
    """Counts of the character n-grams of a text's words (the character block)."""
    counts: dict[str, float] = {}
    for tok in words[: model.MAX_TOKENS]:
        for gram in model.char_grams(tok):
            counts[gram] = counts.get(gram, 0.0) + 1.0
    return counts


# --- Fitting --------------------------------------------------------------------------------


def _vocabulary(docs: list[dict[str, float]], min_df: int) -> tuple[list[str], list[float]]:
    df: dict[str, int] = {}
    for counts in docs:
        for feat in counts:
            df[feat] = df.get(feat, 0) + 1
    names = sorted(f for f, d in df.items() if d >= min_df)
    n = len(docs)
    idf = [math.log((1 + n) / (1 + df[f])) + 1.0 for f in names]
    return names, idf


def _matrix(docs: list[dict[str, float]], names: list[str], idf: list[float]):
    from scipy.sparse import csr_matrix

    index = {f: i for i, f in enumerate(names)}
    data, cols, ptr = [], [], [0]
    for counts in docs:
        row = [
            (index[f], (1.0 + math.log(c)) * idf[index[f]]) for f, c in counts.items() if f in index
        ]
        norm = math.sqrt(sum(v * v for _, v in row)) or 1.0
        for j, v in sorted(row):
            cols.append(j)
            data.append(v / norm)
        ptr.append(len(cols))
    return csr_matrix((data, cols, ptr), shape=(len(docs), len(names)))


def _char_matrix(docs: list[dict[str, float]], names: list[str], idf: list[float]):
    """The character block as `model.char_output` computes it: raw count x IDF, divided by the
    square root of the sum of IDF² over the text's known gram occurrences."""
    from scipy.sparse import csr_matrix

    index = {f: i for i, f in enumerate(names)}
    data, cols, ptr = [], [], [0]
    for counts in docs:
        row = sorted((index[f], c) for f, c in counts.items() if f in index)
        norm = math.sqrt(sum(c * idf[j] * idf[j] for j, c in row)) or 1.0
        for j, c in row:
            cols.append(j)
            data.append(c * idf[j] / norm)
        ptr.append(len(cols))
    return csr_matrix((data, cols, ptr), shape=(len(docs), len(names)))


def fit_customer(rows: list[dict], c: dict[str, float] | None = None) -> dict:
    """The `customer` group: sentiment and emotion (softmax), one logistic output per aspect."""
    from sklearn.linear_model import LogisticRegression

    c = c or CUSTOMER_C
    docs = [text_counts(r["text"]) for r in rows]
    names, idf = _vocabulary(docs, CUSTOMER_MIN_DF)
    x = _matrix(docs, names, idf)
    outputs: list[str] = []
    columns: list[list[float]] = []
    intercepts: list[float] = []
    for head, labels in (("sentiment", SENTIMENT_LABELS), ("emotion", EMOTION_LABELS)):
        y = [labels.index(r[head]) for r in rows]
        clf = LogisticRegression(C=c[head], max_iter=2000, class_weight="balanced")
        clf.fit(x, y)
        present = list(clf.classes_)
        for k, label in enumerate(labels):
            outputs.append(f"{head}:{label}")
            if k in present:
                columns.append(list(clf.coef_[present.index(k)]))
                intercepts.append(float(clf.intercept_[present.index(k)]))
            else:  # a label absent from the training data is never predicted
                columns.append([0.0] * len(names))
                intercepts.append(-30.0)
    for aspect in ASPECTS:
        y = [1 if aspect in r["aspects"] else 0 for r in rows]
        outputs.append(f"aspect:{aspect}")
        if len(set(y)) < 2:
            columns.append([0.0] * len(names))
            intercepts.append(-30.0)
            continue
        clf = LogisticRegression(C=c["aspect"], solver="liblinear", class_weight="balanced")
        clf.fit(x, y)
        columns.append(list(clf.coef_[0]))
        intercepts.append(float(clf.intercept_[0]))
    return _group(outputs, names, idf, columns, intercepts)


def fit_valence(pairs: list[tuple[str, float]]) -> dict:
    """The `valence` group: ridge regression of EmoITA valence (1-5) on the word features and
    a block of character n-grams (see `model.char_output`)."""
    from scipy.sparse import hstack
    from sklearn.linear_model import Ridge

    words = [analyser.model_words(t) for t, _ in pairs]
    docs = [model.features(w) for w in words]
    names, idf = _vocabulary(docs, VALENCE_MIN_DF)
    gram_docs = [gram_counts(w) for w in words]
    grams, gram_idf = _vocabulary(gram_docs, VALENCE_CHAR_MIN_DF)
    x = hstack([_matrix(docs, names, idf), _char_matrix(gram_docs, grams, gram_idf)]).tocsr()
    reg = Ridge(alpha=VALENCE_ALPHA)
    reg.fit(x, [v for _, v in pairs])
    return _group(
        ["valence"],
        names + ["c " + g for g in grams],
        idf + gram_idf,
        [list(reg.coef_)],
        [float(reg.intercept_)],
    )


def _group(outputs, names, idf, columns, intercepts) -> dict:
    """Features with every weight below PRUNE in size are dropped (they change no decision).
    Character n-grams are all kept: each one's IDF counts in its block's norm."""
    kept_names, kept_idf, kept_weights = [], [], []
    for j, feat in enumerate(names):
        weights = [round(float(col[j]), DECIMALS) for col in columns]
        if all(abs(w) < PRUNE for w in weights) and not feat.startswith("c "):
            continue
        kept_names.append(feat)
        kept_idf.append(round(idf[j], DECIMALS))
        kept_weights.append(weights)
    return {
        "outputs": outputs,
        "intercepts": [round(v, DECIMALS) for v in intercepts],
        "features": kept_names,
        "idf": kept_idf,
        "weights": kept_weights,
    }


def train(devset: Path = DEVSET, emoita: Path | None = DEFAULT_EMOITA) -> dict:
    rows = load_tune_rows(devset)
    groups = {"customer": fit_customer(rows)}
    meta = {
        "customer": f"{len(rows)} texts of the tune split of devset.jsonl (Ascolto, AGPL-3.0)",
    }
    if emoita is not None:
        pairs = load_emoita_dev(emoita)
        groups["valence"] = fit_valence(pairs)
        meta["valence"] = (
            f"{len(pairs)} sentences of EmoITA/EmotivITA emotivita_dev.csv "
            "(Gafà, Cutugno, Venuti, EVALITA 2023), CC BY-SA 4.0; these weights are derived "
            "data under CC BY-SA 4.0"
        )
    return {"format": model.FORMAT, "meta": meta, "groups": groups}


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def write(data: dict, path: Path = model.MODEL_PATH) -> None:
    path.write_text(dumps(data), encoding="utf-8")
    model.reset()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emoita", type=Path, default=DEFAULT_EMOITA)
    parser.add_argument(
        "--check", action="store_true", help="Fail if the shipped model differs from a rebuild."
    )
    args = parser.parse_args(argv)
    if not (args.emoita / "emotivita_dev.csv").is_file():
        print(f"No emotivita_dev.csv in {args.emoita}: pass --emoita DIR.", file=sys.stderr)
        return 2
    data = train(emoita=args.emoita)
    if args.check:
        same = model.MODEL_PATH.read_text(encoding="utf-8") == dumps(data)
        print("model.json is up to date" if same else "model.json is stale")
        return 0 if same else 1
    write(data)
    size = model.MODEL_PATH.stat().st_size
    print(f"wrote {model.MODEL_PATH} ({size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
