"""Writes for public reviews: sources, arriving reviews (from files, feeds or another tool),
their labels, their customer, alerts on negative ones, and replies.

Every way in ends in `reviews_ingest()`: it stores what is new once (the `dedupe_key`
constraint keeps a second copy out, also between two imports running at once), suggests the
customer who wrote it, alerts the managers about a negative one with a reply deadline, and
asks text analysis for the texts through the `review_texts_saved` hook.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.customers.models import Customer
from ascolto.lib.businesshours import business_deadline, business_minutes_between
from ascolto.lib.periods import workspace_zone
from ascolto.lib.text import clean_text
from ascolto.voice import hooks
from ascolto.voice.drafts import DEFAULT_TEMPLATES, template_check
from ascolto.voice.formats import FORMATS
from ascolto.voice.imports import ImportFileError, file_rows, review_in
from ascolto.voice.inbound import records_read
from ascolto.voice.models import (
    MatchState,
    Platform,
    ReplyTemplate,
    Review,
    ReviewAspect,
    Source,
)
from ascolto.voice.normalise import Identity, ReviewIn, dedupe_key
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.voice")

# A review is negative at this rating or below, or when its text reads negative.
NEGATIVE_RATING = Decimal(2)
# Business hours to reply: low ratings (1–3★) faster than the rest.
REPLY_HOURS_LOW = 24
REPLY_HOURS_OTHER = 48
LOW_RATING = Decimal(3)
# Reviews published longer ago than this get their deadline but no alert: an import of last
# year's reviews must not wake every manager.
ALERT_WINDOW = timedelta(days=7)


# --- Sources --------------------------------------------------------------------------------------


@transaction.atomic
def source_create(
    *,
    workspace: Workspace,
    by: Membership,
    name: str,
    kind: str,
    platform: str = Platform.OTHER,
    feed_url: str = "",
) -> Source:
    """A new source. An inbound source is where the reviews another tool sends through the
    REST API are filed (`source_id`); it gets no token of its own any more: the tool uses a
    workspace API token (docs/voice.md, "Inbound")."""
    require_member(by, workspace, Role.MANAGER)
    source = Source(
        workspace=workspace,
        name=clean_text(name, multiline=False),
        kind=kind,
        platform=platform,
        feed_url=feed_url.strip(),
    )
    if kind == Source.Kind.FEED:
        source.next_poll_at = timezone.now()
        if not source.feed_url:
            raise ValidationError({"feed_url": _("A feed needs its address.")})
    source.full_clean()
    source.save()
    return source


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def source_for_token(token: str) -> Source | None:
    """The inbound source whose older per-source token this is (compared by hash): still
    accepted at /voice/inbound/ for the tools set up before the REST API, until a manager
    stops it (`source_token_revoke`)."""
    if not token or len(token) > 200:
        return None
    return (
        Source.objects.select_related("workspace")
        .filter(kind=Source.Kind.INBOUND, token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def source_token_revoke(*, source: Source, by: Membership) -> Source:
    """Stop accepting a source's older token (managers): the tool must use an API token."""
    require_member(by, source.workspace_id, Role.MANAGER)
    Source.objects.filter(pk=source.pk).update(token_hash="")
    source.token_hash = ""
    return source


@transaction.atomic
def source_delete(*, source: Source, by: Membership) -> None:
    """Remove a source; its reviews stay (they are what was said)."""
    require_member(by, source.workspace_id, Role.MANAGER)
    source.delete()


# --- Arriving reviews ----------------------------------------------------------------------------


@dataclass
class IngestResult:
    created: list[int] = field(default_factory=list)
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def _key(item: ReviewIn) -> str:
    return dedupe_key(
        Identity(
            platform=item.platform,
            platform_id=item.platform_id,
            url=item.url,
            author=item.author,
            published_at=item.published_at,
            text=item.text,
        )
    )


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


