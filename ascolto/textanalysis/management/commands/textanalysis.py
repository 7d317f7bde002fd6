"""`ascolto textanalysis backfill [--workspace ID]`: analyse every saved text that has no
analysis yet (survey comments, interaction notes, staff signals), in batches with bulk writes.
`ascolto textanalysis train --workspace ID` trains a workspace's own model by hand."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ascolto.textanalysis import services
from ascolto.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Analyse saved texts that have no analysis yet; train a workspace's model."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["backfill", "train"])
        parser.add_argument("--workspace", type=int, help="Only this workspace (id).")
        parser.add_argument("--batch-size", type=int, default=services.BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"] is not None:
            workspaces = workspaces.filter(pk=options["workspace"])
            if not workspaces.exists():
                raise CommandError(_("No workspace with id %(id)s.") % {"id": options["workspace"]})
        if options["batch_size"] < 1:
            raise CommandError(_("The batch size must be at least 1."))
        if options["action"] == "train":
            if options["workspace"] is None:
                raise CommandError(_("Say which workspace: --workspace ID."))
            model = services.text_model_train(workspace_id=options["workspace"])
            if model is None:
                raise CommandError(_("Not enough corrections to train a model yet."))
            self.stdout.write(
                f"sentiment {model.sentiment_accuracy:.0%} vs base "
                f"{model.sentiment_base_accuracy:.0%}, emotion {model.emotion_accuracy:.0%} vs "
                f"base {model.emotion_base_accuracy:.0%} on {model.test_size} held back"
            )
            return
        started = time.monotonic()
        total = 0
        for workspace in workspaces:
            missing = services.text_analyses_missing_count(workspace_id=workspace.pk)
            if not missing:
                continue
            with tqdm(
                total=missing,
                desc=workspace.name[:30],
                unit="text",
                disable=options["no_progress"],
                file=self.stderr,
            ) as bar:
                total += services.text_analysis_backfill(
                    workspace_id=workspace.pk,
                    batch_size=options["batch_size"],
                    progress=bar.update,
                )
        elapsed = time.monotonic() - started
        self.stdout.write(
            _("%(count)s texts analysed in %(seconds).1f s.") % {"count": total, "seconds": elapsed}
        )
