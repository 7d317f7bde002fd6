"""The shipped data: forms table up to date, development set well formed."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from ascolto.textanalysis.analyser import ASPECTS, DATA_DIR, EMOTION_LABELS, SENTIMENT_LABELS
from ascolto.textanalysis.devset import load_devset


def test_devset_is_big_and_well_formed():
    rows = load_devset()
    langs = Counter(r["lang"] for r in rows)
    assert langs["it"] >= 250 and langs["en"] >= 150
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["text"].strip()
        assert r["sentiment"] in SENTIMENT_LABELS
        assert r["emotion"] in EMOTION_LABELS
        assert set(r["aspects"]) <= set(ASPECTS)
        assert r["split"] in ("tune", "heldout")
    held = sum(1 for r in rows if r["split"] == "heldout") / len(rows)
    assert 0.2 < held < 0.4


def test_forms_tables_match_the_lexicons():
    simplemma = pytest.importorskip("simplemma")
    assert simplemma
    from ascolto.textanalysis.lemma_forms_build import build

    for language in ("it", "en"):
        shipped = json.loads((DATA_DIR / f"forms_{language}.json").read_text(encoding="utf-8"))
        assert shipped == build(language), (
            f"forms_{language}.json is stale: run python -m ascolto.textanalysis.lemma_forms_build"
        )


def test_no_pickle_in_package_data():
    assert not [p for p in DATA_DIR.iterdir() if p.suffix in (".pkl", ".pickle", ".joblib")]