@transaction.atomic
def reviews_ingest(
    *,
    workspace: Workspace,
    items: Sequence[ReviewIn],
    source: Source | None = None,
    now: datetime | None = None,
    email: bool = True,
) -> IngestResult:
    """Store the reviews of `items` that are new (the system's own service: files, feeds and
    inbound calls check who may send before calling it). A review already stored, or twice in
    `items`, counts as a duplicate; one that does not validate is an error of its line and the
    others are still stored. `email=False` alerts managers in the app only (the demo)."""
    now = now or timezone.now()
    result = IngestResult()
    if source is not None and source.workspace_id != workspace.pk:
        raise ValueError("source of another workspace")
    keyed = [(item, _key(item)) for item in items]
    known = set(
        Review.objects.filter(
            workspace=workspace, dedupe_key__in=[k for _i, k in keyed]
        ).values_list("dedupe_key", flat=True)
    )
    created: list[Review] = []
    for item, key in keyed:
        if key in known:
            result.duplicates += 1
            continue
        review = Review(
            workspace=workspace,
            source=source,
            platform=item.platform,
            platform_id=item.platform_id.strip()[:300],
            url=item.url.strip(),
            author=clean_text(item.author, multiline=False)[:200],
            author_email=item.author_email.strip().lower(),
            author_phone=item.author_phone.strip()[:40],
            rating=item.rating,
            rating_original=item.rating_original[:40],
            title=clean_text(item.title, multiline=False)[:300],
            text=clean_text(item.text),
            published_at=item.published_at,
            language=item.language[:8],
            dedupe_key=key,
            created_at=now,
        )
        try:
            review.full_clean(exclude=["dedupe_key"], validate_constraints=False)
        except ValidationError as error:
            result.errors.append((item.line, _messages(error)))
            continue
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError:  # stored meanwhile by a concurrent import
            result.duplicates += 1
            known.add(key)
            continue
        known.add(key)
        created.append(review)
    for review in created:
        _match_suggest(review)
        _judge(review, now=now, email=email)
    result.created = [r.pk for r in created]
    with_text = [r.pk for r in created if r.text.strip() or r.title.strip()]
    if with_text:
        hooks.review_texts_saved.call(workspace_id=workspace.pk, review_ids=with_text)
    return result


def reviews_receive(
    *,
    workspace: Workspace,
    by: Membership,
    records: list,
    source: Source | None = None,
    platform: str = "",
) -> IngestResult:
    """Reviews another tool sends (the REST API, as the member its token acts as; managers,
    like file imports). `records` are dicts as in `inbound.py`; one that cannot be read is an
    error at its position (from 1) and the others are stored. `source`, if given, must be an
    inbound source of the workspace; `platform` is the default for records that name none
    (else the source's, else "other")."""
    require_member(by, workspace, Role.MANAGER)
    if source is not None and (
        source.workspace_id != workspace.pk or source.kind != Source.Kind.INBOUND
    ):
        raise ValidationError(
            {
                "source_id": _(
                    "Name a source of this workspace of the kind “sent in by another tool”."
                )
            }
        )
    if platform and platform not in Platform.values:
        raise ValidationError({"platform": _("Unknown platform: %(value)s.") % {"value": platform}})
    default = platform or (source.platform if source is not None else Platform.OTHER)
    items, errors = records_read(records, platform_default=default, zone=workspace_zone(workspace))
    result = reviews_ingest(workspace=workspace, items=items, source=source)
    result.errors = sorted(errors + result.errors)
    if source is not None:
        Source.objects.filter(pk=source.pk).update(last_polled_at=timezone.now())
    return result


def review_file_import(
    *,
    workspace: Workspace,
    by: Membership,
    data: bytes,
    filename: str,
    format_code: str,
    source: Source | None = None,
) -> IngestResult:
    """Import an exported file of reviews (managers). A file that cannot be read at all raises
    ValidationError with the reason and imports nothing; a row that cannot be read is an error
    of its line, and the other rows are imported. Importing the same file again adds nothing."""
    require_member(by, workspace, Role.MANAGER)
    fmt = FORMATS.get(format_code)
    if fmt is None:
        raise ValidationError({"format": _("Choose the platform the file comes from.")})
    if source is not None and source.workspace_id != workspace.pk:
        raise ValidationError({"source": source.other_workspace_message})
    try:
        rows = file_rows(fmt, data, filename)
    except ImportFileError as error:
        raise ValidationError({"file": str(error)}) from None
    zone = workspace_zone(workspace)
    items: list[ReviewIn] = []
    errors: list[tuple[int, str]] = []
    for row in rows:
        try:
            items.append(review_in(fmt, row, zone))
        except ValueError as error:
            errors.append((row.line, str(error)))
    result = reviews_ingest(workspace=workspace, items=items, source=source)
    result.errors = sorted(errors + result.errors)
    if source is not None:
        Source.objects.filter(pk=source.pk).update(last_polled_at=timezone.now())
    return result


