"""Public voice: where reviews come from (`Source`) and the reviews and mentions themselves
(`Review`), with their labels, their customer and their reply.

A review is stored once per workspace: its `dedupe_key` says what makes it the same review
whichever way it arrives (the platform's own id, else its address, else a hash of author, date
and text; see `ascolto/voice/dedupe.py`) and a unique constraint keeps a second copy out, also
when two imports run at once.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.tenancy import SameWorkspaceMixin, WorkspaceQuerySet


class Platform(models.TextChoices):
    GOOGLE = "google", _("Google")
    TRIPADVISOR = "tripadvisor", _("TripAdvisor")
    TRUSTPILOT = "trustpilot", _("Trustpilot")
    FACEBOOK = "facebook", _("Facebook")
    WEB = "web", _("Web")
    OTHER = "other", _("Other")


class Source(SameWorkspaceMixin, models.Model):
    """Where a workspace's reviews come from: files it imports, a feed Ascolto polls, or
    another tool that sends them in."""

    class Kind(models.TextChoices):
        FILE = "file", _("File import")
        FEED = "feed", _("RSS/Atom feed")
        INBOUND = "inbound", _("Sent in by another tool")

    other_workspace_message = _("This source belongs to another workspace.")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    platform = models.CharField(
        _("platform"), max_length=12, choices=Platform.choices, default=Platform.OTHER
    )
    feed_url = models.URLField(_("feed address"), max_length=500, blank=True)
    # Conditional requests: what the server said last time.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # Inbound: the SHA-256 of the token another tool sends (the token itself is shown once).
    token_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("review source")
        verbose_name_plural = _("review sources")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="feed") | ~Q(feed_url=""), name="voice_source_feed_has_url"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_poll_at"], condition=Q(kind="feed"), name="voice_source_due"
            ),
            models.Index(fields=["token_hash"], name="voice_source_token"),
        ]

    def __str__(self) -> str:
        return self.name


class MatchState(models.TextChoices):
    NONE = "none", _("Not matched")
    SUGGESTED = "suggested", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not this customer")


class Review(SameWorkspaceMixin, models.Model):
    """One public review or mention. `rating` is the original rating on a 1–5 scale (None for
    a mention without stars); `rating_original` keeps what the platform said ("8/10",
    "FOUR", "positive")."""

    same_workspace_fields = ("source", "customer", "replied_by")
    # Text analysis stores its analysis of the text under this kind (badges find it by it).
    text_source_kind = "review"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    platform_id = models.CharField(_("platform id"), max_length=300, blank=True)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    author = models.CharField(_("author"), max_length=200, blank=True)
    author_email = models.EmailField(_("author's email"), blank=True)
    author_phone = models.CharField(_("author's phone"), max_length=40, blank=True)
    rating = models.DecimalField(
        _("rating"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_original = models.CharField(_("original rating"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=20_000)
    published_at = models.DateTimeField(_("published"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    dedupe_key = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)

    # Text analysis' labels, set when the text has been analysed (or corrected).
    sentiment = models.CharField(_("sentiment"), max_length=8, blank=True)
    emotion = models.CharField(_("emotion"), max_length=8, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    # The customer who wrote it, once someone confirmed the match.
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_state = models.CharField(
        _("match"), max_length=10, choices=MatchState.choices, default=MatchState.NONE
    )
    match_reason = models.CharField(max_length=10, blank=True)  # email, phone, name
    suggested_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Negative reviews: when the managers were alerted and when the reply is due.
    is_negative = models.BooleanField(default=False)
    alerted_at = models.DateTimeField(null=True, blank=True)
    reply_due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_text = models.TextField(_("reply"), blank=True, max_length=10_000)
    # Business minutes between arrival and reply: how fast it was answered.
    reply_business_minutes = models.PositiveIntegerField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "dedupe_key"], name="voice_review_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="voice_review_rating_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-published_at"], name="voice_review_ws_time"),
            models.Index(
                fields=["workspace", "reply_due_at"],
                condition=Q(replied_at__isnull=True, reply_due_at__isnull=False),
                name="voice_review_waiting",
            ),
            models.Index(fields=["customer", "-published_at"], name="voice_review_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.author or '?'}"

    @property
    def stars(self) -> int | None:
        return None if self.rating is None else int(round(self.rating))

    @property
    def reply_business_hours(self) -> float | None:
        minutes = self.reply_business_minutes
        return None if minutes is None else minutes / 60

    @property
    def star_glyphs(self) -> str:
        """ "★★☆☆☆" for two stars ("" for a mention without stars)."""
        stars = self.stars
        return "" if stars is None else "★" * stars + "☆" * (5 - stars)


class ReviewAspect(models.Model):
    """An aspect text analysis found in a review ("price", "courtesy"), as a row so the page
    counts the most praised and most criticised in SQL."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="aspect_rows")
    name = models.CharField(_("aspect"), max_length=16)

    class Meta:
        verbose_name = _("review aspect")
        verbose_name_plural = _("review aspects")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "name"], name="voice_reviewaspect_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ReplyKind(models.TextChoices):
    """What a review feels, as the reply drafts see it (text analysis' emotion, or the rating
    when there is none)."""

    ANGER = "anger", _("Anger")
    FEAR = "fear", _("Worry")
    SADNESS = "sadness", _("Sadness")
    JOY = "joy", _("Joy")
    TRUST = "trust", _("Trust")
    NEUTRAL = "neutral", _("No clear emotion")


class ReplyLanguage(models.TextChoices):
    ITALIAN = "it", _("Italian")
    ENGLISH = "en", _("English")


class ReplyTemplate(models.Model):
    """A workspace's reply draft for one kind of review in one language. Managers edit them;
    a new workspace gets the shipped ones (`drafts.reply_templates_install_defaults`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("emotion"), max_length=8, choices=ReplyKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=ReplyLanguage.choices)
    text = models.TextField(_("text"), max_length=3_000)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["language", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "language"], name="voice_replytemplate_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.language}"
