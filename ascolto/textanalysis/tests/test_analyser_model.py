"""The trained model: safe format, loaded once, the blend with the rules, the fixed split."""

from __future__ import annotations

import json
import threading

import pytest

from ascolto.textanalysis import analyser, shipped_model_build
from ascolto.textanalysis import shipped_model as model
from ascolto.textanalysis.analyser import analyse, analyse_rules
from ascolto.textanalysis.devset import load_devset


def _tiny_model(sentiment_bias: tuple[float, float, float], word: str = "cassetto") -> model.Model:
    """A hand-made customer group: `word` pushes the sentiment by `sentiment_bias`."""
    outputs = (
        [f"sentiment:{s}" for s in analyser.SENTIMENT_LABELS]
        + [f"emotion:{e}" for e in analyser.EMOTION_LABELS]
        + [f"aspect:{a}" for a in analyser.ASPECTS]
    )
    weights = [0.0] * len(outputs)
    weights[0:3] = sentiment_bias
    weights[3 + analyser.EMOTION_LABELS.index("anger")] = 8.0
    weights[3 + len(analyser.EMOTION_LABELS) + analyser.ASPECTS.index("timeliness")] = 8.0
    data = {
        "format": model.FORMAT,
        "groups": {
            "customer": {
                "outputs": outputs,
                "intercepts": [0.0] * 3 + [0.0] * 6 + [-4.0] * 8,
                "features": ["w " + word],
                "idf": [1.0],
                "weights": [weights],
            }
        },
    }
    return model._parse(json.loads(json.dumps(data)))


def _blended(text: str, trained: model.Model) -> analyser.Analysis:
    result = analyse_rules(text, "it")
    tokens = analyser._tokens(analyser.normalise(text))
    analyser._blend(result, tokens, trained)
    return result


def test_shipped_model_is_json_with_both_groups():
    """GIVEN the package data WHEN the model file is read THEN it is plain JSON (no pickle)
    with the customer and valence groups, and no pickle-like file ships next to it."""
    raw = model.MODEL_PATH.read_bytes()
    assert raw[:1] == b"{"
    data = json.loads(raw)
    assert data["format"] == model.FORMAT
    assert set(data["groups"]) == {"customer", "valence"}
    assert "CC BY-SA 4.0" in data["meta"]["valence"]
    suffixes = {p.suffix for p in model.MODEL_PATH.parent.iterdir()}
    assert not suffixes & {".pkl", ".pickle", ".joblib", ".npy", ".npz"}


def test_model_is_loaded_once_across_threads():
    """GIVEN a fresh process state WHEN eight threads analyse at once THEN the file is read once."""
    model.reset()
    before = model.LOADS
    errors = []

    def work():
        try:
            for _ in range(5):
                analyse("Il tecnico non è ancora arrivato")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert model.LOADS == before + 1
    assert model.get_model() is model.get_model()


@pytest.mark.parametrize(
    "content",
    [
        b"\x80\x04\x95pickle",  # a pickle stream is not JSON
        b'{"format": "something-else", "groups": {}}',
        b'{"format": "ascolto-textmodel-1", "groups": {"g": {"outputs": ["a"],'
        b' "intercepts": [0.0], "features": ["w x", "w y"], "idf": [1.0],'
        b' "weights": [[1.0]]}}}',
        b'{"format": "ascolto-textmodel-1", "groups": {"g": {"outputs": ["a"],'
        b' "intercepts": [0.0], "features": ["w x"], "idf": [1.0], "weights": [[1.0, 2.0]]}}}',
    ],
)
def test_malformed_model_file_is_a_clear_error(tmp_path, content):
    """GIVEN a model file that is not ours or is inconsistent WHEN loaded THEN ModelError."""
    path = tmp_path / "model.json"
    path.write_bytes(content)
    with pytest.raises(model.ModelError):
        model.load_model(path)


def test_without_a_model_file_the_rules_answer_alone(tmp_path, monkeypatch):
    """GIVEN no model file WHEN a text is analysed THEN the result is the rules' result."""
    monkeypatch.setattr(model, "MODEL_PATH", tmp_path / "absent.json")
    model.reset()
    try:
        text = "Complimenti, terzo giorno senza internet"
        assert model.get_model() is None
        assert analyse(text).to_dict() == analyse_rules(text).to_dict()
    finally:
        model.reset()


