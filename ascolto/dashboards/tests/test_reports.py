"""The monthly PDF report: rendered in the workspace's language, emailed once per month to
owners and managers through the real task backend and a real SMTP server."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.header import decode_header, make_header
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


@pytest.mark.django_db(transaction=True)
def test_a_report_refused_for_good_by_every_address_fails_at_once(
    workspace_a, alice, carol, smtp_server
):
    """The monthly report reads a 5xx refusal of its addresses like the other senders: no
    point in retrying it twelve times."""
    smtp_server.refuse[alice.user.email] = "550 5.1.1 No such user"
    smtp_server.refuse[carol.user.email] = "550 5.1.1 No such user"
    assert reports.monthly_reports_schedule(now=FIRST_OF_APRIL) == 1
    run_pending_tasks()
    report = MonthlyReport.objects.get(workspace=workspace_a)
    assert report.state == WorkState.FAILED and report.attempts == 1
    assert report.last_error.startswith("SMTPRecipientsRefused")
    assert report.sent_at is None and smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_report_with_a_full_mailbox_is_tried_again_and_sent_once(workspace_a, alice, smtp_server):
    smtp_server.refuse[alice.user.email] = "452 4.2.2 Mailbox full"
    reports.monthly_reports_schedule(now=FIRST_OF_APRIL)
    run_pending_tasks()
    report = MonthlyReport.objects.get(workspace=workspace_a)
    assert report.state == WorkState.PENDING and report.attempts == 1
    del smtp_server.refuse[alice.user.email]
    MonthlyReport.objects.filter(pk=report.pk).update(next_attempt_at=timezone.now())
    reports.monthly_reports_sweep(now=timezone.now())
    run_pending_tasks()
    report.refresh_from_db()
    assert report.state == WorkState.DONE and report.recipients == 1
    [message] = smtp_server.messages
    assert message["Message-ID"] == f"<monthly-report-{report.pk}-202603@localhost>"


@pytest.mark.django_db(transaction=True)
def test_every_leased_sender_builds_its_message_id_on_one_domain(
    workspace_a, alice, settings, smtp_server
):
    """Notifications, survey invitations and monthly reports: one Message-ID domain, the
    sender address's, whatever the site's address."""
    from ascolto.customers.tests.factories import CustomerFactory
    from ascolto.feedback.services import survey_invitation_create
    from ascolto.notifications.services import notification_create

    settings.DEFAULT_FROM_EMAIL = "Ascolto <avvisi@noleggi-rossi.it>"
    settings.SITE_URL = "https://ascolto.example.org"
    notification_create(workspace=workspace_a, recipient=alice, kind="other", title="Prova")
    survey = SurveyFactory(workspace=workspace_a)
    customer = CustomerFactory(workspace=workspace_a, email="bianchi@example.com")
    survey_invitation_create(survey=survey, customer=customer, by=alice)
    reports.monthly_reports_schedule(now=FIRST_OF_APRIL)
    run_pending_tasks()
    ids = sorted(m["Message-ID"] for m in smtp_server.messages)
    assert len(ids) == 3
    assert [i.split("@")[1] for i in ids] == ["noleggi-rossi.it>"] * 3
    assert [i.split(".")[0].split("-")[0] for i in ids] == ["<monthly", "<notification", "<survey"]


@pytest.mark.django_db(transaction=True)
def test_each_recipient_gets_the_report_in_the_language_they_read(
    workspace_a, alice, carol, smtp_server
):
    """GIVEN an Italian workspace whose owner chose English in the interface, and a manager
    who never chose WHEN March's report is sent THEN the owner's email is in English and the
    manager's in Italian, each with its PDF."""
    from ascolto.workspaces.services import user_language_remember

    user_language_remember(user=alice.user, language="en")
    answers(SurveyFactory(workspace=workspace_a), [10], at=datetime(2026, 3, 5, 10, tzinfo=ROME))
    assert reports.monthly_reports_schedule(now=FIRST_OF_APRIL) >= 1
    run_pending_tasks()
    by_recipient = {m["X-Envelope-To"]: m for m in smtp_server.messages}
    english, italian = by_recipient[alice.user.email], by_recipient[carol.user.email]
    assert "customer listening report for March 2026" in str(
        make_header(decode_header(english["Subject"]))
    )
    assert "marzo 2026" in str(make_header(decode_header(italian["Subject"])))
    for message in (english, italian):
        pdf = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
        assert pdf and pdf[0].get_payload(decode=True).startswith(b"%PDF")
    assert english["Message-ID"] != italian["Message-ID"]
    report = MonthlyReport.objects.get(workspace=workspace_a)
    assert report.recipients == 2 and report.state == WorkState.DONE
