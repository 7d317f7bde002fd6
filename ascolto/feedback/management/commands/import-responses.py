"""`ascolto import-responses FILE.csv --workspace ID`: load survey responses collected elsewhere.

Columns: email, date, score, comment and optionally survey (Italian names work too). Rows with
errors are listed with their line and reason; the others are imported. Running the same file
again imports nothing twice. See `ascolto/feedback/services/imports.py`.
"""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ascolto.feedback.services.imports import REQUIRED_COLUMNS, responses_import
from ascolto.lib.csvimport import MAX_CSV_BYTES, CsvFileError, csv_rows
from ascolto.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Import survey responses from a CSV file (email, date, score, comment, survey)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument("--workspace", type=int, required=True, help="Workspace id.")
        parser.add_argument(
            "--survey", default="", help="Survey name for rows without a survey column."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; store nothing."
        )

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(pk=options["workspace"]).first()
        if workspace is None:
            raise CommandError(_("There is no workspace %(id)s.") % {"id": options["workspace"]})
        path = options["file"]
        try:
            size = os.path.getsize(path)
            if size > MAX_CSV_BYTES:
                raise CsvFileError(
                    _("The file is too big (%(size)s MB); the limit is %(limit)s MB.")
                    % {
                        "size": f"{size / 1024 / 1024:.1f}",
                        "limit": f"{MAX_CSV_BYTES // 1024 // 1024}",
                    }
                )
            with open(path, "rb") as handle:
                data = handle.read(MAX_CSV_BYTES + 1)
            rows = csv_rows(data, required=REQUIRED_COLUMNS)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        except CsvFileError as error:
            raise CommandError(str(error)) from None

        with tqdm(
            total=len(rows),
            desc=_("Responses"),
            unit=_("rows"),
            disable=options["verbosity"] == 0,
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar:
            result = responses_import(
                workspace=workspace,
                rows=rows,
                survey_name=options["survey"],
                dry_run=options["dry_run"],
                progress=bar.update,
            )
        for line, message in result.errors:
            self.stdout.write(_("Line %(line)s: %(reason)s") % {"line": line, "reason": message})
        for line, first in result.repeated:
            self.stdout.write(
                _("Line %(line)s: repeated at line %(first)s of this file, left out.")
                % {"line": line, "first": first}
            )
        if options["dry_run"]:
            summary = _(
                "Dry run: %(imported)s rows would be imported, %(duplicates)s were imported "
                "before, %(errors)s have errors."
            )
        else:
            summary = _(
                "%(imported)s responses imported, %(duplicates)s already imported before, "
                "%(errors)s rows with errors."
            )
        self.stdout.write(
            summary
            % {
                "imported": result.imported,
                "duplicates": result.duplicates,
                "errors": len(result.errors),
            }
        )
