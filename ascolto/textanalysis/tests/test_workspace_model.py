"""Learning from corrections: a per-workspace model, used only where it beats the base."""

from __future__ import annotations

import json

from django.core.management import call_command
from django.urls import reverse

from ascolto.core.testing import run_pending_tasks
from ascolto.textanalysis import explain, workspace_model
from ascolto.textanalysis.analyser import analyse
from ascolto.textanalysis.models import TextAnalysis, TextModel
from ascolto.textanalysis.services import (
    text_analysis_preview,
    text_analysis_store,
    text_correction_record,
    text_model_train,
)
from ascolto.textanalysis.tests import stored_fixtures as fx

N = 130


def _jargon(n: int) -> tuple[str, str, str]:
    """Texts that differ only in the workspace's own code word: the base analyser cannot tell
    them apart, the staff can."""
    if n % 2:
        return f"pratica {n} chiusa con codice zorblat", "negative", "anger"
    return f"pratica {n} chiusa con codice quindal", "positive", "joy"


def _analysed(workspace, texts: list[str]) -> list[TextAnalysis]:
    cust = fx.customer(workspace)
    for text in texts:
        fx.interaction(cust, text)
    call_command("textanalysis", "backfill", "--workspace", str(workspace.pk), "--no-progress")
    return list(TextAnalysis.objects.filter(workspace=workspace).order_by("source_id"))


def _correct_all(analyses, member, labels) -> None:
    for analysis, (sentiment, emotion) in zip(analyses, labels, strict=True):
        text_correction_record(
            analysis=analysis, by=member, sentiment=sentiment, emotion=emotion, aspects=[]
        )


def test_model_that_beats_the_base_is_used_only_in_its_workspace(
    workspace_a, workspace_b, alice, mallory
):
    """GIVEN 130 corrections in A teaching two code words the base analyser cannot read
    WHEN A's model is trained THEN it beats the base on the held-back corrections and is in use
    in A; the same new text in B is still labelled by the base analyser alone."""
    items = [_jargon(n) for n in range(N)]
    analyses = _analysed(workspace_a, [t for t, _, _ in items])
    _correct_all(analyses, alice, [(s, e) for _, s, e in items])
    model = text_model_train(workspace_id=workspace_a.pk)
    assert model is not None and model.trained_on == N
    assert 0 < model.test_size < N and model.train_size + model.test_size == N
    assert model.sentiment_accuracy > model.sentiment_base_accuracy and model.sentiment_in_use
    assert model.emotion_accuracy > model.emotion_base_accuracy and model.emotion_in_use
    json.dumps(model.params)  # plain JSON, nothing else

    new = "pratica 9999 chiusa con codice zorblat"
    base = analyse(new)
    in_a = text_analysis_preview(workspace_id=workspace_a.pk, text=new)
    assert (in_a.sentiment, in_a.emotion) == ("negative", "anger")
    learnt_lines = [line for line in in_a.explanation if line.startswith("workspace model")]
    assert learnt_lines and all(explain.reason(line).kind == "learnt" for line in learnt_lines)
    in_b = text_analysis_preview(workspace_id=workspace_b.pk, text=new)
    assert (in_b.sentiment, in_b.emotion) == (base.sentiment_label, base.emotion_label)
    assert not in_b.learned

    # Stored analyses too: B's text keeps the base labels, A's gets the learnt ones.
    note_b = fx.interaction(fx.customer(workspace_b), new)
    stored_b = text_analysis_store(
        workspace_id=workspace_b.pk, source_kind="interaction", source_id=note_b.pk
    )
    assert (stored_b.sentiment, stored_b.emotion, stored_b.learned) == (
        base.sentiment_label,
        base.emotion_label,
        False,
    )
    note_a = fx.interaction(fx.customer(workspace_a), new)
    stored_a = text_analysis_store(
        workspace_id=workspace_a.pk, source_kind="interaction", source_id=note_a.pk
    )
    assert (stored_a.sentiment, stored_a.emotion) == ("negative", "anger")


