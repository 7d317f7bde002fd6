"""A negative review of a known customer opens a case and counts in their health score: the
higher apps fill voice's `review_judged` hook."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ascolto.cases.models import Case
from ascolto.core.testing import failed_tasks, run_pending_tasks
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.health.models import HealthScore
from ascolto.voice import hooks, services
from ascolto.voice.models import Review
from ascolto.voice.normalise import ReviewIn

pytestmark = pytest.mark.django_db


def arrive(workspace, *, rating, text, email="anna@example.com", platform_id="r1"):
    result = services.reviews_ingest(
        workspace=workspace,
        items=[
            ReviewIn(
                platform="google",
                published_at=timezone.now() - timedelta(hours=1),
                platform_id=platform_id,
                author="Anna",
                author_email=email,
                rating=Decimal(rating),
                rating_original=str(rating),
                text=text,
            )
        ],
    )
    return Review.objects.get(pk=result.created[0])


def test_confirming_a_negative_review_opens_one_case(
    workspace_a, bob, django_capture_on_commit_callbacks
):
    """GIVEN a 1★ review about a late delivery, suggested for Anna by her email
    WHEN it is analysed and a person confirms it is hers (and confirms again)
    THEN one case is open for Anna, about the delay, of high severity, on the social channel,
    with the review's text; and her health score is computed with it."""
    anna = CustomerFactory(workspace=workspace_a, email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        review = arrive(
            workspace_a, rating=1, text="Consegna in ritardo di tre giorni, vergognoso!"
        )
    run_pending_tasks()
    assert not Case.objects.exists()  # a suggestion is not yet her review
    with django_capture_on_commit_callbacks(execute=True):
        services.review_match_confirm(review=review, by=bob)
    services.review_match_confirm(review=Review.objects.get(pk=review.pk), by=bob)
    case = Case.objects.get()
    assert case.customer == anna and case.source_key == f"review:{review.pk}"
    assert (case.category.code, case.severity, case.channel) == ("ritardo", "high", "social")
    assert "Consegna in ritardo" in case.description
    run_pending_tasks()
    assert failed_tasks() == []
    assert HealthScore.objects.filter(customer=anna).exists()  # refreshed by the hook's task
    from ascolto.health import measures, signals

    row = signals.signal_rows(workspace=workspace_a, at=timezone.now()).values().get(pk=anna.pk)
    assert (row["texts"], row["negative"]) == (1, 1)
    band, _params = measures.voice(row, measures.DEFAULT_BANDS, timezone.now().date())
    assert (
        band == "concerning"
    )  # one negative text: counted, not yet a trend (health.measures.voice)


def test_a_good_review_or_an_unconfirmed_one_opens_no_case(workspace_a, bob):
    CustomerFactory(workspace=workspace_a, email="anna@example.com")
    good = arrive(workspace_a, rating=5, text="Perfetto.", platform_id="good")
    services.review_match_confirm(review=good, by=bob)
    arrive(workspace_a, rating=1, text="Pessimi.", platform_id="bad")  # suggested only
    assert not Case.objects.exists()


def test_cases_and_health_fill_the_review_hook():
    names = [f"{f.__module__}.{f.__qualname__}" for f in hooks.review_judged]
    assert names == [
        "ascolto.textanalysis.services.review_analysis_customer_set",
        "ascolto.cases.services.reviews.case_open_for_review",
        "ascolto.health.services.review_health_refresh",
    ]