def test_blend_model_fills_the_gap_when_the_rules_are_silent():
    """GIVEN a text with no rule cue and a model that reads it as negative
    WHEN blended THEN it is negative, angry and about timeliness, with the model's cue."""
    text = "Il preventivo è rimasto nel cassetto"
    assert analyse_rules(text, "it").sentiment_score == 0.0
    result = _blended(text, _tiny_model((6.0, -3.0, -3.0)))
    assert result.sentiment_label == "negative"
    assert result.emotion_label == "anger"
    assert {a.name: a.cues for a in result.aspects}["timeliness"] == ["cassetto"]
    assert any(line.startswith("blend: rules +0.00") for line in result.explanation)
    assert result.explanation[-1].startswith("sentiment negative")


def test_blend_rules_lead_when_they_are_confident():
    """GIVEN a clearly negative text (irony, missing service) and a model that reads it as
    positive WHEN blended THEN it stays negative and the score stays in [-1, 1]."""
    text = "Complimenti, terzo giorno senza internet, cassetto"
    rules = analyse_rules(text, "it")
    assert rules.sentiment_score < -0.8
    result = _blended(text, _tiny_model((-6.0, -3.0, 9.0)))
    assert result.sentiment_label == "negative"
    assert rules.sentiment_score < result.sentiment_score <= 1.0


def test_blend_keeps_negation_and_intensity_order():
    """GIVEN the shipped model WHEN negation, capitals and diminishers change a text
    THEN the blended result follows the rules' direction."""
    assert analyse("Non sono per niente soddisfatto").sentiment_label == "negative"
    assert analyse("Sono soddisfatto").sentiment_label == "positive"
    assert (
        analyse("Servizio lento").sentiment_score < analyse("Servizio un po' lento").sentiment_score
    )
    calm = analyse("servizio pessimo, vergogna").sentiment_score
    assert analyse("SERVIZIO PESSIMO, VERGOGNA!!!").sentiment_score < calm


def test_features_are_bounded_on_very_long_text():
    """GIVEN 100,000 characters WHEN features are extracted THEN only the first words count."""
    words = analyser.model_words("parola " * 20_000)
    counts = model.features(words)
    assert counts["w parola"] == model.MAX_TOKENS
    assert len(counts) <= 4


def test_devset_split_is_fixed_by_id_hash():
    """GIVEN the development set WHEN each row's split is recomputed from its id
    THEN it matches: the held-out rows are chosen by hash, not by hand."""
    rows = load_devset()
    assert all(r["split"] == shipped_model_build.split_of(r["id"]) for r in rows)


def test_training_reads_only_the_tune_split():
    """GIVEN the training loader WHEN it reads the development set THEN no held-out row."""
    rows = shipped_model_build.load_tune_rows()
    assert rows and all(r["split"] == "tune" for r in rows)
    held = {r["text"] for r in load_devset() if r["split"] == "heldout"}
    assert not held & {r["text"] for r in rows}


# The file rounds weights to 4 decimals; the ridge solver's last bit depends on the machine's
# linear-algebra kernels (processor, numpy/scipy build), so a rebuild elsewhere may round a few
# weights the other way.
ROUNDING = 1.5e-4


def _differences(shipped, rebuilt, path: str = "") -> list[str]:
    """Where two decoded model files differ: any key, length, string or integer, or a number
    by more than the file's rounding."""
    if isinstance(shipped, dict) and isinstance(rebuilt, dict):
        if shipped.keys() != rebuilt.keys():
            return [f"{path}: keys {sorted(shipped)} != {sorted(rebuilt)}"]
        return [d for k in shipped for d in _differences(shipped[k], rebuilt[k], f"{path}/{k}")]
    if isinstance(shipped, list) and isinstance(rebuilt, list):
        if len(shipped) != len(rebuilt):
            return [f"{path}: {len(shipped)} items != {len(rebuilt)}"]
        return [d for a, b in zip(shipped, rebuilt, strict=True) for d in _differences(a, b, path)]
    if isinstance(shipped, float) or isinstance(rebuilt, float):
        numbers = all(isinstance(v, int | float) for v in (shipped, rebuilt))
        if numbers and abs(shipped - rebuilt) <= ROUNDING:
            return []
    elif shipped == rebuilt and type(shipped) is type(rebuilt):
        return []
    return [f"{path}: {shipped!r} != {rebuilt!r}"]


def test_model_comparison_tolerates_rounding_only():
    assert _differences({"w": [[0.2046], [1]]}, {"w": [[0.2045], [1]]}) == []
    assert _differences({"w": [[0.2046]]}, {"w": [[0.2043]]}) == ["/w: 0.2046 != 0.2043"]
    assert _differences({"f": ["w a"]}, {"f": ["w b"]}) == ["/f: 'w a' != 'w b'"]
    assert _differences({"f": [1, 2]}, {"f": [1]}) == ["/f: 2 items != 1"]
    assert _differences({"a": 1}, {"b": 1}) == [": keys ['a'] != ['b']"]