def test_model_that_does_not_beat_the_base_is_not_used(workspace_a, alice):
    """GIVEN 130 corrections that agree with the base analyser WHEN the model is trained THEN
    the base is as good on the held-back corrections, so the model is not in use and new texts
    keep the base labels."""
    texts = [_jargon(n)[0] for n in range(N)]
    analyses = _analysed(workspace_a, texts)
    labels = [(analyse(t).sentiment_label, analyse(t).emotion_label) for t in texts]
    _correct_all(analyses, alice, labels)
    model = text_model_train(workspace_id=workspace_a.pk)
    assert model.sentiment_base_accuracy == 1.0 and model.emotion_base_accuracy == 1.0
    assert not model.sentiment_in_use and not model.emotion_in_use
    new = "pratica 9999 chiusa con codice zorblat"
    base = analyse(new)
    preview = text_analysis_preview(workspace_id=workspace_a.pk, text=new)
    assert (preview.sentiment, preview.emotion, preview.learned) == (
        base.sentiment_label,
        base.emotion_label,
        False,
    )


def test_training_starts_in_the_background_at_100_corrections(
    workspace_a, alice, django_capture_on_commit_callbacks
):
    items = [_jargon(n) for n in range(workspace_model.MIN_CORRECTIONS)]
    analyses = _analysed(workspace_a, [t for t, _, _ in items])
    _correct_all(analyses[:-1], alice, [(s, e) for _, s, e in items[:-1]])
    assert not TextModel.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _correct_all(analyses[-1:], alice, [items[-1][1:]])
    run_pending_tasks()
    model = TextModel.objects.get(workspace=workspace_a)
    assert model.trained_on == workspace_model.MIN_CORRECTIONS
    assert text_model_train(workspace_id=workspace_a.pk).pk == model.pk  # once per count


def test_corrections_in_a_never_change_b(workspace_a, workspace_b, alice):
    text = "Il tecnico è arrivato dopo tre giorni"
    (a,) = _analysed(workspace_a, [text])
    (b,) = _analysed(workspace_b, [text])
    text_correction_record(analysis=a, by=alice, sentiment="positive", emotion="trust", aspects=[])
    b.refresh_from_db()
    base = analyse(text)
    assert (b.sentiment, b.emotion) == (base.sentiment_label, base.emotion_label)
    assert not b.corrections.exists()


def test_correction_from_another_workspace_is_refused(workspace_a, mallory):
    import pytest
    from django.core.exceptions import PermissionDenied

    (a,) = _analysed(workspace_a, ["Tutto bene, grazie"])
    with pytest.raises(PermissionDenied):
        text_correction_record(
            analysis=a, by=mallory, sentiment="negative", emotion="anger", aspects=[]
        )
    assert not a.corrections.exists()


def test_naive_bayes_round_trips_through_json():
    model = workspace_model.NaiveBayes.fit(["ottimo servizio", "pessimo servizio"], ["pos", "neg"])
    again = workspace_model.NaiveBayes.from_json(json.loads(json.dumps(model.to_json())))
    assert again.probabilities("pessimo") == model.probabilities("pessimo")
    assert max(again.probabilities("pessimo").items(), key=lambda kv: kv[1])[0] == "neg"


# --- Aspects ---------------------------------------------------------------------------------


def _aspect_jargon(n: int) -> tuple[str, list[str]]:
    """Two code words the base analyser cannot place: one is about the price, the other about
    reliability, as the workspace's staff know."""
    if n % 2:
        return f"pratica {n} chiusa con codice zorblat", ["price"]
    return f"pratica {n} chiusa con codice quindal", ["reliability"]


def _correct_aspects(analyses, member, aspect_sets) -> None:
    for analysis, aspects in zip(analyses, aspect_sets, strict=True):
        text_correction_record(
            analysis=analysis,
            by=member,
            sentiment=analysis.predicted_sentiment,
            emotion=analysis.predicted_emotion,
            aspects=aspects,
        )


def _base_aspects(text: str) -> list[str]:
    return sorted(a.name for a in analyse(text).aspects)


