"""The monthly PDF report: rendered in the workspace's language, emailed once per month to
owners and managers through the real task backend and a real SMTP server."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ascolto.core.jobs import job_get
from ascolto.core.leases import WorkState
from ascolto.core.testing import run_pending_tasks
from ascolto.dashboards import reports
from ascolto.dashboards.models import MonthlyReport
from ascolto.dashboards.tests.factories import SurveyFactory, answers

ROME = ZoneInfo("Europe/Rome")
FIRST_OF_APRIL = datetime(2026, 4, 1, 7, 0, tzinfo=ROME)


def test_report_html_is_in_the_workspace_language(workspace_a):
    survey = SurveyFactory(workspace=workspace_a)
    answers(survey, [10, 0, 8], at=datetime(2026, 3, 5, 10, tzinfo=ROME))
    workspace_a.language = "en"
    workspace_a.save()
    html = reports.report_html(workspace=workspace_a, month=date(2026, 3, 1))
    assert "Report for March 2026" in html
    assert 'role="img"' in html
    workspace_a.language = "it"
    workspace_a.save()
    html_it = reports.report_html(workspace=workspace_a, month=date(2026, 3, 1))
    assert "marzo 2026" in html_it.lower()


def test_report_pdf_renders(workspace_a):
    survey = SurveyFactory(workspace=workspace_a)
    answers(survey, [10, 9, 3], at=datetime(2026, 3, 5, 10, tzinfo=ROME))
    pdf = reports.report_pdf(workspace=workspace_a, month=date(2026, 3, 1))
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000


def test_month_helpers():
    assert reports.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert reports.month_period(date(2024, 2, 1)).end == date(2024, 2, 29)


def test_monthly_job_is_in_the_schedule():
    job = job_get("dashboards-monthly-report")
    assert job is not None and job.monthly == (1, "07:00")


@pytest.mark.django_db(transaction=True)
def test_monthly_report_is_emailed_once_to_owners_and_managers(
    workspace_a, workspace_b, alice, bob, carol, mallory, smtp_server
):
    """
    GIVEN two workspaces, A with an owner, a manager and an agent
    WHEN the monthly job runs on 1 April, twice, and the worker runs the tasks
    THEN each workspace gets one report for March, A's to its owner and manager only,
         with the PDF attached, and running everything again sends nothing more.
    """
    survey = SurveyFactory(workspace=workspace_a)
    answers(survey, [10, 9, 2], at=datetime(2026, 3, 5, 10, tzinfo=ROME))

    assert reports.monthly_reports_schedule(now=FIRST_OF_APRIL) == 2
    assert reports.monthly_reports_schedule(now=FIRST_OF_APRIL + timedelta(hours=1)) == 0
    run_pending_tasks()
    reports.monthly_reports_sweep(now=timezone.now())
    run_pending_tasks()

    assert MonthlyReport.objects.count() == 2
    report_a = MonthlyReport.objects.get(workspace=workspace_a)
    assert report_a.month == date(2026, 3, 1)
    assert report_a.state == WorkState.DONE and report_a.recipients == 2
    to_a = [m for m in smtp_server.messages if alice.user.email in m["X-Envelope-To"]]
    assert len(to_a) == 1
    message = to_a[0]
    assert set(message["X-Envelope-To"].split(", ")) == {alice.user.email, carol.user.email}
    assert bob.user.email not in message["X-Envelope-To"]
    assert mallory.user.email not in message["X-Envelope-To"]
    attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert attachments and attachments[0].get_payload(decode=True).startswith(b"%PDF")
    assert "marzo 2026" in message["Subject"].lower() or "2026" in message["Subject"]
    assert len(smtp_server.messages) == 2  # one per workspace, never twice
