"""Writes for stored text analyses: analyse a saved text, correct its labels, learn from the
corrections.

Other apps call `text_analysis_request()` after saving a text, or `text_analyses_request()` for
several texts saved together (a survey response's comments); the analysis runs in the
background (`text_analysis_store_task`, `text_analyses_store_task`) and is idempotent: the
text's SHA-256 is stored, and the same text is never analysed twice. `text_analysis_backfill()`
(command `ascolto textanalysis backfill`, and the periodic `textanalysis-sweep` job) analyses
every text that has none yet.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.textanalysis import workspace_model
from ascolto.textanalysis.analyser import AnalysisError, analyse, emotion_for_sentiment
from ascolto.textanalysis.models import (
    AspectName,
    Emotion,
    Sentiment,
    SourceKind,
    TextAnalysis,
    TextAspect,
    TextCorrection,
    TextModel,
)
from ascolto.voice import services as voice_services
from ascolto.voice.models import Review
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.textanalysis")

BATCH_SIZE = 500
SWEEP_LIMIT = 2_000
MAX_TEXT = 20_000


# --- Texts of other apps ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceText:
    source_id: int
    text: str
    customer_id: int | None
    occurred_at: datetime


def _source_queryset(kind: str, workspace_id: int) -> QuerySet:
    """Rows of one kind of text in a workspace, annotated as (pk, text, customer, when)."""
    from django.db.models import F

    from ascolto.feedback.models import Answer

    if kind == SourceKind.SURVEY_ANSWER:
        return (
            Answer.objects.filter(response__workspace_id=workspace_id)
            .exclude(text="")
            .annotate(_customer=F("response__customer_id"), _when=F("response__submitted_at"))
        )
    if kind == SourceKind.INTERACTION:
        return (
            Interaction.objects.filter(workspace_id=workspace_id)
            .exclude(text="")
            .annotate(_customer=F("customer_id"), _when=F("occurred_at"))
        )
    if kind == SourceKind.STAFF_SIGNAL:
        return (
            StaffSignal.objects.filter(workspace_id=workspace_id)
            .exclude(text="")
            .annotate(_customer=F("customer_id"), _when=F("created_at"))
        )
    if kind == SourceKind.REVIEW:
        return (
            Review.objects.filter(workspace_id=workspace_id)
            .exclude(text="")
            .annotate(_customer=F("customer_id"), _when=F("published_at"))  # confirmed only
        )
    raise ValueError(f"unknown source kind: {kind!r}")


def source_texts(
    *, workspace_id: int, source_kind: str, ids: Iterable[int]
) -> dict[int, SourceText]:
    """The current texts with these ids (one query); missing or empty texts are left out."""
    ids = list(ids)
    if not ids:
        return {}
    rows = (
        _source_queryset(source_kind, workspace_id)
        .filter(pk__in=ids)
        .values_list("pk", "text", "_customer", "_when")
    )
    return {pk: SourceText(pk, text, customer, when) for pk, text, customer, when in rows}


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def analyser_version() -> str:
    """A short fingerprint of the analyser code and its data: changes when either changes."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in [here / "analyser.py", *sorted((here / "data").glob("*"))]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# --- Analysing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    language: str
    sentiment: str
    sentiment_score: float
    emotion: str
    emotion_scores: dict
    aspects: list[dict]
    explanation: list[str]
    learned: bool


class _Learnt:
    """A workspace model loaded once for a batch."""

    def __init__(self, model: TextModel | None):
        self.sentiment = self.emotion = None
        self.aspects: dict[str, workspace_model.NaiveBayes] = {}
        if model is None:
            return
        params = model.params or {}
        if model.sentiment_in_use and params.get("sentiment"):
            self.sentiment = workspace_model.NaiveBayes.from_json(params["sentiment"])
        if model.emotion_in_use and params.get("emotion"):
            self.emotion = workspace_model.NaiveBayes.from_json(params["emotion"])
        if model.aspects_in_use and params.get("aspects"):
            self.aspects = workspace_model.aspect_models_from_json(params["aspects"])


def text_model_current(*, workspace_id: int) -> TextModel | None:
    return (
        TextModel.objects.filter(workspace_id=workspace_id).order_by("-created_at", "-pk").first()
    )


# Texts whose labels a backfill keeps in memory at once.
MEMO_LIMIT = 20_000


