"""The dashboards' tables as plain headers and rows: shown on the pages, exported as CSV/XLSX
(through `ascolto.lib.exports`) and put in the PDF report."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.audit.models import Action
from ascolto.audit.services import audit_record
from ascolto.dashboards import selectors
from ascolto.dashboards.forms import DashboardFilters
from ascolto.dashboards.selectors import BREAKDOWNS, NpsRow
from ascolto.feedback.models import Survey
from ascolto.lib.periods import workspace_zone
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

EXPORTS = ("summary", "trend-month", "trend-quarter", "silent") + tuple(
    f"breakdown-{by.replace('_', '-')}" for by in BREAKDOWNS
)
# The answers to each question of one survey: "questions-<survey id>".
QUESTIONS_EXPORT = re.compile(r"questions-([1-9][0-9]{0,17})")


def is_export(name: str) -> bool:
    return name in EXPORTS or QUESTIONS_EXPORT.fullmatch(name) is not None


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: Iterable[list[Any]]


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def nps_headers(key_title: str) -> list[str]:
    return [
        key_title,
        _("Answers"),
        _("Promoters"),
        _("Passives"),
        _("Detractors"),
        _("NPS"),
        _("Margin of error (±)"),
        _("Low n"),
    ]


def nps_cells(row: NpsRow) -> list[Any]:
    r = row.result
    return [
        row.label,
        r.n,
        r.promoters,
        r.passives,
        r.detractors,
        _r(r.nps),
        _r(r.margin),
        _("yes") if r.low_n else _("no"),
    ]


def nps_table(title: str, key_title: str, rows: list[NpsRow]) -> Table:
    return Table(title, nps_headers(key_title), [nps_cells(r) for r in rows])


def _local(value):
    """A time in the workspace's zone, kept a time (XLSX stores it as a date)."""
    return None if value is None else timezone.localtime(value)


def _silent_rows(customers) -> Iterator[list[Any]]:
    for c in customers.iterator(chunk_size=2000):
        yield [
            c.name,
            c.company,
            c.segment.name if c.segment else "",
            c.account_owner.display_name if c.account_owner else "",
            _local(c.last_answer_at),
            _local(c.last_contact_at),
        ]


def silent_headers() -> list[str]:
    return [
        _("Customer"),
        _("Company"),
        _("Segment"),
        _("Account owner"),
        _("Last answer"),
        _("Last contact"),
    ]


def question_headers() -> list[str]:
    return [
        _("Question"),
        _("Kind"),
        _("Answers"),
        _("Average"),
        _("Yes"),
        _("No"),
        _("Yes (%)"),
        _("Choices"),
    ]


def question_cells(result: selectors.QuestionResult) -> list[Any]:
    question = result.question
    yesno = question.kind == question.Kind.YESNO
    return [
        result.text,
        str(question.get_kind_display()),
        result.n,
        _r(result.mean),
        result.yes if yesno else None,
        result.no if yesno else None,
        _r(result.yes_share) if yesno else None,
        " · ".join(f"{label}: {count}" for label, count in result.choices),
    ]


def question_table(title: str, results: list[selectors.QuestionResult]) -> Table:
    return Table(title, question_headers(), [question_cells(r) for r in results])


def export_table(
    *, name: str, workspace: Workspace, by: Membership, filters: DashboardFilters
) -> Table:
    """The table called `name` (one of `EXPORTS`) for these filters, to download. Bulk exports
    (the silent customers' names and addresses among them) are for managers and owners."""
    require_member(by, workspace, Role.MANAGER)
    audit_record(action=Action.EXPORT, member=by, object_type="table", object_id=name)
    common = {"workspace": workspace, "segment": filters.segment}
    if name == "summary":
        scores = selectors.scores_compare(
            period=filters.period, previous=filters.previous, **common
        )
        cur, prev = scores.current, scores.previous
        return Table(
            _("Summary"),
            [_("Figure"), _("This period"), _("Previous period"), _("Answers"), _("Margin (±)")],
            [
                [_("NPS"), _r(cur.nps.nps), _r(prev.nps.nps), cur.nps.n, _r(cur.nps.margin)],
                [
                    _("CSAT (%)"),
                    _r(cur.csat.csat),
                    _r(prev.csat.csat),
                    cur.csat.n,
                    _r(cur.csat.margin),
                ],
                [
                    _("CES (1–7)"),
                    _r(cur.ces.mean),
                    _r(prev.ces.mean),
                    cur.ces.n,
                    _r(cur.ces.margin),
                ],
            ],
        )
    if name in ("trend-month", "trend-quarter"):
        grain = name.split("-")[1]
        rows = selectors.nps_by_period(period=filters.period, grain=grain, **common)
        key = _("Month") if grain == "month" else _("Quarter")
        return nps_table(_("NPS by month") if grain == "month" else _("NPS by quarter"), key, rows)
    if match := QUESTIONS_EXPORT.fullmatch(name):
        survey = Survey.objects.for_workspace(workspace).filter(pk=int(match[1])).first()
        if survey is None:
            raise KeyError(name)
        start, end = filters.period.bounds(workspace_zone(workspace))
        results = selectors.question_results(
            workspace=workspace, survey=survey, start=start, end=end, segment=filters.segment
        )
        return question_table(survey.name, results)
    if name == "silent":
        customers = selectors.silent_customers(days=filters.days, **common)
        return Table(_("Customers not heard from"), silent_headers(), _silent_rows(customers))
    by = name.removeprefix("breakdown-").replace("-", "_")
    if by not in BREAKDOWNS:
        raise KeyError(name)
    rows = selectors.nps_breakdown(period=filters.period, by=by, **common)
    return nps_table(str(BREAKDOWNS[by]), str(BREAKDOWNS[by]), rows)
