"""Reviews arriving, stored once, matched, alerted and replied to: the services on the real
database (SQLite and PostgreSQL) and the real task worker for text analysis."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from ascolto.core.testing import failed_tasks, run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.notifications.models import Notification
from ascolto.textanalysis.models import TextAnalysis
from ascolto.voice import hooks, services
from ascolto.voice.models import MatchState, Review, ReviewAspect, Source
from ascolto.voice.services import ReviewIn
from ascolto.voice.tests.factories import ReviewFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=False)

NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Rome


def item(**kwargs) -> ReviewIn:
    values = {
        "platform": "google",
        "published_at": NOW - timedelta(hours=1),
        "author": "Mario Rossi",
        "text": "Tutto bene.",
        "rating": Decimal(5),
        "rating_original": "FIVE",
    }
    values.update(kwargs)
    return ReviewIn(**values)


def test_the_same_reviews_imported_twice_are_stored_once(workspace_a):
    items = [
        item(platform_id="g-1"),
        item(url="https://www.tripadvisor.it/ShowUserReviews-1", platform="tripadvisor"),
        item(author="Anna Bianchi", text="Gentili e veloci."),
    ]
    first = services.reviews_ingest(workspace=workspace_a, items=items, now=NOW)
    assert len(first.created) == 3 and first.duplicates == 0
    again = services.reviews_ingest(workspace=workspace_a, items=items, now=NOW)
    assert again.created == [] and again.duplicates == 3
    assert Review.objects.filter(workspace=workspace_a).count() == 3


def test_a_review_twice_in_one_file_is_stored_once(workspace_a):
    result = services.reviews_ingest(
        workspace=workspace_a, items=[item(platform_id="x"), item(platform_id="x")], now=NOW
    )
    assert len(result.created) == 1 and result.duplicates == 1


def test_the_unique_constraint_keeps_a_second_copy_out_whatever_writes_it(workspace_a):
    services.reviews_ingest(workspace=workspace_a, items=[item(platform_id="g-1")], now=NOW)
    stored = Review.objects.get(workspace=workspace_a)
    with pytest.raises(IntegrityError):
        ReviewFactory(workspace=workspace_a, dedupe_key=stored.dedupe_key)


def test_another_workspace_may_hold_the_same_review(workspace_a, workspace_b):
    services.reviews_ingest(workspace=workspace_a, items=[item(platform_id="g-1")], now=NOW)
    result = services.reviews_ingest(
        workspace=workspace_b, items=[item(platform_id="g-1")], now=NOW
    )
    assert len(result.created) == 1
    assert Review.objects.filter(workspace=workspace_a).count() == 1


def test_a_bad_row_is_an_error_of_its_line_and_the_others_are_kept(workspace_a):
    result = services.reviews_ingest(
        workspace=workspace_a,
        items=[item(platform_id="ok"), item(platform_id="bad", url="not an address", line=3)],
        now=NOW,
    )
    assert len(result.created) == 1
    assert [line for line, _ in result.errors] == [3]
    assert Review.objects.filter(workspace=workspace_a).count() == 1


def test_a_source_of_another_workspace_is_refused(workspace_a, workspace_b):
    source = SourceFactory(workspace=workspace_b)
    with pytest.raises(ValueError):
        services.reviews_ingest(workspace=workspace_a, items=[item()], source=source, now=NOW)


def test_the_customer_is_suggested_by_email_phone_or_name_and_confirmed_by_a_person(
    workspace_a, bob
):
    by_email = CustomerFactory(workspace=workspace_a, name="Luca Verdi", email="luca@example.com")
    by_phone = CustomerFactory(workspace=workspace_a, name="Sara Neri", phone="+39 333 123 4567")
    by_name = CustomerFactory(workspace=workspace_a, name="Giulia Russo", email="")
    CustomerFactory(workspace=workspace_a, name="Marco Gallo")
    CustomerFactory(workspace=workspace_a, name="Marco Gallo")  # two: no suggestion
    result = services.reviews_ingest(
        workspace=workspace_a,
        items=[
            item(platform_id="1", author="L.", author_email="LUCA@example.com"),
            item(platform_id="2", author="Sara", author_phone="333-1234567"),
            item(platform_id="3", author="giulia russo"),
            item(platform_id="4", author="Marco Gallo"),
            item(platform_id="5", author="Nessuno Noto"),
        ],
        now=NOW,
    )
    reviews = {r.platform_id: r for r in Review.objects.filter(pk__in=result.created)}
    assert reviews["1"].suggested_customer == by_email and reviews["1"].match_reason == "email"
    assert reviews["2"].suggested_customer == by_phone and reviews["2"].match_reason == "phone"
    assert reviews["3"].suggested_customer == by_name and reviews["3"].match_reason == "name"
    assert reviews["4"].match_state == MatchState.NONE
    assert reviews["5"].match_state == MatchState.NONE
    # A suggestion is not a match until confirmed.
    assert all(r.customer_id is None for r in reviews.values())

    confirmed = services.review_match_confirm(review=reviews["1"], by=bob)
    assert confirmed.customer == by_email and confirmed.match_state == MatchState.CONFIRMED

    rejected = services.review_match_reject(review=reviews["2"], by=bob)
    assert rejected.customer is None and rejected.match_state == MatchState.REJECTED


def test_matching_to_a_customer_of_another_workspace_is_refused(workspace_a, workspace_b, bob):
    review = ReviewFactory(workspace=workspace_a)
    stranger = CustomerFactory(workspace=workspace_b)
    with pytest.raises(ValidationError):
        services.review_match_confirm(review=review, by=bob, customer=stranger)
    review.refresh_from_db()
    assert review.customer is None


def test_only_members_of_the_workspace_confirm_or_reply(workspace_a, mallory):
    review = ReviewFactory(workspace=workspace_a)
    customer = CustomerFactory(workspace=workspace_a)
    with pytest.raises(PermissionDenied):
        services.review_match_confirm(review=review, by=mallory, customer=customer)
    with pytest.raises(PermissionDenied):
        services.review_reply_record(review=review, by=mallory, text="Grazie")
    with pytest.raises(PermissionDenied):
        services.review_match_confirm(review=review, by=None, customer=customer)


def test_a_low_rating_alerts_the_managers_with_a_deadline_in_business_hours(
    workspace_a, alice, bob, carol
):
    """GIVEN a 1★ review published on Friday at 17:00 (Rome), arriving now
    WHEN it is stored
    THEN the owner and the manager (not the agent) are alerted, and the reply is due 24
    business hours later: Wednesday at 14:00."""
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 17:00 in Rome
    with time_machine.travel(friday + timedelta(minutes=5), tick=False):
        result = services.reviews_ingest(
            workspace=workspace_a,
            items=[item(platform_id="x", rating=Decimal(1), published_at=friday, text="Pessimi.")],
        )
    review = Review.objects.get(pk=result.created[0])
    assert review.is_negative
    assert review.reply_due_at == datetime(2026, 3, 11, 13, 0, tzinfo=UTC)  # 14:00 in Rome
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {alice.pk, carol.pk}
    assert "1★" in Notification.objects.first().title


def test_four_stars_with_a_negative_text_get_48_business_hours(workspace_a, alice):
    result = services.reviews_ingest(
        workspace=workspace_a, items=[item(platform_id="x", rating=Decimal(4))], now=NOW
    )
    review = Review.objects.get(pk=result.created[0])
    assert not review.is_negative and review.reply_due_at is None
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        services.review_labels_record(
            workspace_id=workspace_a.pk,
            review_id=review.pk,
            sentiment="negative",
            emotion="anger",
            aspects=["price", "timeliness"],
            language="it",
        )
    review.refresh_from_db()
    assert review.is_negative and review.emotion == "anger"
    assert review.reply_due_at - review.published_at > timedelta(hours=48)
    assert sorted(ReviewAspect.objects.filter(review=review).values_list("name", flat=True)) == [
        "price",
        "timeliness",
    ]
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_an_old_negative_review_gets_its_deadline_but_wakes_nobody(workspace_a, alice):
    result = services.reviews_ingest(
        workspace=workspace_a,
        items=[item(platform_id="x", rating=Decimal(1), published_at=NOW - timedelta(days=200))],
        now=NOW,
    )
    review = Review.objects.get(pk=result.created[0])
    assert review.is_negative and review.reply_due_at < NOW
    assert review.alerted_at is None
    assert not Notification.objects.exists()


def test_a_review_is_alerted_once(workspace_a, alice):
    result = services.reviews_ingest(
        workspace=workspace_a,
        items=[item(platform_id="x", rating=Decimal(2), published_at=timezone.now())],
    )
    for _ in range(2):
        services.review_labels_record(
            workspace_id=workspace_a.pk,
            review_id=result.created[0],
            sentiment="negative",
            emotion="anger",
            aspects=[],
        )
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_a_reply_stops_the_clock_and_records_who_and_how_fast(workspace_a, bob):
    published = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Monday 9:00 in Rome
    with time_machine.travel(published, tick=False):
        result = services.reviews_ingest(
            workspace=workspace_a, items=[item(platform_id="x", rating=Decimal(1))]
        )
    review = Review.objects.get(pk=result.created[0])
    with time_machine.travel(published + timedelta(hours=26), tick=False):  # Tuesday 11:00
        replied = services.review_reply_record(review=review, by=bob, text="Ci scusi, rimediamo.")
    assert replied.replied_by == bob
    assert replied.reply_business_minutes == 11 * 60  # 9 on Monday, 2 on Tuesday
    with pytest.raises(ValidationError):
        services.review_reply_record(review=replied, by=bob)


def test_a_review_text_is_analysed_by_the_worker_and_its_labels_come_back(
    workspace_a, alice, django_capture_on_commit_callbacks
):
    """GIVEN an angry 3★ review
    WHEN it arrives and the worker runs
    THEN text analysis stored its analysis, and the review carries the labels, is negative and
    alerted."""
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reviews_ingest(
            workspace=workspace_a,
            items=[
                item(
                    platform_id="x",
                    published_at=timezone.now(),
                    rating=Decimal(3),
                    text="Vergognoso! Ritardo di due ore e personale scortese, prezzi assurdi.",
                )
            ],
        )
    run_pending_tasks()
    assert failed_tasks() == []
    review = Review.objects.get(pk=result.created[0])
    analysis = TextAnalysis.objects.get(source_kind="review", source_id=review.pk)
    assert review.sentiment == analysis.sentiment == "negative"
    assert review.emotion == analysis.emotion
    assert review.language == "it"
    assert review.is_negative and review.alerted_at is not None
    assert set(ReviewAspect.objects.filter(review=review).values_list("name", flat=True)) == set(
        analysis.aspect_rows.values_list("name", flat=True)
    )


def test_sources_need_a_manager_and_old_inbound_tokens_are_compared_hashed(workspace_a, bob, carol):
    with pytest.raises(PermissionDenied):
        services.source_create(workspace=workspace_a, by=bob, name="x", kind="file")
    source = services.source_create(
        workspace=workspace_a, by=carol, name="Gestionale", kind=Source.Kind.INBOUND
    )
    assert source.token_hash == ""  # the REST API's tokens replace per-source ones
    assert services.source_for_token("") is None
    token = "a-token-given-out-before-the-api-" + "x" * 20
    Source.objects.filter(pk=source.pk).update(token_hash=services.token_hash(token))
    assert services.source_for_token(token) == source
    assert services.source_for_token(token + "x") is None
    with pytest.raises(PermissionDenied):
        services.source_token_revoke(source=source, by=bob)
    services.source_token_revoke(source=source, by=carol)
    assert services.source_for_token(token) is None
    with pytest.raises(ValidationError):
        services.source_create(workspace=workspace_a, by=carol, name="f", kind="feed")


def test_reviews_are_scoped_to_their_workspace(workspace_a, workspace_b):
    from ascolto.voice.selectors import review_list, reviews_waiting

    mine = ReviewFactory(workspace=workspace_a, is_negative=True, reply_due_at=timezone.now())
    ReviewFactory(workspace=workspace_b, is_negative=True, reply_due_at=timezone.now())
    assert list(review_list(workspace=workspace_a)) == [mine]
    assert list(reviews_waiting(workspace=workspace_a)) == [mine]


def test_text_analysis_fills_the_review_hook_at_start_up():
    names = [f"{f.__module__}.{f.__qualname__}" for f in hooks.review_texts_saved]
    assert names == ["ascolto.textanalysis.services.review_texts_analyse"]


def test_a_correction_of_the_labels_reaches_the_review(
    workspace_a, bob, django_capture_on_commit_callbacks
):
    from ascolto.textanalysis.services import text_correction_record

    with django_capture_on_commit_callbacks(execute=True):
        result = services.reviews_ingest(
            workspace=workspace_a,
            items=[
                item(platform_id="x", rating=Decimal(4), published_at=timezone.now(), text="Ok.")
            ],
        )
    run_pending_tasks()
    analysis = TextAnalysis.objects.get(source_kind="review", source_id=result.created[0])
    text_correction_record(
        analysis=analysis, by=bob, sentiment="negative", emotion="fear", aspects=["price"]
    )
    review = Review.objects.get(pk=result.created[0])
    assert (review.sentiment, review.emotion, review.is_negative) == ("negative", "fear", True)
    assert list(review.aspect_rows.values_list("name", flat=True)) == ["price"]


def test_a_confirmed_review_s_analysis_counts_for_its_customer(
    workspace_a, bob, django_capture_on_commit_callbacks
):
    """GIVEN an analysed review suggested for a customer by email
    WHEN a person confirms it, then says it is not them
    THEN its analysis belongs to the customer (their voice summary and health score read it),
    then to nobody again."""
    customer = CustomerFactory(workspace=workspace_a, email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reviews_ingest(
            workspace=workspace_a,
            items=[
                item(
                    platform_id="x",
                    author_email="anna@example.com",
                    published_at=timezone.now(),
                    text="Pessimo servizio, furgone in ritardo.",
                )
            ],
        )
    run_pending_tasks()
    review = Review.objects.get(pk=result.created[0])
    analysis = TextAnalysis.objects.get(source_kind="review", source_id=review.pk)
    assert analysis.customer_id is None  # a suggestion is not a match
    services.review_match_confirm(review=review, by=bob)
    analysis.refresh_from_db()
    assert analysis.customer == customer
    services.review_match_reject(review=review, by=bob)
    analysis.refresh_from_db()
    assert analysis.customer_id is None


def test_the_review_hooks_are_filled_at_start_up():
    names = [f"{f.__module__}.{f.__qualname__}" for f in hooks.review_judged]
    assert "ascolto.textanalysis.services.review_analysis_customer_set" in names
