"""`ascolto backup --output FILE`: the database and the data folder in one file, while running."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ascolto.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) and the data folder's files "
        "into one file, readable by its owner only. Safe while Ascolto runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The backup file to write.")

    def handle(self, *args, output: str, **options):
        try:
            manifest = backup_create(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Backup of the {manifest['engine']} database written to {output}")
        )
