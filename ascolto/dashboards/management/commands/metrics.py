"""`ascolto metrics nps --from YYYY-MM-DD --to YYYY-MM-DD [--segment S] [--by month|quarter|segment]
[--json] [--workspace ID]`: the NPS figures for scripts.

With --json it prints one object: {"total": {n, promoters, passives, detractors, nps, margin},
"rows": [{"key": "2026-03" | "2026-Q1" | segment name (null: no segment), same six}]}; nps and
margin in points (−100…100), not rounded; null without answers. "rows" is empty without --by.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ascolto.customers.selectors import segment_by_name
from ascolto.dashboards import selectors
from ascolto.dashboards.selectors import NpsRow, Period
from ascolto.lib import periods
from ascolto.lib.commands import day_option
from ascolto.lib.periods import MAX_DAYS
from ascolto.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Print dashboard figures for scripts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="metric", required=True)
        nps = sub.add_parser("nps", help="Net Promoter Score with its margin of error.")
        nps.add_argument("--from", dest="start", required=True, help="First day (YYYY-MM-DD).")
        nps.add_argument("--to", dest="end", required=True, help="Last day, included.")
        nps.add_argument("--segment", help="Only customers of this segment (its name).")
        nps.add_argument("--by", choices=["month", "quarter", "segment"], help="Rows per group.")
        nps.add_argument("--json", action="store_true", help="Print JSON.")
        nps.add_argument("--workspace", type=int, help="Workspace id (needed if several).")

    def handle(self, *args, **options):
        start, end = day_option(options["start"], "--from"), day_option(options["end"], "--to")
        if start > end:
            raise CommandError(_("--from must be on or before --to."))
        if (end - start).days > MAX_DAYS:
            raise CommandError(_("Choose a period of at most ten years."))
        workspace = self._workspace(options["workspace"])
        segment = None
        if options["segment"]:
            segment = segment_by_name(workspace=workspace, name=options["segment"])
            if segment is None:
                raise CommandError(
                    _("No segment called “%(name)s” in this workspace.")
                    % {"name": options["segment"]}
                )
        period = Period(start, end)
        bounds = period.bounds(periods.workspace_zone(workspace))
        total = selectors.nps_for_period(
            workspace=workspace, start=bounds[0], end=bounds[1], segment=segment
        )
        rows: list[NpsRow] = []
        by = options["by"]
        if by in ("month", "quarter"):
            rows = selectors.nps_by_period(
                workspace=workspace, period=period, grain=by, segment=segment
            )
        elif by == "segment":
            rows = selectors.nps_breakdown(
                workspace=workspace, period=period, by="segment", segment=segment
            )
        if options["json"]:
            payload = {
                "total": _rounded(total.as_dict()),
                "rows": [
                    {"key": self._key(by, row), **_rounded(row.result.as_dict())} for row in rows
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self._print("total", total)
        for row in rows:
            self._print(row.label, row.result)

    def _key(self, by: str, row: NpsRow) -> str | None:
        if by == "segment":
            return None if not row.key else row.label
        return row.key

    def _print(self, label: str, result) -> None:
        if result.nps is None:
            nps = "-"
        elif result.margin is None:
            nps = f"{result.nps:.1f}"
        else:
            nps = f"{result.nps:.1f} ± {result.margin:.1f}"
        self.stdout.write(
            f"{label:<24} n={result.n:<7} P={result.promoters:<6} "
            f"N={result.passives:<6} D={result.detractors:<6} NPS={nps}"
        )

    def _workspace(self, pk: int | None) -> Workspace:
        if pk is not None:
            workspace = Workspace.objects.filter(pk=pk).first()
            if workspace is None:
                raise CommandError(_("No workspace with id %(id)s.") % {"id": pk})
            return workspace
        workspaces = list(Workspace.objects.order_by("pk")[:2])
        if len(workspaces) != 1:
            raise CommandError(
                _("There are several workspaces (or none): choose one with --workspace ID.")
            )
        return workspaces[0]


def _rounded(values: dict) -> dict:
    """NPS and its margin to one decimal, as they are shown (42.7, not 42.735042735042725)."""
    return {
        key: round(value, 1) if key in ("nps", "margin") and value is not None else value
        for key, value in values.items()
    }
