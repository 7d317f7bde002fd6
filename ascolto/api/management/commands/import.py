"""`ascolto import customers|contracts|interactions FILE [--workspace ID] [--dry-run]`.

Reads a CSV or XLSX file as Italian offices export it, recognises the columns by their Italian
or English names (or the mapping last chosen on the import page), imports the good rows through
the same services as the API and prints each bad row with its line, column and reason, then the
totals. Running the same file again changes nothing. See docs/api.md, "Imports".
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ascolto.api.services.imports import (
    KINDS,
    MAX_BYTES,
    SheetError,
    mapping_guess,
    mapping_problems,
    rows_import,
    sheet_read,
)
from ascolto.workspaces.models import Role, Workspace


class Command(BaseCommand):
    help = "Import customers, contracts or interactions from a CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", help="The CSV or XLSX file.")
        parser.add_argument(
            "--workspace", type=int, help="Workspace id (needed when there are several)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and report; store nothing."
        )
        parser.add_argument(
            "--new-segments",
            action="store_true",
            help="Create the segments the file names that do not exist yet.",
        )

    def handle(self, *args, **options):
        workspace = self._workspace(options["workspace"])
        owner = workspace.memberships.filter(role=Role.OWNER).order_by("pk").first()
        if owner is None:
            raise CommandError(_("The workspace has no owner to act for."))
        path = options["file"]
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
            sheet = sheet_read(data, path)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        except SheetError as error:
            raise CommandError(str(error)) from None
        kind = options["kind"]
        mapping = mapping_guess(workspace=workspace, kind=kind, headers=sheet.headers)
        problems = mapping_problems(kind, mapping)
        if problems:
            raise CommandError(" ".join(problems))
        with tqdm(
            total=len(sheet.rows),
            unit=_("rows"),
            disable=options["verbosity"] == 0,
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar:
            result = rows_import(
                workspace=workspace,
                by=owner,
                kind=kind,
                sheet=sheet,
                mapping=mapping,
                dry_run=options["dry_run"],
                new_segments=options["new_segments"],
                progress=bar.update,
            )
        for line, column, reason in result.errors:
            self.stdout.write(
                _("Line %(line)s, %(column)s: %(reason)s")
                % {"line": line, "column": column or "-", "reason": reason}
            )
        summary = _("%(created)s new, %(updated)s found and updated, %(errors)s with errors.") % {
            "created": result.created,
            "updated": result.updated,
            "errors": len({line for line, _c, _r in result.errors}),
        }
        if result.dry_run:
            summary = _("Dry run, nothing stored: %(summary)s") % {"summary": summary}
        self.stdout.write(summary)

    def _workspace(self, pk: int | None) -> Workspace:
        if pk is not None:
            workspace = Workspace.objects.filter(pk=pk).first()
            if workspace is None:
                raise CommandError(_("There is no workspace %(id)s.") % {"id": pk})
            return workspace
        workspaces = list(Workspace.objects.order_by("pk")[:2])
        if len(workspaces) != 1:
            raise CommandError(_("Say which workspace with --workspace ID."))
        return workspaces[0]
