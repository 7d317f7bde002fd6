"""`ascolto health backtest --cutoff YYYY-MM-DD [--horizon 90] [--workspace ID] [--json]`,
`ascolto health card [--workspace ID] [--horizon 90] [--json]` and
`ascolto health score [--workspace ID]`.

`backtest` scores every customer as of the cut-off, using only events before it, and compares
with who was lost within the horizon; with --json it prints {"customers", "lost", "roc_auc",
"pr_auc", "precision_top10", "recall_top10", "median_warning_days", "not_scored", "cutoff",
"horizon"} (customers: those with a score; not_scored: too little data to score).

`card` fits the learned points card on the workspace's own past (when it has at least 50 lost
customers in the training periods) and prints it beside the default weights' backtest; it
stores the card as a proposal a manager may adopt on the backtest page.

`score` computes and stores today's scores now (what the nightly job does).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.health.backtest import health_backtest
from ascolto.health.services import health_card_propose, health_scores_compute
from ascolto.lib.commands import day_option
from ascolto.lib.periods import workspace_today
from ascolto.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Health score: backtest, learned points card, compute now."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        back = sub.add_parser("backtest", help="Score as of a past day against later losses.")
        back.add_argument("--cutoff", required=True, help="The day scored (YYYY-MM-DD).")
        back.add_argument("--horizon", type=int, default=90, help="Days after it (default 90).")
        back.add_argument("--workspace", type=int, help="Workspace id (needed if several).")
        back.add_argument("--json", action="store_true", help="Print JSON.")
        card = sub.add_parser("card", help="Fit the learned points card on past losses.")
        card.add_argument("--horizon", type=int, default=90)
        card.add_argument("--workspace", type=int, help="Workspace id (needed if several).")
        card.add_argument("--json", action="store_true", help="Print JSON.")
        score = sub.add_parser("score", help="Compute and store today's scores now.")
        score.add_argument("--workspace", type=int, help="Only this workspace.")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "score":
            workspaces = (
                [self._workspace(options["workspace"])]
                if options["workspace"]
                else list(Workspace.objects.order_by("pk"))
            )
            total = sum(health_scores_compute(workspace=w) for w in workspaces)
            self.stdout.write(_("%(n)s scores stored.") % {"n": total})
            return
        horizon = options["horizon"]
        if not 1 <= horizon <= 730:
            raise CommandError(_("--horizon: between 1 and 730 days."))
        workspace = self._single_workspace(options["workspace"])
        if action == "backtest":
            cutoff = day_option(options["cutoff"], "--cutoff")
            if cutoff > workspace_today(workspace, timezone.now()):
                raise CommandError(_("--cutoff: the day must not be in the future."))
            result = health_backtest(workspace=workspace, cutoff=cutoff, horizon=horizon)
            if options["json"]:
                self.stdout.write(json.dumps(result.as_json()))
            else:
                for key, value in result.as_json().items():
                    self.stdout.write(f"{key}: {value}")
            return
        fit = health_card_propose(workspace=workspace, horizon=horizon)
        out = {
            "lost": fit.lost,
            "train_rows": fit.train_rows,
            "test_rows": fit.test_rows,
            "card_roc_auc": None if fit.card_auc is None else round(fit.card_auc, 3),
            "default_roc_auc": None if fit.default_auc is None else round(fit.default_auc, 3),
            "card": fit.card.as_json() if fit.card else None,
        }
        if fit.card is None:
            out["reason"] = _("Fewer than 50 lost customers in the past periods.")
        self.stdout.write(json.dumps(out) if options["json"] else json.dumps(out, indent=2))

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