# --- Feeds ---------------------------------------------------------------------------------------

FEED_BACKOFF_CAP = timedelta(hours=24)
# How long a claimed poll keeps other schedulers off the source (then it is due again).
FEED_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class PollResult:
    changed: bool
    created: int = 0
    error: str = ""


def source_feed_poll(*, source_id: int, now: datetime | None = None) -> PollResult | None:
    """Read one feed (the system's own service, run by a task): new entries become mentions;
    an unchanged feed (304) costs nothing; an error is kept on the source and the next try
    waits twice as long as the last, up to a day."""
    from django.conf import settings

    from ascolto.voice.feeds import FeedError, entry_review, feed_fetch, feed_parse

    source = (
        Source.objects.select_related("workspace")
        .filter(pk=source_id, kind=Source.Kind.FEED)
        .first()
    )
    if source is None:
        return None
    every = timedelta(minutes=settings.VOICE_FEED_EVERY_MINUTES)
    try:
        fetched = feed_fetch(
            source.feed_url,
            etag=source.etag,
            last_modified=source.last_modified,
            timeout=settings.VOICE_FEED_TIMEOUT_SECONDS,
            max_bytes=settings.VOICE_FEED_MAX_BYTES,
        )
        entries = feed_parse(fetched.body) if fetched.changed else []
    except FeedError as error:
        now = now or timezone.now()
        failures = source.failures + 1
        wait = min(every * (2 ** min(failures, 16)), FEED_BACKOFF_CAP)
        Source.objects.filter(pk=source.pk).update(
            failures=failures,
            last_error=str(error)[:300],
            last_polled_at=now,
            next_poll_at=now + wait,
        )
        logger.info("feed %s failed (%s): %s", source.pk, failures, error)
        return PollResult(changed=False, error=str(error))
    now = now or timezone.now()
    zone = workspace_zone(source.workspace)
    items = [entry_review(e, platform=source.platform, zone=zone, now=now) for e in entries]
    result = reviews_ingest(workspace=source.workspace, items=items, source=source, now=now)
    Source.objects.filter(pk=source.pk).update(
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        failures=0,
        last_error="",
        last_polled_at=now,
        next_poll_at=now + every,
    )
    return PollResult(changed=fetched.changed, created=len(result.created))


def source_feeds_poll_due(*, now: datetime | None = None) -> int:
    """The periodic job: claim every feed that is due (a conditional UPDATE moves its next
    poll past a lease, so two schedulers never take the same one) and queue a task to read
    it. A poll lost with its worker is due again when the lease runs out."""
    from ascolto.voice.tasks import source_feed_poll_task

    now = now or timezone.now()
    due = Source.objects.filter(kind=Source.Kind.FEED, next_poll_at__lte=now)
    queued = 0
    for pk, next_poll_at in due.values_list("pk", "next_poll_at")[:500]:
        claimed = Source.objects.filter(pk=pk, next_poll_at=next_poll_at).update(
            next_poll_at=now + FEED_LEASE
        )
        if claimed:
            source_feed_poll_task.enqueue(source_id=pk)
            queued += 1
    return queued


# --- Matching a review to its customer ----------------------------------------------------------

_NOT_DIGITS = re.compile(r"\D+")


def phone_digits(phone: str) -> str:
    """The last nine digits of a phone number, so "+39 333 123 4567" and "333-1234567" agree."""
    return _NOT_DIGITS.sub("", phone)[-9:]


