"""Where a person's data still is: every column of every table (found by introspection, not by
the models, so a table no model knows is scanned too) and every file under a folder."""

from __future__ import annotations

from pathlib import Path

from django.db import connection

from ascolto.privacy.services import file_mentions


def table_hits(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every column holding one of `needles`, any case."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            for column in columns:
                quoted_table = connection.ops.quote_name(table)
                quoted = connection.ops.quote_name(column.name)
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608 (names from the schema)
                        f"WHERE LOWER(CAST({quoted} AS TEXT)) LIKE %s",
                        [f"%{needle.lower()}%"],
                    )
                    if cursor.fetchone()[0]:
                        hits.append((table, column.name, needle))
    return hits


def file_hits(folder: Path, needles: list[str]) -> list[Path]:
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and file_mentions(path, needles)
    ]
