"""The monthly report: an HTML page with the SVG charts, printed to PDF by WeasyPrint in the
workspace's language, downloadable on demand and emailed to owners and managers on the first
day of each month by the `dashboards-monthly-report` job (ascolto/schedule.py).

Sending is durable and idempotent: the job creates one `MonthlyReport` row per (workspace,
month), which the unique constraint makes happen once however often the job runs; a task claims
the row with a lease, sends, and marks it done; the sweeper re-enqueues what a dead worker left.
The email's Message-ID is derived from the row, so a resend after a crash is recognisable.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.core.emails import LeasedEmail, leased_email_send
from ascolto.core.leases import lease_dispatched, lease_sweep
from ascolto.dashboards import charts, selectors
from ascolto.dashboards.models import MonthlyReport
from ascolto.dashboards.selectors import Overview, Period
from ascolto.dashboards.tables import nps_table
from ascolto.lib import emails, periods
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.dashboards")


def previous_month(today: date) -> date:
    """The first day of the month before `today`'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_period(month: date) -> Period:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(month.replace(day=1), following - timedelta(days=1))


def overview_charts(data: Overview) -> dict[str, Any]:
    nps = data.scores.current.nps
    return {
        "distribution": charts.distribution_svg(
            nps, label=_("Promoters, passives and detractors in the period")
        ),
        "line": charts.nps_line_svg(data.trend, label=_("NPS by month, with the margin of error")),
        "bars": charts.nps_bars_svg(
            data.trend, label=_("Promoters, passives and detractors by month")
        ),
    }


def _year_to(month: date) -> Period:
    """The twelve months ending with `month`."""
    start = month
    for _i in range(11):
        start = previous_month(start)
    return Period(start, month_period(month).end)


def report_context(*, workspace: Workspace, month: date) -> dict[str, Any]:
    period = month_period(month)
    tz = periods.workspace_zone(workspace)
    end_instant = period.bounds(tz)[1]
    now = min(timezone.now(), end_instant)
    data = selectors.overview(workspace=workspace, period=period, now=now)
    # The month's coverage, not today's: counted from what happened up to the month's end.
    data.coverage = selectors.coverage_at(workspace=workspace, days=data.coverage.days, at=now)
    # And the month's silent customers, not today's.
    data.silent = selectors.silent_customers_at_page(
        workspace=workspace, days=data.coverage.days, at=now, total=data.coverage.silent
    )
    trend = selectors.nps_by_period(workspace=workspace, period=_year_to(month), grain="month")
    data.trend = trend
    segment_rows = selectors.nps_breakdown(workspace=workspace, period=period, by="segment")
    touchpoint_rows = selectors.nps_breakdown(workspace=workspace, period=period, by="touchpoint")
    return {
        "workspace": workspace,
        "month": month,
        "data": data,
        "charts": overview_charts(data),
        "trend_table": nps_table(_("NPS by month"), _("Month"), trend),
        "segment_table": nps_table(_("Segment"), _("Segment"), segment_rows),
        "touchpoint_table": nps_table(_("Touchpoint"), _("Touchpoint"), touchpoint_rows),
        "generated_at": timezone.now(),
    }


def report_html(*, workspace: Workspace, month: date, language: str | None = None) -> str:
    with (
        translation.override(language or workspace.language),
        timezone.override(periods.workspace_zone(workspace)),
    ):
        return render_to_string(
            "dashboards/report.html", report_context(workspace=workspace, month=month)
        )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict:
    """The report embeds everything; WeasyPrint must never fetch a URL."""
    raise ValueError(f"The report does not load external resources: {url[:80]}")


def report_pdf(*, workspace: Workspace, month: date, language: str | None = None) -> bytes:
    from weasyprint import CSS, HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = report_html(workspace=workspace, month=month, language=language)
    stylesheet = CSS(filename=finders.find("dashboards/report.css"), url_fetcher=_no_fetch)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=[stylesheet])