@pytest.mark.slow  # about two minutes: the whole model is trained again
def test_shipped_model_is_rebuilt_identically():
    """GIVEN scikit-learn and EmoITA WHEN the model is retrained from the repository's data
    THEN the result is the shipped file: the same features, labels and settings, every weight
    within the file's rounding (reproducible, nothing hand-edited)."""
    pytest.importorskip("sklearn")
    if not (shipped_model_build.DEFAULT_EMOITA / "emotivita_dev.csv").is_file():
        pytest.skip("EmoITA not available next to the repository")
    rebuilt = json.loads(shipped_model_build.dumps(shipped_model_build.train()))
    shipped = json.loads(model.MODEL_PATH.read_text(encoding="utf-8"))
    differences = _differences(shipped, rebuilt)
    assert not differences, (
        "data/model.json is stale: run python -m ascolto.textanalysis.shipped_model_build\n"
        + "\n".join(differences[:20])
    )


def _char_group() -> tuple[dict, model.Group]:
    """A hand-made valence group with two word features and three character n-grams."""
    raw = {
        "outputs": ["valence"],
        "intercepts": [3.0],
        "features": ["w guasto", "w ottimo", "c <gu", "c uas", "c imo>"],
        "idf": [1.5, 2.0, 1.2, 1.7, 2.2],
        "weights": [[-1.0], [1.5], [-0.4], [-0.6], [0.8]],
    }
    return raw, model._parse({"format": model.FORMAT, "groups": {"valence": raw}}).groups["valence"]


def test_character_block_is_computed_word_by_word_as_in_training():
    """GIVEN a group with a character block WHEN a text is scored twice (the second time from
    the per-word cache) THEN both equal the training-time transform (word block and character
    block, each normalised as `training` builds them) dotted with the weights."""
    scipy = pytest.importorskip("scipy.sparse")
    raw, group = _char_group()
    text = "Guasto guasto, ottimo il resto: un guasto ottimo"
    words = analyser.model_words(text)
    counts = model.features(words)
    names = raw["features"]
    word_names = [n for n in names if not n.startswith("c ")]
    gram_names = [n[2:] for n in names if n.startswith("c ")]
    idf = dict(zip(names, raw["idf"], strict=True))
    x = scipy.hstack(
        [
            shipped_model_build._matrix([counts], word_names, [idf[n] for n in word_names]),
            shipped_model_build._char_matrix(
                [shipped_model_build.gram_counts(words)],
                gram_names,
                [idf["c " + g] for g in gram_names],
            ),
        ]
    ).toarray()[0]
    expected = 3.0 + sum(v * w[0] for v, w in zip(x, raw["weights"], strict=True))
    group.char_cache.clear()
    first = model.raw_outputs(counts, group, words)[0]
    assert group.char_cache  # words now cached
    second = model.raw_outputs(counts, group, words)[0]
    assert first == pytest.approx(expected, abs=1e-9)
    assert second == pytest.approx(expected, abs=1e-9)
    # Without the words, only the word block counts.
    assert model.raw_outputs(counts, group)[0] != pytest.approx(expected, abs=1e-3)


def test_character_block_needs_a_single_output():
    """GIVEN a group with character n-grams and two outputs WHEN parsed THEN ModelError."""
    raw = {
        "outputs": ["a", "b"],
        "intercepts": [0.0, 0.0],
        "features": ["c abc"],
        "idf": [1.0],
        "weights": [[1.0, 2.0]],
    }
    with pytest.raises(model.ModelError, match="single output"):
        model._parse({"format": model.FORMAT, "groups": {"g": raw}})


def test_char_grams_mark_the_word_edges_and_skip_non_words():
    assert model.char_grams("ok") == ["<ok", "ok>", "<ok>"]
    assert "<gua" in model.char_grams("guasto") and "sto>" in model.char_grams("guasto")
    assert model.char_grams("!") == [] and model.char_grams("42") == []


def test_analysis_valence_comes_from_the_model_and_stays_out_of_the_json():
    """GIVEN the shipped model WHEN a pleasant and an unpleasant text are analysed THEN each has
    a valence on EmoITA's 1-5 scale, ordered, not in `to_dict()`; the rules alone give none."""
    happy = analyse("Che bella giornata, siamo felicissimi del regalo")
    sad = analyse("Una tragedia terribile, tante vittime e dolore")
    assert 1.0 <= sad.valence < happy.valence <= 5.0
    assert "valence" not in happy.to_dict()
    assert analyse_rules("Che bella giornata").valence is None
    assert analyse("!!!").valence is None
