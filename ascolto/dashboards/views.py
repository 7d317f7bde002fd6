"""Dashboard pages: read-only, for every member; the CSV/XLSX downloads and the PDF report for
owners and managers."""

from __future__ import annotations

import re
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ascolto.dashboards import charts, reports, selectors
from ascolto.dashboards.forms import DashboardFilterForm, DashboardFilters
from ascolto.dashboards.selectors import BREAKDOWNS
from ascolto.dashboards.tables import export_table, is_export, nps_table, question_table
from ascolto.feedback.models import Survey
from ascolto.lib import periods
from ascolto.lib.exports import CSV_DIALECTS, FORMATS, csv_dialect_for, table_export
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, DashboardFilters, int]:
    """The filter form and the filters it gives; bad input shows its errors with the default
    figures, answered as 400."""
    form = DashboardFilterForm(request.GET, workspace=request.workspace)
    filters = form.filters()
    return form, filters, 400 if form.is_bound and not form.is_valid() else 200


def _context(request: HttpRequest, form, filters: DashboardFilters, **extra) -> dict:
    return {
        "form": form,
        "filters": filters,
        "query": filters.query(),
        "can_download_report": request.member.has_role(Role.MANAGER),
        "can_export": request.member.has_role(Role.MANAGER),
        "last_month": reports.previous_month(periods.workspace_today(request.workspace)),
        **extra,
    }


@member_required(Role.AGENT)
def overview(request: HttpRequest) -> HttpResponse:
    form, filters, status = _filters(request)
    data = selectors.overview(
        workspace=request.workspace,
        period=filters.period,
        segment=filters.segment,
        days=filters.days,
        silent_page=request.GET.get("page"),
        previous=filters.previous,
    )
    context = _context(
        request,
        form,
        filters,
        data=data,
        charts=reports.overview_charts(data),
        trend_table=nps_table(_("NPS by month"), _("Month"), data.trend),
    )
    return render(request, "dashboards/overview.html", context, status=status)


@member_required(Role.AGENT)
def trends(request: HttpRequest) -> HttpResponse:
    form, filters, status = _filters(request)
    sections = []
    for grain, title, key in (
        ("month", _("By month"), _("Month")),
        ("quarter", _("By quarter"), _("Quarter")),
    ):
        rows = selectors.nps_by_period(
            workspace=request.workspace, period=filters.period, grain=grain, segment=filters.segment
        )
        sections.append(
            {
                "grain": grain,
                "title": title,
                "rows": rows,
                "table": nps_table(title, key, rows),
                "line": charts.nps_line_svg(
                    rows,
                    label=_("NPS %(title)s, with the margin of error") % {"title": title.lower()},
                ),
                "bars": charts.nps_bars_svg(
                    rows,
                    label=_("Promoters, passives and detractors %(title)s")
                    % {"title": title.lower()},
                ),
            }
        )
    context = _context(request, form, filters, sections=sections)
    return render(request, "dashboards/trends.html", context, status=status)


@member_required(Role.AGENT)
def breakdowns(request: HttpRequest) -> HttpResponse:
    form, filters, status = _filters(request)
    sections = []
    for by, title in BREAKDOWNS.items():
        rows = selectors.nps_breakdown(
            workspace=request.workspace, period=filters.period, by=by, segment=filters.segment
        )
        sections.append(
            {
                "by": by,
                "export": f"breakdown-{by.replace('_', '-')}",
                "title": title,
                "rows": rows,
                "table": nps_table(str(title), str(title), rows),
                "chart": charts.breakdown_svg(
                    rows,
                    label=_("NPS by %(group)s, with the margin of error")
                    % {"group": str(title).lower()},
                ),
            }
        )
    context = _context(request, form, filters, sections=sections)
    return render(request, "dashboards/breakdowns.html", context, status=status)


@member_required(Role.AGENT)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_for_workspace(request, Survey, pk)
    form, filters, status = _filters(request)
    rows = selectors.nps_by_period(
        workspace=request.workspace, period=filters.period, segment=filters.segment, survey=survey
    )
    start, end = filters.period.bounds(periods.workspace_zone(request.workspace))
    total = selectors.nps_for_period(
        workspace=request.workspace, start=start, end=end, segment=filters.segment, survey=survey
    )
    questions = selectors.question_results(
        workspace=request.workspace, survey=survey, start=start, end=end, segment=filters.segment
    )
    context = _context(
        request,
        form,
        filters,
        survey=survey,
        total=total,
        rows=rows,
        table=nps_table(survey.name, _("Month"), rows),
        questions=questions,
        questions_table=question_table(survey.name, questions),
        questions_export=f"questions-{survey.pk}",
        line=charts.nps_line_svg(
            rows, label=_("NPS of %(survey)s by month") % {"survey": survey.name}
        ),
        bars=charts.nps_bars_svg(
            rows, label=_("Answers to %(survey)s by month") % {"survey": survey.name}
        ),
    )
    return render(request, "dashboards/survey_detail.html", context, status=status)


@member_required(Role.MANAGER)
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if not is_export(table) or fmt not in FORMATS:
        raise Http404
    form, filters, status = _filters(request)
    if status != 200:
        return render(request, "dashboards/bad_filters.html", {"form": form}, status=400)
    try:
        data = export_table(
            name=table, workspace=request.workspace, by=request.member, filters=filters
        )
    except KeyError:
        raise Http404 from None
    name = f"{table}-{filters.period.start:%Y%m%d}-{filters.period.end:%Y%m%d}"
    # The CSV for the workspace's spreadsheets (Italian: semicolons, decimal commas), unless
    # the link asks for the other dialect.
    dialect = request.GET.get("csv", "")
    if dialect not in CSV_DIALECTS:
        dialect = csv_dialect_for(request.workspace.language)
    return table_export(
        fmt=fmt,
        filename=name,
        headers=data.headers,
        rows=data.rows,
        title=data.title,
        dialect=dialect,
    )


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@member_required(Role.MANAGER)
def report_pdf(request: HttpRequest, month: str) -> HttpResponse:
    match = _MONTH.match(month)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise Http404
    first = date(int(match[1]), int(match[2]), 1)
    pdf = reports.report_pdf(
        workspace=request.workspace, month=first, language=getattr(request, "LANGUAGE_CODE", None)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ascolto-report-{month}.pdf"'
    return response
