"""`ascolto restore FILE`: put back a backup made by `ascolto backup` (stop Ascolto first)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ascolto.ops.backup import BackupError, backup_read_manifest, backup_restore, journal_lines


class Command(BaseCommand):
    help = (
        "Replace the database and the data folder's files with those of a backup. Stop the "
        "web server, the worker and the scheduler first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by `ascolto backup`.")
        parser.add_argument("--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file: str, no_input: bool, **options):
        path = Path(file)
        try:
            manifest = backup_read_manifest(path)
            if not no_input:
                answer = input(
                    f"Replace this installation's data with the backup of "
                    f"{manifest['created_at']}? Type 'yes' to go on: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled.")
            backup_restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Restored the backup of {manifest['created_at']} from {file}")
        )
        erasures = journal_lines()
        if erasures:
            self.stdout.write(
                f"The erasure journal lists {erasures} erasure(s): people erased after this "
                "backup was taken are back. Run `ascolto migrate` (when restoring into a newer "
                "version), then `ascolto gdpr reapply` before starting Ascolto again."
            )