def _labels(text: str, learnt: _Learnt) -> Labels:
    try:
        result = analyse(text[:MAX_TEXT])
    except AnalysisError:
        logger.warning("text could not be analysed", exc_info=True)
        result = analyse("")
    sentiment, emotion, learned = result.sentiment_label, result.emotion_label, False
    explanation = list(result.explanation)
    if learnt.sentiment is not None:
        blended = workspace_model.blend(sentiment, learnt.sentiment.probabilities(text))
        if blended != sentiment:
            explanation.append(f"workspace model: sentiment {sentiment} -> {blended}")
            sentiment, learned = blended, True
    if learnt.emotion is not None:
        blended = workspace_model.blend(emotion, learnt.emotion.probabilities(text))
        if blended != emotion:
            explanation.append(f"workspace model: emotion {emotion} -> {blended}")
            emotion, learned = blended, True
    agreed = emotion_for_sentiment(sentiment, emotion, result.emotion_scores)
    if agreed != emotion:  # what was learnt must not contradict either
        explanation.append(f"emotion {emotion} set aside: contradicts sentiment {sentiment}")
        emotion = agreed
    aspects = [{"name": a.name, "cues": list(a.cues)} for a in result.aspects]
    if learnt.aspects:
        base_names = [a.name for a in result.aspects]
        chosen = workspace_model.aspects_blend(learnt.aspects, text, base_names)
        for name in sorted(set(base_names) - chosen):
            explanation.append(f"workspace model: aspect {name} removed")
        for name in sorted(chosen - set(base_names)):
            explanation.append(f"workspace model: aspect {name} added")
            aspects.append({"name": name, "cues": []})
        if chosen != set(base_names):
            aspects = [a for a in aspects if a["name"] in chosen]
            learned = True
    return Labels(
        language=result.language,
        sentiment=sentiment,
        sentiment_score=round(float(result.sentiment_score), 4),
        emotion=emotion,
        emotion_scores={k: round(float(v), 4) for k, v in result.emotion_scores.items()},
        aspects=aspects,
        explanation=explanation,
        learned=learned,
    )


def _apply(analysis: TextAnalysis, source: SourceText, labels: Labels, digest: str) -> None:
    analysis.customer_id = source.customer_id
    analysis.occurred_at = source.occurred_at
    analysis.text_hash = digest
    analysis.language = labels.language
    analysis.sentiment = analysis.predicted_sentiment = labels.sentiment
    analysis.sentiment_score = labels.sentiment_score
    analysis.emotion = analysis.predicted_emotion = labels.emotion
    analysis.emotion_scores = labels.emotion_scores
    analysis.aspects = labels.aspects
    analysis.explanation = labels.explanation
    analysis.learned = labels.learned
    analysis.analyser_version = analyser_version()
    analysis.analysed_at = timezone.now()


def text_analysis_request(*, workspace: Workspace | int, source_kind: str, source_id: int) -> None:
    """Analyse a saved text in the background once the current transaction commits."""
    from ascolto.textanalysis.tasks import text_analysis_store_task

    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    if source_kind not in SourceKind.values:
        raise ValueError(f"unknown source kind: {source_kind!r}")
    transaction.on_commit(
        lambda: text_analysis_store_task.enqueue(
            workspace_id=workspace_id, source_kind=source_kind, source_id=source_id
        )
    )


def interaction_text_analyse(*, interaction: Interaction) -> None:
    """The `interaction_saved` hook: analyse the interaction's text once it commits."""
    text_analysis_request(
        workspace=interaction.workspace_id, source_kind="interaction", source_id=interaction.pk
    )


def staff_signal_text_analyse(*, signal: StaffSignal) -> None:
    """The `staff_signal_recorded` hook: analyse the signal's text once it commits."""
    text_analysis_request(
        workspace=signal.workspace_id, source_kind="staff_signal", source_id=signal.pk
    )


def review_texts_analyse(*, workspace_id: int, review_ids: Sequence[int]) -> None:
    """The `review_texts_saved` hook (voice): analyse a batch of new public reviews with one
    task; `_reviews_tell` gives voice the labels once stored."""
    text_analyses_request(workspace_id=workspace_id, source_kind="review", source_ids=review_ids)