def test_aspect_model_that_beats_the_base_is_used_only_in_its_workspace(
    workspace_a, workspace_b, alice, alice_client, mallory_client
):
    """GIVEN 130 corrections in A saying which aspect each code word is about WHEN A's model
    is trained THEN its aspect micro-F1 on the held-back corrections beats the base's, aspects
    are in use in A (preview and stored analyses, with an explanation line), while the same
    text in B keeps the base analyser's aspects."""
    items = [_aspect_jargon(n) for n in range(N)]
    analyses = _analysed(workspace_a, [t for t, _ in items])
    _correct_aspects(analyses, alice, [a for _, a in items])
    model = text_model_train(workspace_id=workspace_a.pk)
    assert set(model.params["aspects"]) == {"price", "reliability"}
    assert model.aspects_f1 > model.aspects_base_f1 and model.aspects_in_use
    assert model.in_use
    json.dumps(model.params)
    page = alice_client.get(reverse("textanalysis:comment-list")).content.decode()
    row = page[page.index('<tr data-label="aspects"') :]
    row = row[: row.index("</tr>")]
    assert 'data-in-use="1"' in row
    assert f"<td>{round(model.aspects_f1 * 100)}%</td>" in row
    assert f"<td>{round(model.aspects_base_f1 * 100)}%</td>" in row
    assert (
        'data-label="aspects"'
        not in mallory_client.get(reverse("textanalysis:comment-list")).content.decode()
    )

    new = "pratica 9999 chiusa con codice zorblat"
    base = _base_aspects(new)
    assert "price" not in base
    in_a = text_analysis_preview(workspace_id=workspace_a.pk, text=new)
    assert "price" in {a["name"] for a in in_a.aspects} and in_a.learned
    assert "workspace model: aspect price added" in in_a.explanation
    assert all(explain.reason(line).known for line in in_a.explanation)
    in_b = text_analysis_preview(workspace_id=workspace_b.pk, text=new)
    assert sorted(a["name"] for a in in_b.aspects) == base and not in_b.learned

    note_a = fx.interaction(fx.customer(workspace_a), new)
    stored_a = text_analysis_store(
        workspace_id=workspace_a.pk, source_kind="interaction", source_id=note_a.pk
    )
    assert "price" in set(stored_a.aspect_rows.values_list("name", flat=True))
    note_b = fx.interaction(fx.customer(workspace_b), new)
    stored_b = text_analysis_store(
        workspace_id=workspace_b.pk, source_kind="interaction", source_id=note_b.pk
    )
    assert sorted(stored_b.aspect_rows.values_list("name", flat=True)) == base


def test_aspect_model_that_does_not_beat_the_base_is_not_used(workspace_a, alice):
    """GIVEN 130 corrections that keep the base analyser's aspects, half of them texts with
    aspects (so per-aspect models are trained) WHEN the model is trained THEN the base's
    micro-F1 is perfect, the model cannot beat it and new texts keep the base aspects."""
    texts = [
        f"Il tecnico è arrivato dopo {n} giorni, fattura sbagliata" if n % 2 else _jargon(n)[0]
        for n in range(N)
    ]
    analyses = _analysed(workspace_a, texts)
    _correct_aspects(analyses, alice, [_base_aspects(t) for t in texts])
    model = text_model_train(workspace_id=workspace_a.pk)
    assert model.params["aspects"], "per-aspect models were trained"
    assert model.aspects_base_f1 == 1.0 and not model.aspects_in_use
    for new in ("pratica 9999 chiusa con codice zorblat", "Il tecnico è arrivato dopo 7 giorni"):
        preview = text_analysis_preview(workspace_id=workspace_a.pk, text=new)
        assert sorted(a["name"] for a in preview.aspects) == _base_aspects(new)
        assert not any("aspect" in line for line in preview.explanation if "workspace" in line)


def test_aspect_correction_in_a_never_changes_b(workspace_a, workspace_b, alice):
    text = "Il tecnico è arrivato dopo tre giorni"
    (a,) = _analysed(workspace_a, [text])
    (b,) = _analysed(workspace_b, [text])
    text_correction_record(
        analysis=a, by=alice, sentiment="negative", emotion="anger", aspects=["tangibles"]
    )
    assert list(a.aspect_rows.values_list("name", flat=True)) == ["tangibles"]
    assert sorted(b.aspect_rows.values_list("name", flat=True)) == _base_aspects(text)


def test_micro_f1_by_hand():
    """predicted {a, b} vs true {a}: tp 1, fp 1; {} vs {c}: fn 1 -> 2 / (2 + 1 + 1) = 0.5."""
    assert workspace_model.micro_f1([({"a", "b"}, {"a"}), (set(), {"c"})]) == 0.5
    assert workspace_model.micro_f1([(set(), set())]) == 1.0


def test_aspect_without_enough_corrections_gets_no_model():
    examples = [
        workspace_model.AspectExample(
            f"testo {n}", f"{n:064x}", frozenset({"price"} if n < 3 else ()), frozenset()
        )
        for n in range(40)
    ]
    evaluation = workspace_model.aspects_train_and_evaluate(examples, ["price", "quality"])
    assert evaluation.models == {} and not evaluation.beats_base