# --- The monthly job -------------------------------------------------------------------------------
def monthly_reports_schedule(*, now: datetime) -> int:
    """Create last month's report row for every workspace (once) and enqueue its sending."""
    from ascolto.dashboards.tasks import monthly_report_send_task

    created = 0
    for workspace in Workspace.objects.order_by("pk").iterator():
        month = previous_month(periods.workspace_today(workspace, now))
        try:
            with transaction.atomic():
                report = MonthlyReport.objects.create(workspace=workspace, month=month)
        except IntegrityError:
            continue  # already scheduled for this month
        created += 1
        lease_dispatched(MonthlyReport.objects.filter(pk=report.pk), now=now)
        transaction.on_commit(lambda pk=report.pk: monthly_report_send_task.enqueue(pk))
    return created


def monthly_reports_sweep(*, now: datetime) -> int:
    from ascolto.dashboards.tasks import monthly_report_send_task

    return lease_sweep(
        MonthlyReport.objects.all(), enqueue=monthly_report_send_task.enqueue, now=now
    )


def monthly_report_recipients(workspace: Workspace) -> list[str]:
    emails = (
        Membership.objects.filter(workspace=workspace, role__in=[Role.OWNER, Role.MANAGER])
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(emails))


def monthly_report_send(*, report_id: int, owner: str | None = None) -> bool:
    """Claim the report row, render the PDF and email it; retried with back-off on failure,
    failed for good when the mail server refuses every address for good. Returns True when an
    email was handed to the mail server by this call."""
    return leased_email_send(
        MonthlyReport, report_id, build=_leased_email, logger=logger, owner=owner
    )


def monthly_report_recipients_by_language(workspace: Workspace) -> dict[str, list[str]]:
    """The report's recipients grouped by the language each reads (`own_language`), the
    workspace's first."""
    rows = (
        Membership.objects.filter(workspace=workspace, role__in=[Role.OWNER, Role.MANAGER])
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", "language")
    )
    groups: dict[str, list[str]] = {workspace.language: []}
    seen: set[str] = set()
    for email, language in rows:
        if email not in seen:
            seen.add(email)
            groups.setdefault(language or workspace.language, []).append(email)
    return {language: emails for language, emails in groups.items() if emails}


class _Messages:
    """The report in several languages, sent as one piece of work."""

    def __init__(self, messages: list[EmailMultiAlternatives]):
        self.messages = messages

    def send(self) -> int:
        return sum(message.send() for message in self.messages)


def _leased_email(report: MonthlyReport) -> LeasedEmail:
    """The report's email, one per language its recipients read (each with its PDF in that
    language), or (no owner or manager with an address) nothing to send: the row is done all
    the same, with no recipients."""
    workspace = report.workspace
    groups = monthly_report_recipients_by_language(workspace)
    messages = [
        _message(report, workspace, recipients, language) for language, recipients in groups.items()
    ]
    message: Any = None
    if len(messages) == 1:
        message = messages[0]
    elif messages:
        message = _Messages(messages)
    count = sum(len(recipients) for recipients in groups.values())
    return LeasedEmail(message, sent_field="sent_at", fields={"recipients": count})


def _message(
    report: MonthlyReport, workspace: Workspace, recipients: list[str], language: str
) -> EmailMultiAlternatives:
    pdf = report_pdf(workspace=workspace, month=report.month, language=language)
    with translation.override(language):
        context = {
            "workspace": workspace,
            "month": report.month,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("dashboards/emails/monthly_report_subject.txt", context)
        body = render_to_string("dashboards/emails/monthly_report_body.txt", context)
        html = render_to_string("dashboards/emails/monthly_report_body.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        to=recipients,
        headers={
            "Message-ID": emails.message_id(
                f"monthly-report-{report.pk}-{report.month:%Y%m}"
                + ("" if language == workspace.language else f"-{language}")
            )
        },
    )
    message.attach_alternative(html, "text/html")
    message.attach(f"ascolto-report-{report.month:%Y-%m}.pdf", pdf, "application/pdf")
    return message