def _reviews_tell(analyses: Iterable[TextAnalysis]) -> None:
    """Tell voice the effective labels of the analysed reviews among `analyses` (in the
    caller's transaction): it alerts on a negative one and chooses reply drafts by emotion."""
    for analysis in analyses:
        if analysis.source_kind != SourceKind.REVIEW:
            continue
        voice_services.review_labels_record(
            workspace_id=analysis.workspace_id,
            review_id=analysis.source_id,
            sentiment=analysis.sentiment,
            emotion=analysis.emotion,
            aspects=list(analysis.aspect_rows.values_list("name", flat=True)),
            language=analysis.language,
        )


def review_analysis_customer_set(*, review: Review) -> None:
    """The `review_judged` hook (voice): a review's analysis belongs to the customer who wrote
    it once someone confirmed it (and to nobody when the match is undone), so the customer's
    voice summary and health score count it."""
    customer_id = review.customer_id if review.match_state == "confirmed" else None
    TextAnalysis.objects.filter(
        workspace_id=review.workspace_id, source_kind=SourceKind.REVIEW, source_id=review.pk
    ).update(customer_id=customer_id)


def survey_answer_texts_analyse(*, workspace_id: int, answer_ids: Sequence[int]) -> None:
    """The `survey_answer_texts_saved` hook: analyse a batch of survey comments with one task."""
    text_analyses_request(
        workspace_id=workspace_id, source_kind="survey_answer", source_ids=answer_ids
    )


