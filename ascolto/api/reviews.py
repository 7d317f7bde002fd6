"""Public reviews and mentions: `/api/v1/reviews`. Another tool sends the reviews it gathers
(the way in that replaced the per-source tokens of `/voice/inbound/`), and reads them back with
their labels, their customer and their reply. The same voice services as the pages and file
imports decide: stored once per workspace, matched, judged and alerted alike."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ascolto.api.base import ERRORS, Pages, get_in_workspace, member_of, workspace_of
from ascolto.voice import selectors as voice_selectors
from ascolto.voice import services as voice_services
from ascolto.voice.inbound import MAX_REVIEWS
from ascolto.voice.models import Review, Source

router = Router(tags=["reviews"])

PlatformName = Literal["google", "tripadvisor", "trustpilot", "facebook", "web", "other"]


class ReviewOut(Schema):
    id: int
    platform: str
    platform_id: str
    url: str
    author: str
    rating: Decimal | None = Field(None, description="On a 1–5 scale; null for a mention.")
    rating_original: str
    title: str
    text: str
    published_at: datetime
    language: str
    sentiment: str
    emotion: str
    aspects: list[str]
    source_id: int | None
    customer_id: int | None = Field(None, description="Set once a person confirmed the match.")
    match_state: str
    is_negative: bool
    reply_due_at: datetime | None
    replied_at: datetime | None
    reply_text: str
    reply_business_minutes: int | None

    @staticmethod
    def resolve_aspects(obj: Review) -> list[str]:
        return [row.name for row in obj.aspect_rows.all()]


class ReviewItemIn(Schema):
    id: str = Field("", max_length=300, description="The platform's own id (de-duplicates).")
    platform: PlatformName | Literal[""] = ""
    url: str = Field("", max_length=1000)
    author: str = Field("", max_length=200)
    email: str = Field("", max_length=254, description="The author's, to match the customer.")
    phone: str = Field("", max_length=40)
    rating: Decimal | str | None = Field(
        None, description='As the platform gives it: 4, "4,5", "8/10", "FIVE", "positive".'
    )
    rating_scale: int = Field(5, ge=2, le=100)
    title: str = Field("", max_length=300)
    text: str = Field("", max_length=20_000)
    published_at: str = Field(
        ..., max_length=60, description="ISO 8601, or an Italian date such as 12/03/2025 14:30."
    )
    language: str = Field("", max_length=8)


class ReviewsIn(Schema):
    reviews: list[ReviewItemIn] = Field(..., min_length=1, max_length=MAX_REVIEWS)
    source_id: int | None = Field(
        None, ge=1, le=2**62, description="An inbound source of the workspace to file them under."
    )
    platform: PlatformName | Literal[""] = Field(
        "", description="The platform of the reviews that name none (default: the source's)."
    )


class ReviewItemError(Schema):
    index: int = Field(..., description="The review's position in `reviews`, from 1.")
    detail: str


class ReviewsReceived(Schema):
    created: list[int] = Field(..., description="The ids of the reviews stored now.")
    duplicates: int = Field(..., description="Reviews already stored (or twice in the body).")
    errors: list[ReviewItemError]


class ReviewFilter(Schema):
    platform: PlatformName | Literal[""] = ""
    waiting: bool | None = Field(None, description="Negative and not replied yet.")
    negative: bool | None = None
    customer_id: int | None = Field(None, ge=1, le=2**62)
    since: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))


def _records(data: ReviewsIn) -> list[dict]:
    records = []
    for item in data.reviews:
        record = item.dict()
        rating = record.get("rating")
        record["rating"] = "" if rating is None else str(rating)
        records.append(record)
    return records


@router.post(
    "/reviews",
    response={200: ReviewsReceived, **ERRORS},
    summary="Send reviews or mentions (up to 1,000); each one is stored once",
)
def reviews_send(request: HttpRequest, data: ReviewsIn):
    workspace = workspace_of(request)
    source = None
    if data.source_id is not None:
        source = get_in_workspace(request, Source, data.source_id)
    result = voice_services.reviews_receive(
        workspace=workspace,
        by=member_of(request),
        records=_records(data),
        source=source,
        platform=data.platform,
    )
    return {
        "created": result.created,
        "duplicates": result.duplicates,
        "errors": [{"index": index, "detail": detail} for index, detail in result.errors],
    }


@router.get("/reviews", response=list[ReviewOut], summary="Reviews and mentions, newest first")
@paginate(Pages)
def review_list(request: HttpRequest, filters: Query[ReviewFilter]):
    qs = voice_selectors.review_list(
        workspace=workspace_of(request),
        filters=voice_selectors.ReviewFilters(
            platform=filters.platform, waiting=bool(filters.waiting)
        ),
    ).prefetch_related("aspect_rows")
    if filters.negative is not None:
        qs = qs.filter(is_negative=filters.negative)
    if filters.waiting is False:
        qs = qs.exclude(is_negative=True, replied_at__isnull=True)
    if filters.customer_id:
        qs = qs.filter(customer_id=filters.customer_id, match_state="confirmed")
    if filters.since:
        qs = qs.filter(published_at__date__gte=filters.since)
    return qs


@router.get("/reviews/{review_id}", response={200: ReviewOut, **ERRORS})
def review_get(request: HttpRequest, review_id: int):
    return get_in_workspace(request, Review.objects.prefetch_related("aspect_rows"), review_id)


class ReplyIn(Schema):
    text: str = Field("", max_length=10_000, description="The reply as published.")
    replied_at: datetime | None = Field(None, description="When it was published (default: now).")


@router.post(
    "/reviews/{review_id}/reply",
    response={200: ReviewOut, **ERRORS},
    summary="Mark a review as replied on its platform (stops its clock)",
)
def review_reply(request: HttpRequest, review_id: int, data: ReplyIn):
    review = get_in_workspace(request, Review, review_id)
    voice_services.review_reply_record(
        review=review, by=member_of(request), text=data.text, replied_at=data.replied_at
    )
    return Review.objects.prefetch_related("aspect_rows").get(pk=review.pk)
