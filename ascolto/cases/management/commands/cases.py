"""`ascolto cases sla --from YYYY-MM-DD --to YYYY-MM-DD [--json] [--workspace ID]`.

Prints, per category, the cases opened in the period (days in each workspace's time zone,
`--to` included) and how many were acknowledged, answered and resolved within their deadlines,
and how many deadlines were missed: with --json, `[{"category", "cases",
"acknowledged_in_time", "responded_in_time", "resolved_in_time", "breaches"}]` (with
"workspace" when there are several)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ascolto.cases.selectors import sla_compliance
from ascolto.lib.commands import day_option
from ascolto.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Report on complaints' deadlines."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sla = sub.add_parser("sla", help="Deadlines kept and missed per category.")
        sla.add_argument("--from", dest="start", required=True, help="First day (YYYY-MM-DD).")
        sla.add_argument("--to", dest="end", required=True, help="Last day, included.")
        sla.add_argument("--json", action="store_true", help="Print JSON.")
        sla.add_argument("--workspace", type=int, help="Only this workspace (its id).")

    def handle(self, *args, **options):
        start = day_option(options["start"], "--from")
        end = day_option(options["end"], "--to")
        if start > end:
            raise CommandError(_("--from must be on or before --to."))
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"] is not None:
            workspaces = workspaces.filter(pk=options["workspace"])
            if not workspaces.exists():
                raise CommandError(_("No workspace with id %(id)s.") % {"id": options["workspace"]})
        several = workspaces.count() > 1
        rows = []
        for workspace in workspaces:
            for row in sla_compliance(workspace=workspace, start=start, end=end):
                rows.append({"workspace": workspace.name, **row} if several else row)
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                _(
                    "%(category)s: %(cases)s cases, acknowledged in time %(ack)s, answered in "
                    "time %(resp)s, resolved in time %(res)s, deadlines missed %(breaches)s"
                )
                % {
                    "category": row["category"],
                    "cases": row["cases"],
                    "ack": row["acknowledged_in_time"],
                    "resp": row["responded_in_time"],
                    "res": row["resolved_in_time"],
                    "breaches": row["breaches"],
                }
            )
