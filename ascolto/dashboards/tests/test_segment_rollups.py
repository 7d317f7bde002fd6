"""The per-segment daily counts (`DailySegmentScore`, `DailySegmentInvitations`) stay equal to
the rows they count, in the segment each row's customer is in now, whichever way responses,
invitations, customers and segments are written, changed or removed; and the overview filtered
on a segment gives the figures a count of the rows gives."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from ascolto.customers.models import Customer, Segment
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.dashboards import selectors
from ascolto.dashboards.models import DailySegmentInvitations, DailySegmentScore
from ascolto.dashboards.tests.factories import InvitationFactory, ResponseFactory, SurveyFactory
from ascolto.feedback.models import Invitation, Response, Survey
from ascolto.lib import periods
from ascolto.lib.periods import Period

ROME = ZoneInfo("Europe/Rome")
MIGRATION = importlib.import_module("ascolto.dashboards.migrations.0004_segment_daily_counts")


def utc_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


def score_counts_from_rows() -> dict:
    counts: dict = {}
    rows = Response.objects.filter(score__isnull=False, customer__segment__isnull=False)
    for r in rows.select_related("customer").order_by():
        key = (r.customer.segment_id, r.workspace_id, utc_day(r.submitted_at), r.kind, r.score)
        counts[key] = counts.get(key, 0) + 1
    return counts


def score_counts_kept() -> dict:
    assert not DailySegmentScore.objects.filter(n__lt=0).exists()
    return {
        (d.segment_id, d.workspace_id, d.day, d.kind, d.score): d.n
        for d in DailySegmentScore.objects.filter(n__gt=0)
    }


def invitation_counts_from_rows() -> dict:
    counts: dict = {}
    rows = Invitation.objects.filter(customer__segment__isnull=False).select_related("customer")
    for i in rows.order_by():
        key = (i.customer.segment_id, i.workspace_id, utc_day(i.created_at))
        invited, opened, answered = counts.get(key, (0, 0, 0))
        counts[key] = (
            invited + 1,
            opened + (i.opened_at is not None or i.answered_at is not None),
            answered + (i.answered_at is not None),
        )
    return counts


def invitation_counts_kept() -> dict:
    assert not DailySegmentInvitations.objects.filter(invited__lt=0).exists()
    assert not DailySegmentInvitations.objects.filter(opened__lt=0).exists()
    assert not DailySegmentInvitations.objects.filter(answered__lt=0).exists()
    return {
        (d.segment_id, d.workspace_id, d.day): (d.invited, d.opened, d.answered)
        for d in DailySegmentInvitations.objects.filter(invited__gt=0)
    }


def assert_counts_exact() -> None:
    assert score_counts_kept() == score_counts_from_rows()
    assert invitation_counts_kept() == invitation_counts_from_rows()


@pytest.mark.django_db(transaction=True)
def test_segment_scores_follow_responses_customers_and_segments(workspace_a, workspace_b):
    """GIVEN responses of customers in two segments, of a customer without one and without a
    customer, one by one and in bulk, around UTC midnight, and a segment in another workspace
    WHEN responses change score, kind, time and customer, are deleted one by one and in bulk,
    customers move between segments, to none and from none, a segment and a customer are
    deleted, and the other workspace is deleted
    THEN the per-segment daily counts equal a count of the rows after every step."""
    nps = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.NPS)
    csat = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CSAT)
    edilizia, eventi = (SegmentFactory(workspace=workspace_a) for _i in range(2))
    ann, ben = (CustomerFactory(workspace=workspace_a, segment=edilizia) for _i in range(2))
    cat = CustomerFactory(workspace=workspace_a, segment=eventi)
    nobody = CustomerFactory(workspace=workspace_a, segment=None)
    other_segment = SegmentFactory(workspace=workspace_b)
    other = CustomerFactory(workspace=workspace_b, segment=other_segment)
    midnight = datetime(2026, 3, 10, tzinfo=UTC)
    made = [
        ResponseFactory(survey=nps, customer=ann, score=10, submitted_at=midnight),
        ResponseFactory(survey=nps, customer=ann, score=6, submitted_at=midnight),
        ResponseFactory(survey=csat, customer=ben, score=4, submitted_at=midnight),
        ResponseFactory(survey=nps, customer=cat, score=9, submitted_at=midnight),
        ResponseFactory(survey=nps, customer=nobody, score=9, submitted_at=midnight),
        ResponseFactory(survey=nps, customer=None, score=9, submitted_at=midnight),
        ResponseFactory(survey=nps, customer=ann, score=None, submitted_at=midnight),
        ResponseFactory(
            survey=SurveyFactory(workspace=workspace_b),
            customer=other,
            score=0,
            submitted_at=midnight,
        ),
    ]
    Response.objects.bulk_create(
        [
            Response(
                workspace=workspace_a,
                survey=nps,
                customer=customer,
                kind="nps",
                score=s,
                submitted_at=midnight - timedelta(seconds=1),
            )
            for customer, s in ((ann, 9), (ben, 9), (cat, 3), (nobody, 7))
        ]
    )
    kept = score_counts_kept()
    assert kept == score_counts_from_rows()
    assert kept[(edilizia.pk, workspace_a.pk, date(2026, 3, 10), "nps", 10)] == 1
    assert kept[(edilizia.pk, workspace_a.pk, date(2026, 3, 9), "nps", 9)] == 2
    assert kept[(other_segment.pk, workspace_b.pk, date(2026, 3, 10), "nps", 0)] == 1

    Response.objects.filter(pk=made[0].pk).update(score=7)
    Response.objects.filter(pk=made[1].pk).update(submitted_at=midnight + timedelta(days=3))
    Response.objects.filter(pk=made[2].pk).update(kind=Survey.Kind.NPS)
    Response.objects.filter(pk=made[3].pk).update(customer=ann)
    Response.objects.filter(pk=made[4].pk).update(customer=cat)
    Response.objects.filter(pk=made[5].pk).update(customer=ben)
    Response.objects.filter(pk=made[6].pk).update(score=8)
    assert_counts_exact()

    # Customers move: to another segment, to none, from none; one by one and in bulk.
    ann.segment = eventi
    ann.save()
    Customer.objects.filter(pk=cat.pk).update(segment=None)
    Customer.objects.filter(pk__in=[nobody.pk, ben.pk]).update(segment=edilizia)
    assert_counts_exact()
    assert score_counts_kept()[(edilizia.pk, workspace_a.pk, date(2026, 3, 9), "nps", 9)] == 1

    Response.objects.filter(score=9).delete()
    ann.delete()
    assert_counts_exact()

    edilizia.delete()
    assert_counts_exact()
    assert not DailySegmentScore.objects.filter(segment_id=edilizia.pk).exists()
    assert Customer.objects.get(pk=ben.pk).segment_id is None

    workspace_b.delete()
    assert_counts_exact()
    assert not DailySegmentScore.objects.filter(workspace=workspace_b.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_segment_invitations_follow_opening_answering_and_segments(workspace_a, workspace_b):
    """GIVEN invitations of customers in a segment, created one by one and in bulk
    WHEN they are opened and answered, re-dated, moved to another customer, their customers
    change segment, a customer and a segment are deleted
    THEN the per-segment invited/opened/answered counts equal a count of the rows."""
    survey = SurveyFactory(workspace=workspace_a)
    edilizia, eventi = (SegmentFactory(workspace=workspace_a) for _i in range(2))
    customers = [CustomerFactory(workspace=workspace_a, segment=edilizia) for _i in range(4)]
    plain = CustomerFactory(workspace=workspace_a, segment=None)
    day = datetime(2026, 5, 1, 23, 30, tzinfo=UTC)
    invitations = [
        InvitationFactory(survey=survey, customer=c, created_at=day) for c in customers[:3]
    ]
    InvitationFactory(
        survey=survey, customer=customers[3], created_at=day, answered_at=day + timedelta(hours=1)
    )
    second = SurveyFactory(workspace=workspace_a)
    Invitation.objects.bulk_create(
        [
            Invitation(
                workspace=workspace_a,
                survey=second,
                customer=c,
                token_salt="s",
                token_hash=f"bulk{c.pk:060d}",
                created_at=day,
                expires_at=day + timedelta(days=30),
                opened_at=day,
            )
            for c in (*customers[:2], plain)
        ]
    )
    other = CustomerFactory(workspace=workspace_b, segment=SegmentFactory(workspace=workspace_b))
    InvitationFactory(survey=SurveyFactory(workspace=workspace_b), customer=other, created_at=day)
    assert invitation_counts_kept()[(edilizia.pk, workspace_a.pk, date(2026, 5, 1))] == (6, 3, 1)
    assert_counts_exact()

    Invitation.objects.filter(pk=invitations[0].pk).update(opened_at=day + timedelta(hours=2))
    Invitation.objects.filter(pk=invitations[1].pk).update(
        opened_at=day, answered_at=day + timedelta(hours=3)
    )
    Invitation.objects.filter(pk=invitations[2].pk).update(attempts=3, last_error="x")
    Invitation.objects.filter(pk=invitations[2].pk).update(created_at=day + timedelta(hours=1))
    Invitation.objects.filter(pk=invitations[0].pk).update(customer=plain)
    assert_counts_exact()

    Customer.objects.filter(pk=customers[1].pk).update(segment=eventi)
    Customer.objects.filter(pk=plain.pk).update(segment=eventi)
    Customer.objects.filter(pk=customers[3].pk).update(segment=None)
    assert_counts_exact()

    Invitation.objects.filter(survey=second).delete()
    customers[2].delete()
    eventi.delete()
    assert_counts_exact()
    assert not DailySegmentInvitations.objects.filter(segment_id=eventi.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_migration_counts_existing_rows_and_drops_its_triggers(workspace_a):
    """GIVEN rows written while the triggers are gone (the reverse migration)
    WHEN the migration's forward step runs again
    THEN it counts every row once, and the triggers keep counting afterwards."""
    survey = SurveyFactory(workspace=workspace_a)
    segment = SegmentFactory(workspace=workspace_a)
    customer = CustomerFactory(workspace=workspace_a, segment=segment)
    ResponseFactory(
        survey=survey, customer=customer, score=9, submitted_at=datetime(2026, 1, 5, tzinfo=UTC)
    )
    with connection.schema_editor() as editor:
        MIGRATION.drop_triggers(None, editor)
    DailySegmentScore.objects.all().delete()
    DailySegmentInvitations.objects.all().delete()
    ResponseFactory(survey=survey, customer=customer, score=3)
    InvitationFactory(survey=survey, customer=customer, opened_at=datetime(2026, 1, 6, tzinfo=UTC))
    assert not DailySegmentScore.objects.exists()  # no trigger left behind

    with connection.schema_editor() as editor:
        MIGRATION.create_triggers(None, editor)
    assert score_counts_kept() != {}
    assert_counts_exact()
    ResponseFactory(survey=survey, customer=customer, score=10)
    assert_counts_exact()


def rows_scores(workspace, period: Period, segment: Segment) -> tuple[int, int, int, int]:
    """Promoters, passives, detractors and CSAT answers of the segment in the period, counted
    in Python from the rows."""
    start, end = period.bounds(periods.workspace_zone(workspace))
    promoters = passives = detractors = csat = 0
    for r in Response.objects.filter(
        workspace=workspace, customer__segment=segment, score__isnull=False
    ):
        if not start <= r.submitted_at < end:
            continue
        if r.kind == Survey.Kind.CSAT:
            csat += 1
        elif r.kind == Survey.Kind.NPS:
            promoters += r.score >= 9
            passives += 7 <= r.score <= 8
            detractors += r.score <= 6
    return promoters, passives, detractors, csat


def rows_rate(workspace, period: Period, segment: Segment) -> tuple[int, int, int]:
    start, end = period.bounds(periods.workspace_zone(workspace))
    rows = [
        i
        for i in Invitation.objects.filter(workspace=workspace, customer__segment=segment)
        if start <= i.created_at < end
    ]
    return (
        len(rows),
        sum(i.opened_at is not None or i.answered_at is not None for i in rows),
        sum(i.answered_at is not None for i in rows),
    )


def figures(workspace, period: Period, segment: Segment):
    data = selectors.overview(workspace=workspace, period=period, segment=segment)
    nps = data.scores.current.nps
    return (
        (nps.promoters, nps.passives, nps.detractors, data.scores.current.csat.n),
        (data.rate.invited, data.rate.opened, data.rate.answered),
    )


@pytest.mark.django_db(transaction=True)
def test_overview_with_segment_reads_counts_equal_to_the_rows(workspace_a, workspace_b):
    """GIVEN answers and invitations of a segment's customers in the middle of Rome months and
    in their first and last hours (on the UTC day before), of other customers, and of another
    workspace
    WHEN the overview is filtered on the segment, before and after customers change segment,
    answers change and rows are deleted
    THEN its NPS, CSAT and response rate equal a count of the rows, and the whole days come
    from the per-segment counts (emptying them changes the figures)."""
    nps = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.NPS)
    csat = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CSAT)
    edilizia, eventi = (SegmentFactory(workspace=workspace_a) for _i in range(2))
    inside = [CustomerFactory(workspace=workspace_a, segment=edilizia) for _i in range(3)]
    outside = CustomerFactory(workspace=workspace_a, segment=eventi)
    moments = [
        datetime(2026, 4, 1, 0, 30, tzinfo=ROME),  # April, on 31 March UTC
        datetime(2026, 3, 31, 23, 30, tzinfo=ROME),  # March, same UTC day
        datetime(2026, 3, 15, 12, tzinfo=ROME),
        datetime(2026, 4, 15, 12, tzinfo=ROME),
        datetime(2026, 5, 1, 0, 10, tzinfo=ROME),  # after the period
        datetime(2026, 2, 28, 23, 59, tzinfo=ROME),  # the previous period
    ]
    for i, moment in enumerate(moments):
        for j, customer in enumerate([*inside, outside]):
            ResponseFactory(
                survey=nps, customer=customer, score=(i * 3 + j) % 11, submitted_at=moment
            )
            ResponseFactory(
                survey=csat, customer=customer, score=(i + j) % 5 + 1, submitted_at=moment
            )
            InvitationFactory(
                survey=nps if j % 2 else csat,
                customer=customer,
                created_at=moment,
                closed_at=moment,
                opened_at=moment if (i + j) % 2 else None,
                answered_at=moment if (i + j) % 3 == 0 else None,
            )
    b_segment = SegmentFactory(workspace=workspace_b)
    b_customer = CustomerFactory(workspace=workspace_b, segment=b_segment)
    ResponseFactory(
        survey=SurveyFactory(workspace=workspace_b),
        customer=b_customer,
        score=0,
        submitted_at=moments[2],
    )
    period = Period(date(2026, 3, 1), date(2026, 4, 30))

    def expected(segment):
        return rows_scores(workspace_a, period, segment), rows_rate(workspace_a, period, segment)

    assert figures(workspace_a, period, edilizia) == expected(edilizia)
    assert sum(expected(edilizia)[0]) > 0
    assert figures(workspace_a, period, b_segment) == ((0, 0, 0, 0), (0, 0, 0))

    Customer.objects.filter(pk=inside[0].pk).update(segment=eventi)
    Customer.objects.filter(pk=outside.pk).update(segment=None)
    assert rows_scores(workspace_a, period, edilizia)[3] == 8  # two customers' CSAT answers
    Response.objects.filter(customer=inside[1], submitted_at=moments[2]).update(score=10)
    Invitation.objects.filter(customer=inside[2]).update(answered_at=moments[3])
    Response.objects.filter(customer=inside[2], submitted_at=moments[0]).delete()
    for segment in (edilizia, eventi):
        assert figures(workspace_a, period, segment) == expected(segment)

    # The mid-month days are read from the per-segment counts, not from the rows.
    DailySegmentScore.objects.all().delete()
    DailySegmentInvitations.objects.all().delete()
    assert figures(workspace_a, period, edilizia) != expected(edilizia)
