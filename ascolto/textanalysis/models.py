"""Stored analyses of the customers' texts, the staff's corrections and the per-workspace models.

A `TextAnalysis` row holds what the analyser said about one saved text (a survey comment, an
interaction note, a staff signal, a public review), keyed by `(workspace, source_kind, source_id)`. Its
`sentiment`, `emotion` and `TextAspect` rows are the *effective* labels — the staff's current
correction when there is one, otherwise the machine's — so every list filter is a plain indexed
SQL condition. The machine's own labels stay in the `predicted_*` columns.

Aspects are stored as rows of `TextAspect(analysis, name)` rather than in the JSON column alone:
"about timeliness" is then a join on an index that works the same on SQLite and PostgreSQL (JSON
containment does not exist on SQLite), and a new aspect needs no migration (a boolean column per
aspect would).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.tenancy import WorkspaceQuerySet


class SourceKind(models.TextChoices):
    SURVEY_ANSWER = "survey_answer", _("Survey comment")
    INTERACTION = "interaction", _("Interaction note")
    STAFF_SIGNAL = "staff_signal", _("Staff signal")
    REVIEW = "review", _("Public review")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Emotion(models.TextChoices):
    ANGER = "anger", _("Anger")
    FEAR = "fear", _("Worry")
    SADNESS = "sadness", _("Sadness")
    JOY = "joy", _("Joy")
    TRUST = "trust", _("Trust")
    NONE = "none", _("No emotion")


class AspectName(models.TextChoices):
    TIMELINESS = "timeliness", _("Timeliness")
    PRICE = "price", _("Price")
    COURTESY = "courtesy", _("Courtesy")
    COMPETENCE = "competence", _("Competence")
    QUALITY = "quality", _("Quality")
    COMMUNICATION = "communication", _("Communication")
    RELIABILITY = "reliability", _("Reliability")
    TANGIBLES = "tangibles", _("Tangibles")


class TextAnalysis(models.Model):
    """What one saved text says: language, sentiment, emotion, aspects, and why."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="text_analyses"
    )
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_id = models.PositiveBigIntegerField()
    text_hash = models.CharField(max_length=64)
    language = models.CharField(_("language"), max_length=3)
    # Effective labels (the current correction, else the machine's): what lists show and filter.
    sentiment = models.CharField(_("sentiment"), max_length=8, choices=Sentiment.choices)
    emotion = models.CharField(_("emotion"), max_length=8, choices=Emotion.choices)
    # The machine's labels (base analyser, blended with the workspace model when it is in use).
    sentiment_score = models.FloatField(_("sentiment score"))
    predicted_sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    predicted_emotion = models.CharField(max_length=8, choices=Emotion.choices)
    emotion_scores = models.JSONField(default=dict)
    aspects = models.JSONField(default=list)  # [{"name": ..., "cues": [...]}], as predicted
    explanation = models.JSONField(default=list)
    analyser_version = models.CharField(max_length=40)
    learned = models.BooleanField(
        default=False, help_text=_("The workspace's own model took part in this analysis.")
    )
    analysed_at = models.DateTimeField(default=timezone.now)
    occurred_at = models.DateTimeField(_("when"))

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("text analysis")
        verbose_name_plural = _("text analyses")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source_kind", "source_id"], name="textanalysis_one_per_text"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-occurred_at"], name="textanalysis_ws_time"),
            models.Index(
                fields=["workspace", "emotion", "-occurred_at"], name="textanalysis_ws_emotion"
            ),
            models.Index(
                fields=["workspace", "sentiment", "-occurred_at"], name="textanalysis_ws_sentiment"
            ),
            models.Index(fields=["customer", "-occurred_at"], name="textanalysis_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.source_kind} {self.source_id}: {self.sentiment}/{self.emotion}"

    @property
    def predicted_aspect_names(self) -> list[str]:
        return [a["name"] for a in self.aspects if isinstance(a, dict) and "name" in a]

    @property
    def aspect_cues(self) -> dict[str, list[str]]:
        return {
            a["name"]: list(a.get("cues") or [])
            for a in self.aspects
            if isinstance(a, dict) and "name" in a
        }


class TextAspect(models.Model):
    """One effective aspect of an analysed text, as a row so SQL can filter on it."""

    analysis = models.ForeignKey(TextAnalysis, on_delete=models.CASCADE, related_name="aspect_rows")
    name = models.CharField(_("aspect"), max_length=16, choices=AspectName.choices)

    class Meta:
        verbose_name = _("text aspect")
        verbose_name_plural = _("text aspects")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "name"], name="textaspect_unique"),
        ]
        indexes = [models.Index(fields=["name", "analysis"], name="textaspect_name")]

    def __str__(self) -> str:
        return self.name


class TextCorrection(models.Model):
    """A staff member's labels for an analysed text. At most one current correction per
    analysis; an older one is kept (not current) when corrected again or when the text changes,
    because its labels still describe the text it was made on (`text_hash`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    analysis = models.ForeignKey(TextAnalysis, on_delete=models.CASCADE, related_name="corrections")
    member = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text_hash = models.CharField(max_length=64)
    sentiment = models.CharField(_("sentiment"), max_length=8, choices=Sentiment.choices)
    emotion = models.CharField(_("emotion"), max_length=8, choices=Emotion.choices)
    aspects = models.JSONField(_("aspects"), default=list)  # names
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("text correction")
        verbose_name_plural = _("text corrections")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis"],
                condition=Q(is_current=True),
                name="textcorrection_one_current",
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace"], condition=Q(is_current=True), name="textcorrection_ws"
            )
        ]

    def __str__(self) -> str:
        return f"{self.analysis_id}: {self.sentiment}/{self.emotion}"


class TextModel(models.Model):
    """A workspace's own sentiment, emotion and aspect model, trained on its corrections.

    `params` is plain JSON (word counts of multinomial naive Bayes, see workspace_model.py), never a
    pickle. Each kind of label is used only when the blend beat the base analyser on the
    held-back corrections: `sentiment_in_use` / `emotion_in_use` (accuracy) and
    `aspects_in_use` (micro-F1). The newest row is the workspace's model.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    trained_on = models.PositiveIntegerField(help_text=_("Corrections available at training."))
    train_size = models.PositiveIntegerField(default=0)
    test_size = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict)
    sentiment_accuracy = models.FloatField(default=0.0)
    sentiment_base_accuracy = models.FloatField(default=0.0)
    sentiment_in_use = models.BooleanField(default=False)
    emotion_accuracy = models.FloatField(default=0.0)
    emotion_base_accuracy = models.FloatField(default=0.0)
    emotion_in_use = models.BooleanField(default=False)
    # Aspects are several per text: micro-F1 of the aspect sets, not accuracy.
    aspects_f1 = models.FloatField(default=0.0)
    aspects_base_f1 = models.FloatField(default=0.0)
    aspects_in_use = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("workspace text model")
        verbose_name_plural = _("workspace text models")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "trained_on"], name="textmodel_once_per_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id} · {self.trained_on}"

    @property
    def in_use(self) -> bool:
        return self.sentiment_in_use or self.emotion_in_use or self.aspects_in_use
