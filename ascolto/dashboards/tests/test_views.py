"""Dashboard pages and exports: roles, bad filters, tenancy and formula-safe downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.dashboards.tables import EXPORTS
from ascolto.dashboards.tests.factories import SurveyFactory, answers

PAGES = ["dashboards:overview", "dashboards:trends", "dashboards:breakdowns"]


@pytest.fixture
def data_a(workspace_a, bob):
    survey = SurveyFactory(workspace=workspace_a, name="Soddisfazione A")
    segment = SegmentFactory(workspace=workspace_a, name="Edilizia")
    customer = CustomerFactory(
        workspace=workspace_a, name="Cliente Alfa", segment=segment, account_owner=bob
    )
    CustomerFactory(workspace=workspace_a, name="Silenzioso Alfa")
    answers(survey, [10, 9, 3], at=timezone.now() - timedelta(days=3), customer=customer)
    return survey


@pytest.fixture
def data_b(workspace_b):
    survey = SurveyFactory(workspace=workspace_b, name="MARKER-B survey")
    segment = SegmentFactory(workspace=workspace_b, name="MARKER-B segment")
    customer = CustomerFactory(workspace=workspace_b, name="MARKER-B customer", segment=segment)
    CustomerFactory(workspace=workspace_b, name="MARKER-B silent")
    answers(survey, [0] * 7, at=timezone.now() - timedelta(days=3), customer=customer)
    return survey


@pytest.mark.parametrize("name", PAGES)
def test_agents_see_the_dashboards(bob_client, data_a, data_b, name):
    response = bob_client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert "MARKER-B" not in body
    assert 'role="img"' in body


def test_overview_shows_the_figures(alice_client, data_a, data_b):
    response = alice_client.get(reverse("dashboards:overview"))
    data = response.context["data"]
    assert data.scores.current.nps.n == 3  # B's seven detractors are not counted
    assert round(data.scores.current.nps.nps, 2) == 33.33
    body = response.content.decode()
    assert "Silenzioso Alfa" in body
    with translation.override("it"):
        assert gettext("low n") in body


def test_logged_out_is_sent_to_login(client, data_a):
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13-01"},
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "1990-01-01", "end": "1991-01-01"},
        {"days": "7"},
        {"segment": "not-a-number"},
    ],
)
def test_bad_filters_are_a_400_with_a_message(alice_client, data_a, query):
    response = alice_client.get(reverse("dashboards:overview"), query)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert b'class="errorlist"' in response.content


def test_bad_filter_message_is_translated(alice_client, data_a):
    response = alice_client.get(
        reverse("dashboards:overview"),
        {"start": "2026-05-01", "end": "2026-04-01"},
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_other_workspaces_segment_is_refused(alice_client, data_a, data_b):
    segment_b = data_b.workspace.segments.get()
    response = alice_client.get(reverse("dashboards:overview"), {"segment": segment_b.pk})
    assert response.status_code == 400
    assert "MARKER-B" not in response.content.decode()


def test_outsider_gets_404_on_a_survey_dashboard(mallory_client, data_a):
    url = reverse("dashboards:survey-detail", args=[data_a.pk])
    assert mallory_client.get(url).status_code == 404


def test_member_sees_own_survey_dashboard(bob_client, data_a):
    response = bob_client.get(reverse("dashboards:survey-detail", args=[data_a.pk]))
    assert response.status_code == 200
    assert response.context["total"].n == 3


@pytest.mark.parametrize("table", EXPORTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_export_is_isolated(carol_client, data_a, data_b, table, fmt):
    response = carol_client.get(reverse("dashboards:export", args=[table, fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert "MARKER-B" not in text
    assert len(text.splitlines()) >= 1


@pytest.mark.parametrize("table", EXPORTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_agent_gets_403_on_every_export(bob_client, data_a, table, fmt, caplog):
    """Bulk exports (the silent customers' names and addresses among them) are for managers
    and owners; an agent is refused, and the refusal is logged."""
    response = bob_client.get(reverse("dashboards:export", args=[table, fmt]))
    assert response.status_code == 403
    assert "Content-Disposition" not in response
    assert "Silenzioso Alfa" not in response.content.decode()
    assert any("needed=manager" in r.getMessage() for r in caplog.records)


def test_export_links_only_for_managers(alice_client, carol_client, bob_client, data_a):
    export = reverse("dashboards:export", args=["silent", "csv"])
    for name in PAGES:
        for client in (alice_client, carol_client):
            assert "/dashboard/export/" in client.get(reverse(name)).content.decode(), name
        assert "/dashboard/export/" not in bob_client.get(reverse(name)).content.decode(), name
    assert export in carol_client.get(reverse("dashboards:overview")).content.decode()


def test_export_table_service_refuses_agents_and_other_workspaces(
    workspace_a, bob, carol, mallory, data_a
):
    from django.core.exceptions import PermissionDenied

    from ascolto.dashboards.forms import DashboardFilterForm
    from ascolto.dashboards.tables import export_table

    filters = DashboardFilterForm({}, workspace=workspace_a).filters()
    for member in (bob, mallory):
        with pytest.raises(PermissionDenied):
            export_table(name="silent", workspace=workspace_a, by=member, filters=filters)
    table = export_table(name="silent", workspace=workspace_a, by=carol, filters=filters)
    assert any("Silenzioso Alfa" in row for row in table.rows)


def test_unknown_export_is_404(alice_client):
    assert alice_client.get("/dashboard/export/secrets.csv").status_code == 404
    assert alice_client.get("/dashboard/export/summary.ods").status_code == 404


def test_exports_escape_formula_like_names(alice_client, workspace_a):
    CustomerFactory(workspace=workspace_a, name='=HYPERLINK("http://evil","x")', company="@cmd")
    csv_response = alice_client.get(reverse("dashboards:export", args=["silent", "csv"]))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == '\'=HYPERLINK("http://evil","x")'
    assert rows[1][1] == "'@cmd"
    xlsx = alice_client.get(reverse("dashboards:export", args=["silent", "xlsx"]))
    cell = load_workbook(io.BytesIO(xlsx.content)).active["A2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil","x")'


def test_trend_export_has_the_figures(alice_client, data_a):
    """An Italian workspace's CSV opens in an Italian spreadsheet: semicolons, decimal commas;
    the English dialect is a choice on the export."""
    response = alice_client.get(reverse("dashboards:export", args=["trend-month", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 12
    last = rows[-1]
    assert last[1:6] == ["3", "2", "0", "1", "33,33"]
    english = alice_client.get(
        reverse("dashboards:export", args=["trend-month", "csv"]), {"csv": "en"}
    )
    rows = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert rows[-1][1:6] == ["3", "2", "0", "1", "33.33"]


def test_silent_export_xlsx_stores_times_as_dates(alice_client, workspace_a):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from ascolto.interactions.tests.factories import InteractionFactory

    quiet = CustomerFactory(workspace=workspace_a, name="Silenzioso con data")
    InteractionFactory(customer=quiet, occurred_at=timezone.now() - timedelta(days=200))
    response = alice_client.get(reverse("dashboards:export", args=["silent", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    times = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    dated = [c for c in times if isinstance(c.value, datetime)]
    assert dated and all(c.is_date for c in dated)
    assert not any(
        isinstance(c.value, str) and c.value[:4].isdigit() and c.value[4:5] == "-" for c in times
    )


def test_report_pdf_is_for_owners_and_managers(alice_client, carol_client, bob_client, data_a):
    url = reverse("dashboards:report-pdf", args=["2026-03"])
    assert bob_client.get(url).status_code == 403
    for client in (alice_client, carol_client):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("month", ["2026-13", "1999-01", "march"])
def test_report_pdf_bad_month_is_404(alice_client, month):
    assert alice_client.get(f"/dashboard/report/{month}.pdf").status_code == 404


def test_report_link_only_for_managers(alice_client, bob_client, data_a):
    assert b"/dashboard/report/" in alice_client.get(reverse("dashboards:overview")).content
    assert b"/dashboard/report/" not in bob_client.get(reverse("dashboards:overview")).content


def test_overview_page_query_count_does_not_grow_with_data(
    alice_client, workspace_a, data_a, django_assert_max_num_queries
):
    """GIVEN answers, a segment filter and many silent customers (two pages of them)
    WHEN the overview is opened, with and without the segment filter
    THEN the page takes a fixed, small number of queries (session, member, filters, the four
    figures and the navigation's unread count; the session is saved), whatever the number of
    rows."""
    CustomerFactory.create_batch(30, workspace=workspace_a)
    with django_assert_max_num_queries(13):
        assert alice_client.get(reverse("dashboards:overview")).status_code == 200
    segment = SegmentFactory(workspace=workspace_a, name="Nautica")
    CustomerFactory.create_batch(5, workspace=workspace_a, segment=segment)
    with django_assert_max_num_queries(14):
        response = alice_client.get(reverse("dashboards:overview"), {"segment": segment.pk})
    assert response.status_code == 200
