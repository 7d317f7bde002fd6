"""What another tool sends, read into `ReviewIn` rows: through the REST API
(`POST /api/v1/reviews` with a workspace's API token, docs/api.md) or, for the tools that were
given a source token before the API existed, the older endpoint:

    POST /voice/inbound/   Authorization: Bearer <the source's token>
    {"reviews": [{"id": "...", "platform": "google", "url": "...", "author": "...",
                  "email": "...", "phone": "...", "rating": 4, "rating_scale": 5,
                  "title": "...", "text": "...", "published_at": "2026-03-09T10:00:00Z",
                  "language": "it"}, ...]}

Only `published_at` is required, and a rating or a text. A review that cannot be read is an
error at its position (from 1); the others are stored.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from ascolto.lib.periods import workspace_zone
from ascolto.voice.models import Platform, Source
from ascolto.voice.normalise import ReviewIn, date_parse, rating_normalise

MAX_BODY = 2 * 1024 * 1024
MAX_REVIEWS = 1000


class InboundError(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _text(record: dict[str, Any], name: str, limit: int) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValueError(_("“%(field)s” must be text.") % {"field": name})
    return str(value).strip()[:limit]


def _review(record: Any, *, platform_default: str, zone: ZoneInfo) -> ReviewIn:
    if not isinstance(record, dict):
        raise ValueError(_("This record is not a review."))
    platform = _text(record, "platform", 12) or platform_default
    if platform not in Platform.values:
        raise ValueError(_("Unknown platform: %(value)s.") % {"value": platform})
    scale = record.get("rating_scale", 5)
    if not isinstance(scale, int) or isinstance(scale, bool) or not 2 <= scale <= 100:
        raise ValueError(_("“rating_scale” must be a whole number from 2 to 100."))
    rating, original = rating_normalise(_text(record, "rating", 40), scale)
    text, title = _text(record, "text", 20_000), _text(record, "title", 300)
    if rating is None and not text and not title:
        raise ValueError(_("Neither a rating nor a text: nothing to import."))
    published = _text(record, "published_at", 60)
    if not published:
        raise ValueError(_("The date is missing."))
    return ReviewIn(
        platform=platform,
        published_at=date_parse(published, zone),
        text=text,
        title=title,
        author=_text(record, "author", 200),
        author_email=_text(record, "email", 254),
        author_phone=_text(record, "phone", 40),
        url=_text(record, "url", 1000),
        platform_id=_text(record, "id", 300),
        rating=rating,
        rating_original=original,
        language=_text(record, "language", 8).lower(),
    )


def inbound_items(body: bytes, *, source: Source) -> tuple[list[ReviewIn], list[tuple[int, str]]]:
    if len(body) > MAX_BODY:
        raise InboundError(_("Send at most 2 MB at a time."), status=413)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InboundError(_('The body must be JSON: {"reviews": [...]}.')) from None
    records = document.get("reviews") if isinstance(document, dict) else None
    if not isinstance(records, list):
        raise InboundError(_('The body must be JSON: {"reviews": [...]}.'))
    if len(records) > MAX_REVIEWS:
        raise InboundError(
            _("Send at most %(limit)s reviews at a time.") % {"limit": MAX_REVIEWS}, status=413
        )
    return records_read(
        records, platform_default=source.platform, zone=workspace_zone(source.workspace)
    )


def records_read(
    records: list[Any], *, platform_default: str, zone: ZoneInfo
) -> tuple[list[ReviewIn], list[tuple[int, str]]]:
    """Each record as a `ReviewIn` (its `line` its position from 1), or an error at its
    position: the others are still read."""
    items, errors = [], []
    for index, record in enumerate(records, start=1):
        try:
            item = _review(record, platform_default=platform_default, zone=zone)
        except ValueError as error:
            errors.append((index, str(error)))
        else:
            item.line = index
            items.append(item)
    return items, errors