def _backend_shares_the_database(task) -> bool:
    """True when `task` is queued as a row of this database (the default backend), so enqueuing
    it inside a transaction commits or rolls back with that transaction."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)


def text_analyses_request(
    *, workspace_id: int, source_kind: str, source_ids: Sequence[int]
) -> None:
    """Analyse several saved texts in the background with ONE task (a survey response's
    comments): the busy public survey page pays for one queued row per response, not one per
    comment. With the database task backend (the default) the task row is written in the
    current transaction, so it commits or rolls back with the texts; any other backend gets the
    task once the transaction commits. The result is the same as `text_analysis_request()` for
    each text."""
    from ascolto.textanalysis.tasks import text_analyses_store_task

    if source_kind not in SourceKind.values:
        raise ValueError(f"unknown source kind: {source_kind!r}")
    ids = list(source_ids)
    if not ids:
        return

    def enqueue() -> None:
        text_analyses_store_task.enqueue(
            workspace_id=workspace_id, source_kind=source_kind, source_ids=ids
        )

    if _backend_shares_the_database(text_analyses_store_task):
        enqueue()
    else:
        transaction.on_commit(enqueue)


def text_analyses_store(*, workspace_id: int, source_kind: str, source_ids: Sequence[int]) -> int:
    """`text_analysis_store()` for each text, each in its own transaction (a text analysed
    already is left alone, so a retry does nothing twice). Returns how many texts have an
    analysis."""
    stored = 0
    for source_id in source_ids:
        analysis = text_analysis_store(
            workspace_id=workspace_id, source_kind=source_kind, source_id=source_id
        )
        stored += analysis is not None
    return stored


def text_analysis_store(
    *, workspace_id: int, source_kind: str, source_id: int
) -> TextAnalysis | None:
    """Store or refresh the analysis of one text. Does nothing when the stored analysis is of
    the same text; removes the analysis when the text is gone or empty. A changed text makes
    its correction historic (it described the old text).

    The text is analysed before the write transaction opens: on SQLite a transaction holds the
    database's one write lock, which the public survey page's submissions wait for."""
    stored = TextAnalysis.objects.filter(
        workspace_id=workspace_id, source_kind=source_kind, source_id=source_id
    )
    source = source_texts(workspace_id=workspace_id, source_kind=source_kind, ids=[source_id])
    found = source.get(source_id)
    if found is None or not found.text.strip():
        with transaction.atomic():
            for row in stored.select_for_update():
                row.delete()
        return None
    digest = text_hash(found.text)
    existing = stored.first()
    if existing is not None and existing.text_hash == digest:
        return existing
    labels = _labels(found.text, _Learnt(text_model_current(workspace_id=workspace_id)))
    with transaction.atomic():
        existing = stored.select_for_update().first()
        if existing is not None and existing.text_hash == digest:
            return existing  # a concurrent run stored it meanwhile
        analysis = _analysis_write(existing, workspace_id, source_kind, found, labels, digest)
        _reviews_tell([analysis])
        return analysis


def _analysis_write(
    existing: TextAnalysis | None,
    workspace_id: int,
    source_kind: str,
    found: SourceText,
    labels: Labels,
    digest: str,
) -> TextAnalysis:
    """Write the analysis of `found`, its labels worked out already, in the caller's
    transaction (over `existing`, read under lock, if any)."""
    source_id = found.source_id
    analysis = existing or TextAnalysis(
        workspace_id=workspace_id, source_kind=source_kind, source_id=source_id
    )
    _apply(analysis, found, labels, digest)
    try:
        with transaction.atomic():
            analysis.save()
    except IntegrityError:  # stored by a concurrent run in the meantime
        return TextAnalysis.objects.get(
            workspace_id=workspace_id, source_kind=source_kind, source_id=source_id
        )
    if existing is not None:
        TextCorrection.objects.filter(analysis=analysis, is_current=True).update(is_current=False)
        analysis.aspect_rows.all().delete()
    TextAspect.objects.bulk_create(
        [
            TextAspect(analysis=analysis, name=n)
            for n in sorted(set(analysis.predicted_aspect_names))
        ]
    )
    return analysis


def _missing(workspace_id: int, kind: str) -> QuerySet:
    stored = TextAnalysis.objects.filter(
        workspace_id=workspace_id, source_kind=kind, source_id=OuterRef("pk")
    )
    return _source_queryset(kind, workspace_id).filter(~Exists(stored))


def text_analyses_missing_count(*, workspace_id: int, since: datetime | None = None) -> int:
    total = 0
    for kind in SourceKind.values:
        missing = _missing(workspace_id, kind)
        if since is not None:
            missing = missing.filter(_when__gte=since)
        total += missing.count()
    return total


def text_analysis_backfill(
    *,
    workspace_id: int,
    batch_size: int = BATCH_SIZE,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    since: datetime | None = None,
) -> int:
    """Analyse every text of the workspace that has no analysis yet, `batch_size` at a time with
    bulk inserts; returns how many were stored. Safe to run while texts are being saved: a text
    stored meanwhile by the background task is skipped (`ignore_conflicts`)."""
    learnt = _Learnt(text_model_current(workspace_id=workspace_id))
    memo: dict[str, Labels] = {}
    stored = 0
    for kind in SourceKind.values:
        last_pk = 0  # keyset paging: each batch starts after the previous one
        while limit is None or stored < limit:
            size = batch_size if limit is None else min(batch_size, limit - stored)
            missing = _missing(workspace_id, kind)
            if since is not None:
                missing = missing.filter(_when__gte=since)
            rows = list(
                missing.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "text", "_customer", "_when")[:size]
            )
            if not rows:
                break
            last_pk = rows[-1][0]
            stored += _store_batch(workspace_id, kind, _analysed(rows, learnt, memo))
            if progress is not None:
                progress(len(rows))
            if len(rows) < size:
                break
    return stored


def _analysed(
    rows: list[tuple], learnt: _Learnt, memo: dict[str, Labels] | None = None
) -> list[tuple[SourceText, Labels]]:
    """The labels of each (pk, text, customer, when) row, worked out before any write
    transaction opens. `memo` keeps the labels of texts already seen in this run (templated
    notes such as "Consegna effettuata" repeat by the thousand); it is emptied when it grows
    past MEMO_LIMIT texts."""
    analysed = []
    memo = {} if memo is None else memo
    for pk, text, customer_id, when in rows:
        if not text.strip():
            continue
        labels = memo.get(text)
        if labels is None:
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            labels = memo[text] = _labels(text, learnt)
        analysed.append((SourceText(pk, text, customer_id, when), labels))
    return analysed


@transaction.atomic
def _store_batch(workspace_id: int, kind: str, analysed: list[tuple[SourceText, Labels]]) -> int:
    """Insert one batch of analyses (see `_analysed`) in one short transaction."""
    analyses = []
    for source, labels in analysed:
        analysis = TextAnalysis(
            workspace_id=workspace_id, source_kind=kind, source_id=source.source_id
        )
        _apply(analysis, source, labels, text_hash(source.text))
        analyses.append(analysis)
    TextAnalysis.objects.bulk_create(analyses, batch_size=BATCH_SIZE, ignore_conflicts=True)
    # ignore_conflicts leaves pks unset on some backends: read them back by source id.
    ids = dict(
        TextAnalysis.objects.filter(
            workspace_id=workspace_id,
            source_kind=kind,
            source_id__in=[a.source_id for a in analyses],
        )
        .filter(~Exists(TextAspect.objects.filter(analysis=OuterRef("pk"))))
        .values_list("source_id", "pk")
    )
    TextAspect.objects.bulk_create(
        [
            TextAspect(analysis_id=ids[a.source_id], name=name)
            for a in analyses
            if a.source_id in ids
            for name in sorted(set(a.predicted_aspect_names))
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    if kind == SourceKind.REVIEW:
        _reviews_tell(TextAnalysis.objects.filter(pk__in=ids.values()))
    return len(analyses)


def text_analyses_sweep(*, now: datetime | None = None) -> int:
    """Periodic job: analyse texts that were saved without an analysis (e.g. a task lost while
    every worker was down, or rows imported in bulk), a bounded number per run."""
    from ascolto.workspaces.models import Workspace as WorkspaceModel

    text_analyses_orphans_delete()
    stored = 0
    for workspace_id in WorkspaceModel.objects.order_by("pk").values_list("pk", flat=True):
        stored += text_analysis_backfill(workspace_id=workspace_id, limit=SWEEP_LIMIT - stored)
        if stored >= SWEEP_LIMIT:
            break
    return stored


def text_analyses_orphans_delete() -> int:
    """Remove analyses whose text was deleted (an interaction removed from the timeline): the
    lists already hide them; this keeps the table honest. Returns how many were removed."""
    removed = 0
    for kind in SourceKind.values:
        sources = _source_queryset_any(kind).filter(
            pk=OuterRef("source_id"), **{_WORKSPACE_PATH[kind]: OuterRef("workspace_id")}
        )
        _, per_model = (
            TextAnalysis.objects.filter(source_kind=kind).filter(~Exists(sources)).delete()
        )
        removed += per_model.get(TextAnalysis._meta.label, 0)
    return removed


_WORKSPACE_PATH: dict[str, str] = {
    SourceKind.SURVEY_ANSWER: "response__workspace_id",
    SourceKind.INTERACTION: "workspace_id",
    SourceKind.STAFF_SIGNAL: "workspace_id",
    SourceKind.REVIEW: "workspace_id",
}


def _source_queryset_any(kind: str) -> QuerySet:
    from ascolto.feedback.models import Answer

    models: dict[str, type[Model]] = {
        SourceKind.SURVEY_ANSWER: Answer,
        SourceKind.INTERACTION: Interaction,
        SourceKind.STAFF_SIGNAL: StaffSignal,
        SourceKind.REVIEW: Review,
    }
    model = models[kind]
    return model._default_manager.all()


# --- Corrections --------------------------------------------------------------------------------


@transaction.atomic
def text_correction_record(
    *,
    analysis: TextAnalysis,
    by: Membership,
    sentiment: str,
    emotion: str,
    aspects: Iterable[str],
) -> TextCorrection:
    """Store a member's labels for an analysed text; they become its effective labels at once
    (any member). Unknown labels raise ValidationError and store nothing."""
    require_member(by, analysis.workspace_id, Role.AGENT)
    aspects = sorted(set(aspects))
    errors = {}
    if sentiment not in Sentiment.values:
        errors["sentiment"] = _("Unknown sentiment: %(value)s.") % {"value": sentiment}
    if emotion not in Emotion.values:
        errors["emotion"] = _("Unknown emotion: %(value)s.") % {"value": emotion}
    unknown = [a for a in aspects if a not in AspectName.values]
    if unknown:
        errors["aspects"] = _("Unknown aspect: %(value)s.") % {"value": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    analysis = TextAnalysis.objects.select_for_update().get(pk=analysis.pk)
    TextCorrection.objects.filter(analysis=analysis, is_current=True).update(is_current=False)
    correction = TextCorrection.objects.create(
        workspace_id=analysis.workspace_id,
        analysis=analysis,
        member=by,
        text_hash=analysis.text_hash,
        sentiment=sentiment,
        emotion=emotion,
        aspects=aspects,
    )
    analysis.sentiment = sentiment
    analysis.emotion = emotion
    analysis.save(update_fields=["sentiment", "emotion"])
    analysis.aspect_rows.all().delete()
    TextAspect.objects.bulk_create([TextAspect(analysis=analysis, name=n) for n in aspects])
    _reviews_tell([analysis])
    workspace_id = analysis.workspace_id
    transaction.on_commit(lambda: text_model_train_if_due(workspace_id=workspace_id))
    return correction


# --- Learning -----------------------------------------------------------------------------------


def text_corrections_count(*, workspace_id: int) -> int:
    return TextCorrection.objects.filter(workspace_id=workspace_id, is_current=True).count()


def text_model_train_if_due(*, workspace_id: int) -> bool:
    """Enqueue training when the workspace has enough corrections, and enough new ones since
    its last model."""
    from ascolto.textanalysis.tasks import text_model_train_task

    count = text_corrections_count(workspace_id=workspace_id)
    if count < workspace_model.MIN_CORRECTIONS:
        return False
    last = text_model_current(workspace_id=workspace_id)
    if last is not None and count - last.trained_on < workspace_model.RETRAIN_EVERY:
        return False
    text_model_train_task.enqueue(workspace_id=workspace_id)
    return True


def _examples(
    workspace_id: int,
) -> tuple[
    list[workspace_model.Example],
    list[workspace_model.Example],
    list[workspace_model.AspectExample],
]:
    corrections = list(
        TextCorrection.objects.filter(workspace_id=workspace_id, is_current=True)
        .select_related("analysis")
        .order_by("pk")
    )
    by_kind: dict[str, list[int]] = {}
    for c in corrections:
        by_kind.setdefault(c.analysis.source_kind, []).append(c.analysis.source_id)
    texts = {
        kind: source_texts(workspace_id=workspace_id, source_kind=kind, ids=ids)
        for kind, ids in by_kind.items()
    }
    sentiment, emotion, aspects = [], [], []
    for c in corrections:
        source = texts[c.analysis.source_kind].get(c.analysis.source_id)
        if source is None or text_hash(source.text) != c.text_hash:
            continue
        base = analyse(source.text[:MAX_TEXT])
        sentiment.append(
            workspace_model.Example(source.text, c.text_hash, c.sentiment, base.sentiment_label)
        )
        emotion.append(
            workspace_model.Example(source.text, c.text_hash, c.emotion, base.emotion_label)
        )
        aspects.append(
            workspace_model.AspectExample(
                source.text,
                c.text_hash,
                frozenset(c.aspects or ()),
                frozenset(a.name for a in base.aspects),
            )
        )
    return sentiment, emotion, aspects


def text_model_train(*, workspace_id: int) -> TextModel | None:
    """Train the workspace's model on its current corrections and record how it compares with
    the base analyser on the held-back fifth. Idempotent per number of corrections."""
    count = text_corrections_count(workspace_id=workspace_id)
    if count < workspace_model.MIN_CORRECTIONS:
        return None
    existing = TextModel.objects.filter(workspace_id=workspace_id, trained_on=count).first()
    if existing is not None:
        return existing
    sentiment_examples, emotion_examples, aspect_examples = _examples(workspace_id)
    sentiment = workspace_model.train_and_evaluate(sentiment_examples)
    emotion = workspace_model.train_and_evaluate(emotion_examples)
    aspects = workspace_model.aspects_train_and_evaluate(aspect_examples, AspectName.values)
    try:
        with transaction.atomic():
            return TextModel.objects.create(
                workspace_id=workspace_id,
                trained_on=count,
                train_size=sentiment.train_size,
                test_size=sentiment.test_size,
                params={
                    "kind": "multinomial-naive-bayes",
                    "version": 1,
                    "sentiment": sentiment.model.to_json(),
                    "emotion": emotion.model.to_json(),
                    "aspects": aspects.to_json(),
                },
                sentiment_accuracy=sentiment.accuracy,
                sentiment_base_accuracy=sentiment.base_accuracy,
                sentiment_in_use=sentiment.beats_base,
                emotion_accuracy=emotion.accuracy,
                emotion_base_accuracy=emotion.base_accuracy,
                emotion_in_use=emotion.beats_base,
                aspects_f1=aspects.f1,
                aspects_base_f1=aspects.base_f1,
                aspects_in_use=aspects.beats_base,
            )
    except IntegrityError:
        return TextModel.objects.get(workspace_id=workspace_id, trained_on=count)


def text_analysis_preview(*, workspace_id: int, text: str) -> Labels:
    """What a new text of this workspace would be labelled (base analyser and, when in use,
    the workspace model), without storing anything."""
    return _labels(text, _Learnt(text_model_current(workspace_id=workspace_id)))
