"""What the statistics say: small samples flagged for every score, CSAT and CES answers not
called promoters or detractors, a month's report with the month's coverage, and the period
compared with chosen as a person expects, and said."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.dashboards import reports, selectors
from ascolto.dashboards.forms import DashboardFilterForm
from ascolto.dashboards.tests.factories import SurveyFactory, answers
from ascolto.feedback.models import Survey
from ascolto.interactions.tests.factories import InteractionFactory
from ascolto.lib.periods import Period

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def test_csat_and_ces_from_one_answer_are_flagged_low_n(alice_client, workspace_a):
    now = timezone.now()
    answers(SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CSAT), [5], at=now)
    answers(SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CES), [2], at=now)
    html = alice_client.get(reverse("dashboards:overview")).content.decode()
    with translation.override("it"):
        low_n = translation.gettext("low n")
    for kpi in ("kpi-csat", "kpi-ces"):
        card = html[html.index(f'id="{kpi}"') :]
        card = card[: card.index("</div>")]
        assert low_n in card, kpi
        assert "± 0" not in card


def test_csat_answers_are_not_promoters(workspace_a):
    survey = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CSAT)
    (response,) = answers(survey, [5], at=timezone.now())
    response.band = "promoter"
    with translation.override("it"):
        assert response.band_label == translation.gettext("Satisfied")
        assert response.band_label != translation.gettext("Promoter")


def test_month_report_counts_the_month_coverage_not_today(workspace_a):
    """GIVEN two active customers, one heard from in November, one only in December WHEN the
    November report is made in December THEN its coverage is 1 of 2, not 2 of 2."""
    november = datetime(2026, 11, 10, 10, tzinfo=ROME)
    heard = CustomerFactory(workspace=workspace_a, status=Customer.Status.ACTIVE)
    later = CustomerFactory(workspace=workspace_a, status=Customer.Status.ACTIVE)
    Customer.objects.filter(pk__in=[heard.pk, later.pk]).update(
        created_at=november - timedelta(days=400)
    )
    InteractionFactory(customer=heard, occurred_at=november)
    InteractionFactory(customer=later, occurred_at=datetime(2026, 12, 3, 10, tzinfo=ROME))
    context = reports.report_context(workspace=workspace_a, month=date(2026, 11, 1))
    assert (context["data"].coverage.active, context["data"].coverage.heard) == (2, 1)


def test_month_report_lists_the_month_silent_customers_not_today(workspace_a):
    """GIVEN three active customers: one heard from in November, one only in December (after
         the month), one not heard from at all since the summer
    WHEN the November report is made in December
    THEN its list of silent customers is the month's: the December one and the quiet one, with
         the last contact they had by the end of November, and not the one heard in November."""
    november = datetime(2026, 11, 10, 10, tzinfo=ROME)
    heard = CustomerFactory(workspace=workspace_a, status="active", name="Ascoltata Srl")
    later = CustomerFactory(workspace=workspace_a, status="active", name="Dicembre Snc")
    quiet = CustomerFactory(workspace=workspace_a, status="active", name="Silenziosa Spa")
    Customer.objects.filter(pk__in=[heard.pk, later.pk, quiet.pk]).update(
        created_at=november - timedelta(days=400)
    )
    InteractionFactory(customer=heard, occurred_at=november)
    InteractionFactory(customer=later, occurred_at=datetime(2026, 12, 3, 10, tzinfo=ROME))
    InteractionFactory(customer=quiet, occurred_at=datetime(2026, 6, 3, 10, tzinfo=ROME))
    context = reports.report_context(workspace=workspace_a, month=date(2026, 11, 1))
    silent = list(context["data"].silent.object_list)
    assert [c.name for c in silent] == ["Dicembre Snc", "Silenziosa Spa"]
    assert silent[0].last_contact_at is None  # December's contact had not happened yet
    assert timezone.localtime(silent[1].last_contact_at, ROME).date() == date(2026, 6, 3)
    html = reports.report_html(workspace=workspace_a, month=date(2026, 11, 1))
    section = html[html.index("Dicembre Snc") - 600 :]
    assert "Ascoltata Srl" not in html and "Silenziosa Spa" in section


def test_year_to_date_is_compared_with_the_same_dates_a_year_earlier(workspace_a):
    form = DashboardFilterForm({"start": "2026-01-01", "end": "2026-12-07"}, workspace=workspace_a)
    filters = form.filters()
    assert filters.previous == Period(date(2025, 1, 1), date(2025, 12, 7))
    chosen = DashboardFilterForm(
        {"start": "2026-01-01", "end": "2026-12-07", "compare": "span"}, workspace=workspace_a
    ).filters()
    assert chosen.previous == Period(date(2025, 1, 25), date(2025, 12, 31))


def test_the_page_says_how_the_previous_period_is_chosen(alice_client, workspace_a):
    html = alice_client.get(
        reverse("dashboards:overview"), {"start": "2026-01-01", "end": "2026-12-07"}
    ).content.decode()
    assert 'data-previous-start="2025-01-01"' in html
    with translation.override("it"):
        assert translation.gettext("The same dates a year earlier.") in html
    assert 'name="compare"' in html


def test_scores_compare_reads_the_year_before(workspace_a):
    survey = SurveyFactory(workspace=workspace_a)
    answers(survey, [0, 0], at=datetime(2025, 3, 10, 10, tzinfo=ROME))  # a year earlier
    answers(survey, [10], at=datetime(2025, 12, 20, 10, tzinfo=ROME))  # just before
    answers(survey, [10, 10], at=datetime(2026, 3, 10, 10, tzinfo=ROME))
    period = Period(date(2026, 1, 1), date(2026, 3, 31))
    compared = selectors.scores_compare(
        workspace=workspace_a, period=period, previous=period.year_before()
    )
    assert compared.current.nps.n == 2 and compared.previous.nps.n == 2
    assert compared.previous.nps.nps == -100.0
    comparison, trend = selectors.scores_and_trend(
        workspace=workspace_a, period=period, previous=period.year_before()
    )
    assert comparison.previous.nps.n == 2 and sum(r.result.n for r in trend) == 2
