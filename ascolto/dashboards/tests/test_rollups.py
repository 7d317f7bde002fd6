"""The daily counts the dashboards read (`DailyScore`, `DailyInvitations`) stay equal to the
rows they count, whichever way rows are written, changed or removed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, Q

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.dashboards import selectors
from ascolto.dashboards.models import DailyInvitations, DailyScore
from ascolto.dashboards.tests.factories import (
    InvitationFactory,
    ResponseFactory,
    SurveyFactory,
)
from ascolto.feedback.models import Invitation, Response, Survey
from ascolto.lib.periods import Period

ROME = ZoneInfo("Europe/Rome")


def utc_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


def score_counts_from_rows() -> dict:
    counts: dict = {}
    for r in Response.objects.filter(score__isnull=False).order_by():
        key = (r.workspace_id, utc_day(r.submitted_at), r.kind, r.score)
        counts[key] = counts.get(key, 0) + 1
    return counts


def score_counts_kept() -> dict:
    return {
        (d.workspace_id, d.day, d.kind, d.score): d.n for d in DailyScore.objects.filter(n__gt=0)
    }


def invitation_counts_from_rows() -> dict:
    counts: dict = {}
    for i in Invitation.objects.order_by():
        key = (i.workspace_id, utc_day(i.created_at))
        invited, opened, answered = counts.get(key, (0, 0, 0))
        counts[key] = (
            invited + 1,
            opened + (i.opened_at is not None or i.answered_at is not None),
            answered + (i.answered_at is not None),
        )
    return counts


def invitation_counts_kept() -> dict:
    return {
        (d.workspace_id, d.day): (d.invited, d.opened, d.answered)
        for d in DailyInvitations.objects.filter(invited__gt=0)
    }


@pytest.mark.django_db(transaction=True)
def test_daily_scores_follow_inserts_updates_and_deletes(workspace_a, workspace_b):
    """GIVEN responses written one by one and in bulk, around UTC midnight, in two workspaces
    WHEN some change score, time or survey and others are deleted (also by cascade)
    THEN the daily counts equal a count of the rows after every step."""
    nps = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.NPS)
    csat = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CSAT)
    other = SurveyFactory(workspace=workspace_b, kind=Survey.Kind.NPS)
    customer = CustomerFactory(workspace=workspace_a)
    midnight = datetime(2026, 3, 10, tzinfo=UTC)
    made = [
        ResponseFactory(survey=nps, score=10, submitted_at=midnight - timedelta(seconds=1)),
        ResponseFactory(survey=nps, score=10, submitted_at=midnight),
        ResponseFactory(survey=csat, score=4, submitted_at=midnight, customer=customer),
        ResponseFactory(survey=other, score=3, submitted_at=midnight),
        ResponseFactory(survey=nps, score=None, submitted_at=midnight),
    ]
    Response.objects.bulk_create(
        [
            Response(workspace=workspace_a, survey=nps, kind="nps", score=s, submitted_at=midnight)
            for s in (0, 6, 9, 9)
        ]
    )
    assert made[0].kind == Survey.Kind.NPS
    assert score_counts_kept() == score_counts_from_rows()
    assert score_counts_kept()[(workspace_a.pk, date(2026, 3, 10), "nps", 9)] == 2

    Response.objects.filter(pk=made[0].pk).update(score=7)
    Response.objects.filter(pk=made[1].pk).update(submitted_at=midnight + timedelta(days=3))
    Response.objects.filter(pk=made[4].pk).update(score=8)
    made[2].score = None
    made[2].save()
    assert score_counts_kept() == score_counts_from_rows()

    Response.objects.filter(score=9).delete()
    customer.delete()
    assert score_counts_kept() == score_counts_from_rows()
    workspace_b.delete()
    assert score_counts_kept() == score_counts_from_rows()
    assert not DailyScore.objects.filter(workspace=workspace_b.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_daily_invitations_follow_opening_answering_and_deletes(workspace_a):
    """GIVEN invitations created, then opened and answered at later times
    WHEN rows are updated (also in columns that are not counted) and deleted
    THEN the daily invited/opened/answered counts equal a count of the rows."""
    survey = SurveyFactory(workspace=workspace_a)
    customers = [CustomerFactory(workspace=workspace_a) for _i in range(5)]
    day = datetime(2026, 5, 1, 23, 30, tzinfo=UTC)
    invitations = [
        InvitationFactory(survey=survey, customer=c, created_at=day) for c in customers[:4]
    ]
    InvitationFactory(
        survey=survey, customer=customers[4], created_at=day, answered_at=day + timedelta(hours=1)
    )
    assert invitation_counts_kept() == {(workspace_a.pk, date(2026, 5, 1)): (5, 1, 1)}

    Invitation.objects.filter(pk=invitations[0].pk).update(opened_at=day + timedelta(hours=2))
    Invitation.objects.filter(pk=invitations[1].pk).update(
        opened_at=day, answered_at=day + timedelta(hours=3)
    )
    Invitation.objects.filter(pk=invitations[2].pk).update(attempts=3, last_error="x")
    Invitation.objects.filter(pk=invitations[3].pk).update(created_at=day + timedelta(hours=1))
    assert invitation_counts_kept() == invitation_counts_from_rows()

    Invitation.objects.filter(pk=invitations[1].pk).delete()
    assert invitation_counts_kept() == invitation_counts_from_rows()


@pytest.mark.django_db
def test_periods_cut_inside_utc_days_count_edge_hours_once(workspace_a, django_assert_num_queries):
    """GIVEN answers in the first and last hours of Rome months (which fall on the UTC day
    before) and in the middle of the months
    WHEN NPS by month and scores are read from the daily counts plus the edge hours
    THEN every answer lands in its Rome month exactly once, in one query per figure."""
    nps = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.NPS)
    moments = {
        # 00:30 on 1 April in Rome is 22:30 on 31 March UTC: April.
        datetime(2026, 4, 1, 0, 30, tzinfo=ROME): 10,
        # 23:30 on 31 March in Rome: March, same UTC day as the one above.
        datetime(2026, 3, 31, 23, 30, tzinfo=ROME): 0,
        datetime(2026, 3, 15, 12, tzinfo=ROME): 10,
        datetime(2026, 4, 15, 12, tzinfo=ROME): 8,
        # 1 May 00:10 Rome: outside the period.
        datetime(2026, 5, 1, 0, 10, tzinfo=ROME): 0,
        # 28 February 23:59 Rome: the previous period.
        datetime(2026, 2, 28, 23, 59, tzinfo=ROME): 9,
    }
    for moment, score in moments.items():
        ResponseFactory(survey=nps, score=score, submitted_at=moment)
    period = Period(date(2026, 3, 1), date(2026, 4, 30))

    with django_assert_num_queries(1):
        rows = selectors.nps_by_period(workspace=workspace_a, period=period)
    by_month = {r.key: (r.result.promoters, r.result.passives, r.result.detractors) for r in rows}
    assert by_month == {"2026-03": (1, 0, 1), "2026-04": (1, 1, 0)}

    with django_assert_num_queries(1):
        scores = selectors.scores_compare(workspace=workspace_a, period=period)
    assert (scores.current.nps.n, scores.previous.nps.n) == (4, 1)
    expected = Response.objects.filter(
        Q(submitted_at__gte=datetime(2026, 3, 1, tzinfo=ROME))
        & Q(submitted_at__lt=datetime(2026, 5, 1, tzinfo=ROME))
    ).aggregate(n=Count("pk"))["n"]
    assert scores.current.nps.n == expected


def last_heard_from_rows() -> dict:
    from ascolto.customers.models import Customer
    from ascolto.interactions.models import Interaction

    latest = {}
    for c in Customer.objects.order_by():
        times = [
            *Interaction.objects.filter(customer=c).values_list("occurred_at", flat=True),
            *Response.objects.filter(customer=c).values_list("submitted_at", flat=True),
        ]
        latest[c.pk] = (c.workspace_id, c.status, max(times) if times else None)
    return latest


def last_heard_kept() -> dict:
    from ascolto.dashboards.models import LastHeard

    return {h.customer_id: (h.workspace_id, h.status, h.at) for h in LastHeard.objects.all()}


@pytest.mark.django_db(transaction=True)
def test_last_heard_follows_interactions_answers_and_status(workspace_a):
    """GIVEN customers with interactions and survey answers
    WHEN rows are added, moved to another customer, re-dated and deleted, and a customer is
    lost or deleted
    THEN each customer's last-heard moment and status equal what the rows say."""
    from ascolto.customers.models import Customer
    from ascolto.interactions.tests.factories import InteractionFactory

    nps = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.NPS)
    ann, ben, cat = (CustomerFactory(workspace=workspace_a) for _i in range(3))
    t0 = datetime(2026, 6, 1, 10, tzinfo=UTC)
    first = InteractionFactory(customer=ann, occurred_at=t0)
    latest = InteractionFactory(customer=ann, occurred_at=t0 + timedelta(days=5))
    answer = ResponseFactory(survey=nps, customer=ben, submitted_at=t0 + timedelta(days=1))
    InteractionFactory(customer=ben, occurred_at=t0)
    assert last_heard_kept() == last_heard_from_rows()
    assert last_heard_kept()[cat.pk][2] is None

    latest.delete()
    assert last_heard_kept()[ann.pk][2] == t0
    from ascolto.interactions.models import Interaction

    Interaction.objects.filter(pk=first.pk).update(customer=cat)
    Response.objects.filter(pk=answer.pk).update(submitted_at=t0 + timedelta(days=9))
    Customer.objects.filter(pk=ben.pk).update(status=Customer.Status.LOST)
    assert last_heard_kept() == last_heard_from_rows()

    cat.delete()
    assert last_heard_kept() == last_heard_from_rows()
