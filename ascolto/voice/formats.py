"""The export formats Ascolto reads reviews from, as data: which column (or JSON field) holds
what. A new platform or a changed export is a new entry here, nothing else.

For CSV and XLSX, each field lists the header names it may have (matched without case, spaces
or accents; the first found wins). For JSON, `json_records` names the keys that may hold the
list of reviews (the first present wins; a file that is a list is the list itself) and each
field lists dotted paths inside one review (`reviewer.displayName`).

Fields: `platform_id`, `url`, `author`, `author_email`, `author_phone`, `rating`, `title`,
`text`, `published_at`, `language`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ascolto.voice.models import Platform


@dataclass(frozen=True)
class ImportFormat:
    code: str
    platform: str
    label: str | Promise
    columns: dict[str, tuple[str, ...]]
    json_records: tuple[str, ...] = ()
    json_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The top of the rating scale when a cell gives a bare number.
    rating_scale: int = 5


FORMATS: dict[str, ImportFormat] = {
    f.code: f
    for f in [
        ImportFormat(
            code="google",
            platform=Platform.GOOGLE,
            label=_("Google Business Profile"),
            columns={
                "platform_id": ("review id", "reviewid", "id recensione"),
                "url": ("review url", "link", "url"),
                "author": ("reviewer", "reviewer name", "author", "autore", "nome"),
                "rating": ("star rating", "rating", "stars", "stelle", "valutazione", "score"),
                "text": ("comment", "review", "testo", "recensione"),
                "published_at": ("create time", "review date", "date", "published"),
                "language": ("language", "lingua"),
            },
            json_records=("reviews",),
            json_fields={
                "platform_id": ("reviewId", "name"),
                "author": ("reviewer.displayName",),
                "rating": ("starRating",),
                "text": ("comment",),
                "published_at": ("createTime", "updateTime"),
                "url": ("reviewUrl",),
            },
        ),
        ImportFormat(
            code="tripadvisor",
            platform=Platform.TRIPADVISOR,
            label=_("TripAdvisor"),
            columns={
                "platform_id": ("review id", "id"),
                "url": ("review url", "url", "link"),
                "author": ("reviewer", "username", "user name", "author", "autore"),
                "rating": ("rating", "bubble rating", "bubbles", "valutazione", "voto", "score"),
                "title": ("review title", "title", "titolo"),
                "text": ("review text", "review", "text", "testo", "recensione"),
                "published_at": ("review date", "published date", "date", "data recensione"),
                "language": ("language", "lang", "lingua"),
            },
            json_records=("reviews",),
            json_fields={
                "platform_id": ("id",),
                "url": ("url",),
                "author": ("user.username", "user.name", "username"),
                "rating": ("rating",),
                "title": ("title",),
                "text": ("text",),
                "published_at": ("published_date", "publishedDate", "date"),
                "language": ("lang", "language"),
            },
        ),
        ImportFormat(
            code="trustpilot",
            platform=Platform.TRUSTPILOT,
            label=_("Trustpilot"),
            columns={
                "platform_id": ("review id",),
                "url": ("review url", "link"),
                "author": ("consumer name", "reviewer name", "name"),
                "author_email": ("consumer email", "reference email", "email"),
                "rating": ("review stars", "stars", "rating"),
                "title": ("review title", "title"),
                "text": ("review content", "content", "review text"),
                "published_at": ("review created (utc)", "review created", "created", "date"),
                "language": ("review language", "language"),
            },
            json_records=("reviews",),
            json_fields={
                "platform_id": ("id",),
                "author": ("consumer.displayName", "consumer.name"),
                "author_email": ("consumer.email", "referenceEmail"),
                "rating": ("stars", "rating"),
                "title": ("title",),
                "text": ("text", "content"),
                "published_at": ("createdAt", "created"),
                "language": ("language",),
            },
        ),
        ImportFormat(
            code="facebook",
            platform=Platform.FACEBOOK,
            label=_("Facebook page"),
            columns={
                "platform_id": ("id", "review id", "story id"),
                "url": ("url", "link"),
                "author": ("reviewer", "reviewer name", "name", "nome"),
                "rating": ("rating", "recommendation", "recommendation type", "consiglia"),
                "text": ("review text", "review", "text", "testo"),
                "published_at": ("created time", "date", "data"),
            },
            json_records=("data", "recommendations", "reviews"),
            json_fields={
                "platform_id": ("open_graph_story.id", "id"),
                "author": ("reviewer.name", "reviewer"),
                "rating": ("rating", "recommendation_type"),
                "text": ("review_text", "text"),
                "published_at": ("created_time", "timestamp"),
            },
        ),
    ]
}
