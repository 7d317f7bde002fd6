"""Dashboard figures against hand computations on small fixed data sets."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.dashboards import selectors
from ascolto.dashboards.selectors import NpsResult, Period
from ascolto.dashboards.tests.factories import (
    InvitationFactory,
    MainQuestionFactory,
    SurveyFactory,
    answers,
)
from ascolto.feedback.models import Survey
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.lib import periods

ROME = ZoneInfo("Europe/Rome")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=ROME)


def nps_of(workspace, period=MARCH, **kwargs) -> NpsResult:
    start, end = period.bounds(ROME)
    return selectors.nps_for_period(workspace=workspace, start=start, end=end, **kwargs)


@pytest.fixture
def nps_survey(workspace_a):
    return SurveyFactory(workspace=workspace_a, kind=Survey.Kind.NPS)


def test_nps_and_margin_match_a_hand_computation(workspace_a, nps_survey):
    # 10, 9, 9, 10 promoters; 8, 7 passives; 6, 3 detractors: p = 4/8, d = 2/8.
    answers(nps_survey, [10, 9, 9, 8, 7, 6, 10, 3], at=at(2026, 3, 10, 12))

    result = nps_of(workspace_a)

    assert (result.n, result.promoters, result.passives, result.detractors) == (8, 4, 2, 2)
    assert result.nps == pytest.approx(25.0)
    # 1.96 · sqrt((0.5 + 0.25 − 0.25²) / 8) = 1.96 · sqrt(0.0859375) = 0.574576…
    assert result.margin == pytest.approx(57.4576, abs=1e-3)
    assert result.low_n


def test_nps_in_one_aggregate_query(workspace_a, nps_survey, django_assert_num_queries):
    answers(nps_survey, [10, 0], at=at(2026, 3, 10, 12))
    with django_assert_num_queries(1):
        nps_of(workspace_a)


def test_empty_period_has_no_nps_and_no_margin(workspace_a, nps_survey):
    answers(nps_survey, [10], at=at(2026, 2, 10, 12))
    result = nps_of(workspace_a)
    assert result == NpsResult(0, 0, 0, 0, None, None)


def test_one_single_answer(workspace_a, nps_survey):
    answers(nps_survey, [9], at=at(2026, 3, 1, 0, 0))
    result = nps_of(workspace_a)
    # One answer says nothing about the spread: no margin rather than "±0,0".
    assert (result.n, result.promoters, result.nps, result.margin) == (1, 1, 100.0, None)
    csat = selectors.CsatResult.from_counts(1, 1)
    assert csat.margin is None and csat.low_n


def test_all_detractors(workspace_a, nps_survey):
    answers(nps_survey, [0, 6, 3, 5], at=at(2026, 3, 31, 23, 59))
    result = nps_of(workspace_a)
    assert (result.n, result.detractors, result.nps, result.margin) == (4, 4, -100.0, 0.0)


def test_only_nps_surveys_count_and_csat_ces_are_computed(workspace_a, nps_survey):
    csat = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CSAT)
    ces = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CES)
    answers(nps_survey, [10, 2], at=at(2026, 3, 5, 9))
    answers(csat, [5, 4, 3, 1], at=at(2026, 3, 5, 9))
    answers(ces, [1, 2, 3, 6], at=at(2026, 3, 5, 9))

    scores = selectors.scores_compare(workspace=workspace_a, period=MARCH).current

    assert scores.nps.n == 2 and scores.nps.nps == 0.0
    assert (scores.csat.n, scores.csat.satisfied, scores.csat.csat) == (4, 2, 50.0)
    # 1.96 · sqrt(0.5 · 0.5 / 4) = 0.49
    assert scores.csat.margin == pytest.approx(49.0)
    assert scores.ces.mean == pytest.approx(3.0)
    # sample sd of 1, 2, 3, 6: sqrt(14/3); margin 1.96 · sd / 2
    assert scores.ces.margin == pytest.approx(1.96 * math.sqrt(14 / 3) / 2)


def test_month_boundaries_follow_the_workspace_time_zone(workspace_a, nps_survey):
    # 23:30 on 31 March in Rome is still March; 00:30 on 1 April is April (22:30 UTC on 31 March).
    answers(nps_survey, [10], at=at(2026, 3, 31, 23, 30))
    answers(nps_survey, [0], at=at(2026, 4, 1, 0, 30))

    rows = selectors.nps_by_period(
        workspace=workspace_a, period=Period(date(2026, 3, 1), date(2026, 4, 30)), grain="month"
    )

    assert [(r.key, r.result.promoters, r.result.detractors) for r in rows] == [
        ("2026-03", 1, 0),
        ("2026-04", 0, 1),
    ]


def test_quarters_include_empty_ones(workspace_a, nps_survey):
    answers(nps_survey, [10, 8], at=at(2026, 2, 1, 10))
    answers(nps_survey, [1], at=at(2026, 8, 1, 10))

    rows = selectors.nps_by_period(
        workspace=workspace_a,
        period=Period(date(2026, 1, 15), date(2026, 9, 30)),
        grain="quarter",
    )

    assert [(r.key, r.result.n, r.result.nps) for r in rows] == [
        ("2026-Q1", 2, 50.0),
        ("2026-Q2", 0, None),
        ("2026-Q3", 1, -100.0),
    ]


def test_change_against_previous_period_and_noise(workspace_a, nps_survey):
    answers(nps_survey, [0] * 40 + [10] * 10, at=at(2026, 2, 10, 12))  # February: NPS −60
    answers(nps_survey, [10] * 40 + [0] * 10, at=at(2026, 3, 10, 12))  # March: NPS +60
    period = Period(date(2026, 3, 1), date(2026, 3, 28))  # previous: 1–28 February

    comparison = selectors.scores_compare(workspace=workspace_a, period=period)

    assert comparison.previous.nps.nps == pytest.approx(-60.0)
    change = comparison.nps_change
    assert change.delta == pytest.approx(120.0)
    se = math.sqrt((0.8 + 0.2 - 0.6**2) / 50) * 100
    assert change.noise == pytest.approx(1.96 * math.sqrt(2 * se * se))
    assert change.significant


def test_small_change_is_within_the_noise(workspace_a, nps_survey):
    answers(nps_survey, [10, 10, 0, 8], at=at(2026, 2, 10, 12))
    answers(nps_survey, [10, 10, 0, 0, 8], at=at(2026, 3, 10, 12))
    change = selectors.scores_compare(
        workspace=workspace_a, period=Period(date(2026, 3, 1), date(2026, 3, 28))
    ).nps_change
    assert change.delta == pytest.approx(0.0 - 25.0)
    assert not change.significant


def test_breakdowns(workspace_a, nps_survey, alice, bob):
    from ascolto.interactions.models import Touchpoint

    edilizia = SegmentFactory(workspace=workspace_a, name="Edilizia")
    repair = Touchpoint.objects.filter(workspace=workspace_a).first()
    MainQuestionFactory(survey=nps_survey, touchpoint=repair)
    other = SurveyFactory(workspace=workspace_a, name="Dopo il noleggio")
    ext = CustomerFactory(workspace=workspace_a, segment=edilizia, account_owner=bob)
    internal = CustomerFactory(workspace=workspace_a, kind=Customer.Kind.INTERNAL)
    answers(nps_survey, [10, 10, 0], at=at(2026, 3, 3, 10), customer=ext)
    answers(other, [0], at=at(2026, 3, 3, 10), customer=internal)

    def table(by):
        rows = selectors.nps_breakdown(workspace=workspace_a, period=MARCH, by=by)
        return [(r.label, r.result.n, round(r.result.nps, 4)) for r in rows]

    assert table("segment") == [("Edilizia", 3, 33.3333), (str(gettext("No segment")), 1, -100.0)]
    assert table("touchpoint") == [
        (repair.label, 3, 33.3333),
        # a relationship survey rates no touchpoint: it is about the whole relationship
        (str(gettext("The whole relationship (no touchpoint)")), 1, -100.0),
    ]
    assert table("account_owner") == [
        (bob.display_name, 3, 33.3333),
        (str(gettext("No account owner")), 1, -100.0),
    ]
    assert table("customer_kind") == [
        (str(Customer.Kind.EXTERNAL.label), 3, 33.3333),
        (str(Customer.Kind.INTERNAL.label), 1, -100.0),
    ]
    assert table("survey") == [(nps_survey.name, 3, 33.3333), ("Dopo il noleggio", 1, -100.0)]


def test_segment_filter(workspace_a, nps_survey):
    edilizia = SegmentFactory(workspace=workspace_a, name="Edilizia")
    inside = CustomerFactory(workspace=workspace_a, segment=edilizia)
    outside = CustomerFactory(workspace=workspace_a)
    answers(nps_survey, [10], at=at(2026, 3, 3, 10), customer=inside)
    answers(nps_survey, [0, 0], at=at(2026, 3, 3, 10), customer=outside)
    assert nps_of(workspace_a, segment=edilizia).n == 1
    assert nps_of(workspace_a).n == 3


def test_response_rate(workspace_a, nps_survey):
    customer = CustomerFactory(workspace=workspace_a)
    created = at(2026, 3, 2, 9)
    InvitationFactory(survey=nps_survey, customer=customer, created_at=created, closed_at=created)
    InvitationFactory(
        survey=nps_survey,
        customer=customer,
        created_at=created,
        opened_at=created,
        closed_at=created,
    )
    InvitationFactory(
        survey=nps_survey,
        customer=customer,
        created_at=created,
        opened_at=created,
        answered_at=created,
        closed_at=created,
    )
    InvitationFactory(survey=nps_survey, customer=customer, created_at=at(2026, 4, 2, 9))

    rate = selectors.response_rate(workspace=workspace_a, period=MARCH)

    assert (rate.invited, rate.opened, rate.answered) == (3, 2, 1)
    assert rate.answered_pct == pytest.approx(100 / 3)


def test_coverage_and_silent_customers(workspace_a, nps_survey):
    now = timezone.now()
    answered = CustomerFactory(workspace=workspace_a, name="A risposto")
    called = CustomerFactory(workspace=workspace_a, name="B telefonato")
    silent = CustomerFactory(workspace=workspace_a, name="C silenzioso")
    CustomerFactory(workspace=workspace_a, name="D perso", status=Customer.Status.LOST)
    answers(nps_survey, [9], at=now - timedelta(days=10), customer=answered)
    answers(nps_survey, [9], at=now - timedelta(days=200), customer=silent)
    InteractionFactory(customer=called, occurred_at=now - timedelta(days=5))
    InteractionFactory(customer=silent, occurred_at=now - timedelta(days=120))

    cover = selectors.coverage(workspace=workspace_a, days=90)
    silent_list = list(selectors.silent_customers(workspace=workspace_a, days=90))

    assert (cover.active, cover.heard, cover.silent) == (3, 2, 1)
    assert cover.share == pytest.approx(200 / 3)
    assert [c.name for c in silent_list] == ["C silenzioso"]
    assert silent_list[0].last_contact_at == now - timedelta(days=120)
    assert selectors.coverage(workspace=workspace_a, days=365).silent == 0


def test_overview_takes_four_queries(workspace_a, nps_survey, django_assert_num_queries):
    """GIVEN answers and a silent customer
    WHEN the overview is read
    THEN scores and trend, response rate, coverage and the silent page take one query each."""
    customer = CustomerFactory(workspace=workspace_a)
    answers(nps_survey, [10, 7, 2], at=timezone.now() - timedelta(days=3), customer=customer)
    CustomerFactory(workspace=workspace_a, name="Silenzioso")
    period = periods.default_period(workspace_a)
    with django_assert_num_queries(4):
        data = selectors.overview(workspace=workspace_a, period=period)
        list(data.silent.object_list)
    assert data.scores.current.nps.n == 3


def test_default_period_is_twelve_calendar_months(workspace_a):
    noon = datetime(2026, 1, 15, 12, tzinfo=ROME)
    assert periods.default_period(workspace_a, noon) == Period(date(2025, 2, 1), date(2026, 1, 15))
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(
        date(2026, 1, 29), date(2026, 2, 28)
    )


def test_other_workspaces_answers_never_count(workspace_a, workspace_b, nps_survey):
    """Every figure of A stays the same whatever B holds."""
    survey_b = SurveyFactory(workspace=workspace_b)
    segment_b = SegmentFactory(workspace=workspace_b, name="Edilizia B")
    customer_b = CustomerFactory(workspace=workspace_b, segment=segment_b)
    now = timezone.now()
    answers(survey_b, [0] * 5, at=now - timedelta(days=2), customer=customer_b)
    InvitationFactory(survey=survey_b, customer=customer_b, created_at=now - timedelta(days=2))
    InteractionFactory(customer=customer_b, occurred_at=now - timedelta(days=1))
    customer_a = CustomerFactory(workspace=workspace_a)
    answers(nps_survey, [10], at=now - timedelta(days=2), customer=customer_a)

    period = periods.default_period(workspace_a)
    data = selectors.overview(workspace=workspace_a, period=period)

    assert data.scores.current.nps.n == 1
    assert sum(r.result.n for r in data.trend) == 1
    assert data.rate.invited == 0
    assert (data.coverage.active, data.coverage.heard) == (1, 1)
    for by in selectors.BREAKDOWNS:
        rows = selectors.nps_breakdown(workspace=workspace_a, period=period, by=by)
        assert sum(r.result.n for r in rows) == 1, by
        assert all("B" not in r.label for r in rows)
    # B's segment used as a filter on A finds nothing of B's.
    assert nps_of(workspace_a, period=period, segment=segment_b).n == 0
