"""`ascolto promises check [--json] [--workspace ID]` and `ascolto promises gaps [--json]
[--workspace ID] [--from YYYY-MM-DD --to YYYY-MM-DD] [--segment NAME] [--customer ID]`.

`check` re-runs every promise check (idempotent: a second run raises no new alert) and prints
{"kept", "broken", "not_measurable", "alerts_raised"} with --json.

`gaps` prints, with --json, one object per promise, largest gap first:
{"workspace", "promise", "dimension", "target", "promised", "delivered", "perceived",
"expected", "checks", "answers", "voice"}: promised is the limit in the unit the promise is shown
in (hours for "within 24 h"; null for a flag), delivered and perceived are on the 0–100 scale of
the gap page, expected the median need in the promise's unit; null where there is no data.
voice is what customers wrote about the promise's aspect in scope: {"comments", "negative_share",
"angry"}, the share negative in percent (null without comments).
The period defaults to the last 12 months, as on the page.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ascolto.customers.models import Customer
from ascolto.customers.selectors import segment_by_name
from ascolto.interactions.models import Interaction
from ascolto.lib.commands import day_option
from ascolto.lib.periods import MAX_DAYS, Period, default_period
from ascolto.promises.gaps import Scope, gaps_for_scope
from ascolto.promises.models import Promise
from ascolto.promises.services import promise_checks_run
from ascolto.workspaces.models import Workspace


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


class Command(BaseCommand):
    help = "Check interactions against the promises, and print the promise gaps."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Re-run every promise check; alerts only once.")
        check.add_argument("--json", action="store_true", help="Print JSON.")
        check.add_argument("--workspace", type=int, help="Only this workspace (its id).")
        gaps = sub.add_parser("gaps", help="Promised, delivered, perceived and expected.")
        gaps.add_argument("--workspace", type=int, help="Workspace id (needed if several).")
        gaps.add_argument("--from", dest="start", help="First day (YYYY-MM-DD).")
        gaps.add_argument("--to", dest="end", help="Last day, included (YYYY-MM-DD).")
        gaps.add_argument("--segment", help="Only customers of this segment (its name).")
        gaps.add_argument("--customer", type=int, help="Only this customer (its id).")
        gaps.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options):
        if options["action"] == "check":
            return self._check(options)
        return self._gaps(options)

    # --- check --------------------------------------------------------------------------------
    def _check(self, options) -> None:
        workspace = None
        if options["workspace"] is not None:
            workspace = self._workspace(options["workspace"])
        interactions = Interaction.objects.filter(
            touchpoint__in=Promise.objects.filter(active=True).values("touchpoint")
        )
        if workspace is not None:
            interactions = interactions.filter(workspace=workspace)
        with tqdm(
            total=interactions.count(),
            desc=_("Interactions"),
            unit=_("interactions"),
            disable=True if options["verbosity"] == 0 else None,
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar:
            tally = promise_checks_run(workspace=workspace, progress=bar.update)
        if options["json"]:
            self.stdout.write(json.dumps(tally.as_dict()))
            return
        self.stdout.write(
            _(
                "Checks: %(kept)s kept, %(broken)s broken, %(not_measurable)s not measurable; "
                "%(alerts_raised)s new alerts."
            )
            % tally.as_dict()
        )

    # --- gaps ---------------------------------------------------------------------------------
    def _gaps(self, options) -> None:
        # Dates first: a typo is reported before anything is read.
        first = day_option(options["start"], "--from") if options["start"] else None
        last = day_option(options["end"], "--to") if options["end"] else None
        workspace = self._single_workspace(options["workspace"])
        period = self._period(workspace, first, last)
        segment = customer = None
        if options["segment"]:
            segment = segment_by_name(workspace=workspace, name=options["segment"])
            if segment is None:
                raise CommandError(
                    _("No segment called “%(name)s” in this workspace.")
                    % {"name": options["segment"]}
                )
        if options["customer"] is not None:
            customer = Customer.objects.filter(workspace=workspace, pk=options["customer"]).first()
            if customer is None:
                raise CommandError(
                    _("No customer with id %(id)s in this workspace.") % {"id": options["customer"]}
                )
        gaps = gaps_for_scope(Scope(workspace, period, segment=segment, customer=customer))
        if options["json"]:
            self.stdout.write(json.dumps([g.as_dict() for g in gaps], ensure_ascii=False))
            return
        self.stdout.write(
            _("%(workspace)s, %(start)s – %(end)s")
            % {"workspace": workspace.name, "start": period.start, "end": period.end}
        )
        for gap in gaps:
            self.stdout.write(
                f"{gap.promise.label[:40]:<40} {gap.target[:28]:<28} "
                f"{_('delivered')} {_percent(gap.delivered):>7} ({gap.measurable}) "
                f"{_('perceived')} {_percent(gap.perceived):>7} ({gap.answers})"
                + (
                    ""
                    if gap.voice is None
                    else f" {_('comments')} {gap.voice.comments}"
                    f" ({_percent(gap.voice.negative_share)} {_('negative')})"
                )
            )

    def _period(self, workspace: Workspace, first: date | None, last: date | None) -> Period:
        default = default_period(workspace)
        if first is None and last is None:
            return default
        last = last or default.end
        first = first or last - timedelta(days=364)
        if first > last:
            raise CommandError(_("--from must be on or before --to."))
        if (last - first).days > MAX_DAYS:
            raise CommandError(_("Choose a period of at most ten years."))
        return Period(first, last)

    def _workspace(self, pk: int) -> Workspace:
        workspace = Workspace.objects.filter(pk=pk).first()
        if workspace is None:
            raise CommandError(_("No workspace with id %(id)s.") % {"id": pk})
        return workspace

    def _single_workspace(self, pk: int | None) -> Workspace:
        if pk is not None:
            return self._workspace(pk)
        workspaces = list(Workspace.objects.order_by("pk")[:2])
        if len(workspaces) != 1:
            raise CommandError(
                _("There are several workspaces (or none): choose one with --workspace ID.")
            )
        return workspaces[0]