def _match_suggest(review: Review) -> None:
    """Suggest the customer who probably wrote `review`, by email, then phone, then exact name
    (a name only when one customer has it). A suggestion waits for a person to confirm it."""
    customers = Customer.objects.filter(workspace_id=review.workspace_id)
    found: Customer | None = None
    reason = ""
    if review.author_email:
        found = customers.filter(email__iexact=review.author_email).order_by("pk").first()
        reason = "email"
    if found is None and phone_digits(review.author_phone):
        digits = phone_digits(review.author_phone)
        candidates = customers.exclude(phone="").filter(phone__contains=digits[-4:])
        found = next((c for c in candidates if phone_digits(c.phone) == digits), None)
        reason = "phone"
    if found is None and len(review.author.split()) >= 2:
        named = list(customers.filter(name__iexact=review.author)[:2])
        found = named[0] if len(named) == 1 else None
        reason = "name"
    if found is not None:
        review.suggested_customer = found
        review.match_state = MatchState.SUGGESTED
        review.match_reason = reason
        review.save(update_fields=["suggested_customer", "match_state", "match_reason"])


@transaction.atomic
def review_match_confirm(
    *, review: Review, by: Membership, customer: Customer | None = None
) -> Review:
    """A person says who wrote `review`: the suggested customer, or `customer`. The review then
    shows on the customer's timeline and counts for them (`review_judged` hooks)."""
    require_member(by, review.workspace_id, Role.AGENT)
    chosen = customer or review.suggested_customer
    if chosen is None:
        raise ValidationError({"customer": _("Choose the customer who wrote this review.")})
    if chosen.workspace_id != review.workspace_id:
        raise ValidationError({"customer": chosen.other_workspace_message})
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.customer = chosen
    review.match_state = MatchState.CONFIRMED
    if customer is not None and customer != review.suggested_customer:
        review.match_reason = "person"
    review.full_clean(validate_constraints=False)
    review.save(update_fields=["customer", "match_state", "match_reason"])
    hooks.review_judged.call(review=review)
    return review


@transaction.atomic
def review_match_reject(*, review: Review, by: Membership) -> Review:
    """Not this customer: the suggestion is dropped (and a confirmed match undone)."""
    require_member(by, review.workspace_id, Role.AGENT)
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.customer = None
    review.suggested_customer = None
    review.match_state = MatchState.REJECTED
    review.save(update_fields=["customer", "suggested_customer", "match_state"])
    hooks.review_judged.call(review=review)
    return review


# --- Labels from text analysis -------------------------------------------------------------------


@transaction.atomic
def review_labels_record(
    *,
    workspace_id: int,
    review_id: int,
    sentiment: str,
    emotion: str,
    aspects: Sequence[str],
    language: str = "",
) -> Review | None:
    """Text analysis' (effective) labels of a review: called by text analysis when it has
    analysed the text or a person corrected the labels. A review that turns negative is
    alerted like one with a low rating."""
    review = (
        Review.objects.select_for_update().filter(workspace_id=workspace_id, pk=review_id).first()
    )
    if review is None:
        return None
    review.sentiment = sentiment[:8]
    review.emotion = emotion[:8]
    if language and not review.language:
        review.language = language[:8]
    review.analysed_at = timezone.now()
    review.save(update_fields=["sentiment", "emotion", "language", "analysed_at"])
    ReviewAspect.objects.filter(review=review).delete()
    ReviewAspect.objects.bulk_create(
        [ReviewAspect(review=review, name=name[:16]) for name in sorted(set(aspects))]
    )
    _judge(review, now=timezone.now())
    hooks.review_judged.call(review=review)
    return review


# --- Negative reviews: alert and deadline --------------------------------------------------------


def review_is_negative(review: Review) -> bool:
    return (review.rating is not None and review.rating <= NEGATIVE_RATING) or (
        review.sentiment == "negative"
    )


def reply_hours(review: Review) -> int:
    if review.rating is not None and review.rating <= LOW_RATING:
        return REPLY_HOURS_LOW
    return REPLY_HOURS_OTHER


def _judge(review: Review, *, now: datetime, email: bool = True) -> None:
    """Mark a negative review, give it its reply deadline (in business hours from its
    publication) and alert the managers once, if it is recent."""
    if review.is_negative or not review_is_negative(review):
        return
    zone = workspace_zone(review.workspace)
    review.is_negative = True
    if review.replied_at is None:
        review.reply_due_at = business_deadline(
            review.published_at, reply_hours(review) * 60, zone, review.workspace.calendar
        )
    alert = review.replied_at is None and review.published_at >= now - ALERT_WINDOW
    if alert:
        review.alerted_at = now
    review.save(update_fields=["is_negative", "reply_due_at", "alerted_at"])
    if alert:
        _alert_managers(review, email=email)


def _alert_managers(review: Review, *, email: bool = True) -> None:
    from ascolto.notifications.services import notification_create

    workspace = review.workspace
    managers = Membership.objects.filter(
        workspace=workspace, role__in=[Role.MANAGER, Role.OWNER]
    ).select_related("user")
    zone = workspace_zone(workspace)
    with translation.override(workspace.language):
        platform = review.get_platform_display()
        due = timezone.localtime(review.reply_due_at, zone) if review.reply_due_at else None
        if review.rating is not None:
            title = _("Negative review on %(platform)s: %(stars)s★ from %(author)s") % {
                "platform": platform,
                "stars": review.stars,
                "author": review.author or _("someone"),
            }
        else:
            title = _("Negative mention on %(platform)s from %(author)s") % {
                "platform": platform,
                "author": review.author or _("someone"),
            }
        body = review.text[:500]
        if due is not None:
            body = _("Reply by %(due)s.") % {"due": due.strftime("%d/%m/%Y %H:%M")} + "\n\n" + body
    url = reverse("voice:review-detail", args=[review.pk])
    for member in managers:
        notification_create(
            workspace=workspace,
            recipient=member,
            kind="other",
            title=title,
            body=body,
            customer=review.customer,
            url=url,
            email=email,
        )


# --- Replies -------------------------------------------------------------------------------------


@transaction.atomic
def review_reply_record(
    *, review: Review, by: Membership, text: str = "", replied_at: datetime | None = None
) -> Review:
    """`by` replied to the review on its platform (the reply pasted here, or left empty):
    the clock stops; how fast it was answered is kept in business minutes. `replied_at` (when
    the reply was published, if not now) may not be in the future nor before the review."""
    require_member(by, review.workspace_id, Role.AGENT)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.replied_at is not None:
        raise ValidationError(_("This review has a reply already."))
    now = timezone.now()
    if replied_at is not None:
        if replied_at > now or replied_at < review.published_at:
            raise ValidationError(_("The reply's time must be between the review and now."))
        now = replied_at
    review.replied_at = now
    review.replied_by = by
    review.reply_text = clean_text(text)[:10_000]
    start = min(review.published_at, review.created_at)
    minutes = business_minutes_between(
        start, now, workspace_zone(review.workspace), review.workspace.calendar
    )
    review.reply_business_minutes = int(round(minutes))
    review.full_clean(validate_constraints=False)
    review.save(update_fields=["replied_at", "replied_by", "reply_text", "reply_business_minutes"])
    return review


@transaction.atomic
def review_reply_undo(*, review: Review, by: Membership) -> Review:
    """A reply recorded by mistake: the clock runs again (managers only)."""
    require_member(by, review.workspace_id, Role.MANAGER)
    review = Review.objects.select_for_update().get(pk=review.pk)
    review.replied_at = None
    review.replied_by = None
    review.reply_text = ""
    review.reply_business_minutes = None
    review.save(update_fields=["replied_at", "replied_by", "reply_text", "reply_business_minutes"])
    return review


# --- Reply templates -----------------------------------------------------------------------------


@transaction.atomic
def reply_template_update(
    *, template: ReplyTemplate, by: Membership, text: str = "", restore: bool = False
) -> ReplyTemplate:
    """A manager rewrites one of the workspace's reply templates, or `restore`s the shipped
    one. An unknown placeholder is refused with its name (`drafts.template_check`)."""
    require_member(by, template.workspace_id, Role.MANAGER)
    template = ReplyTemplate.objects.select_for_update().get(pk=template.pk)
    if restore:
        template.text = DEFAULT_TEMPLATES[template.language][template.kind]
    else:
        template.text = template_check(text)
    template.updated_at = timezone.now()
    template.updated_by = by
    template.save(update_fields=["text", "updated_at", "updated_by"])
    return template
