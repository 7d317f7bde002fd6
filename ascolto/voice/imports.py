"""Reading an exported file of reviews (CSV, XLSX or JSON) in one of `formats.FORMATS` into
`ReviewIn` rows, with an error per line for the rows that cannot be read.

A problem with the whole file (not a spreadsheet, not JSON, too big, no usable columns) raises
`ImportFileError` with a message for the user; a problem with one row is an error of its line,
and the other rows are imported.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from ascolto.lib.csvimport import CsvFileError, csv_rows, header_key
from ascolto.voice.formats import ImportFormat
from ascolto.voice.normalise import ReviewIn, date_parse, rating_normalise

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class RawRow:
    line: int  # the file's line (CSV, XLSX: 1 is the header) or the record's number (JSON)
    values: dict[str, Any]  # field -> value as found


def _kind(data: bytes, filename: str) -> str:
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        return "xlsx"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if name.endswith(".json") or stripped in (b"{", b"["):
        return "json"
    return "csv"


def _pick(values: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = values.get(header_key(name))
        if value not in (None, ""):
            return value
    return None


def _table_rows(fmt: ImportFormat, header: list[str], rows: Iterator[tuple[int, list[Any]]]):
    keys = [header_key(str(cell or "")) for cell in header]
    known = {header_key(n) for names in fmt.columns.values() for n in names}
    if not (set(keys) & known):
        raise ImportFileError(
            _("None of the columns is one of %(platform)s's: is this the right format?")
            % {"platform": fmt.label}
        )
    for line, cells in rows:
        if not any(str(c).strip() for c in cells if c is not None):
            continue
        by_key = {k: cells[i] if i < len(cells) else None for i, k in enumerate(keys)}
        yield RawRow(line, {f: _pick(by_key, names) for f, names in fmt.columns.items()})


def _csv(fmt: ImportFormat, data: bytes) -> list[RawRow]:
    try:
        rows = csv_rows(data, required=(), max_bytes=MAX_FILE_BYTES)
    except CsvFileError as error:
        raise ImportFileError(str(error)) from None
    if not rows:
        return []
    header = list(rows[0].values)
    return list(_table_rows(fmt, header, ((r.line, [r.values[k] for k in header]) for r in rows)))


def _xlsx(fmt: ImportFormat, data: bytes) -> list[RawRow]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError(_("This is not an Excel file (.xlsx) that can be read.")) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError(_("The file is empty."))
        numbered = ((i + 2, list(cells)) for i, cells in enumerate(rows))
        return list(_table_rows(fmt, [str(c or "") for c in header], numbered))
    finally:
        book.close()


def _path(record: Any, dotted: str) -> Any:
    value = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _json(fmt: ImportFormat, data: bytes) -> list[RawRow]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(
            _("This is not a JSON file that can be read: %(error)s") % {"error": error}
        ) from None
    records = document
    if isinstance(document, dict):
        records = next((document[k] for k in fmt.json_records if k in document), None)
    if not isinstance(records, list):
        raise ImportFileError(_("The JSON file holds no list of reviews."))
    rows = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            rows.append(RawRow(number, {}))
            continue
        values = {}
        for name, paths in fmt.json_fields.items():
            values[name] = next(
                (v for v in (_path(record, p) for p in paths) if v not in (None, "")), None
            )
        rows.append(RawRow(number, values))
    return rows


def file_rows(fmt: ImportFormat, data: bytes, filename: str) -> list[RawRow]:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is too big (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": f"{len(data) / 1024 / 1024:.1f}",
                "limit": f"{MAX_FILE_BYTES // 1024 // 1024}",
            }
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    kind = _kind(data, filename)
    rows = {"xlsx": _xlsx, "json": _json, "csv": _csv}[kind](fmt, data)
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)s reviews; split it.") % {"limit": MAX_ROWS}
        )
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _when(value: Any, zone: ZoneInfo) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 10**8:
        return datetime.fromtimestamp(value, tz=UTC)  # Unix time (Facebook)
    text = _text(value)
    if text.isdigit() and len(text) == 10:
        return datetime.fromtimestamp(int(text), tz=UTC)
    return date_parse(value if isinstance(value, datetime) else text, zone)


def review_in(fmt: ImportFormat, row: RawRow, zone: ZoneInfo) -> ReviewIn:
    """A row as a review; ValueError with the reason (for the user) when it cannot be one."""
    values = row.values
    if not values:
        raise ValueError(_("This record is not a review."))
    rating, original = rating_normalise(_text(values.get("rating")), fmt.rating_scale)
    text = _text(values.get("text"))
    title = _text(values.get("title"))
    if rating is None and not text and not title:
        raise ValueError(_("Neither a rating nor a text: nothing to import."))
    published = values.get("published_at")
    if published in (None, ""):
        raise ValueError(_("The date is missing."))
    return ReviewIn(
        platform=fmt.platform,
        published_at=_when(published, zone),
        text=text,
        title=title,
        author=_text(values.get("author")),
        author_email=_text(values.get("author_email")),
        author_phone=_text(values.get("author_phone")),
        url=_text(values.get("url")),
        platform_id=_text(values.get("platform_id")),
        rating=rating,
        rating_original=original,
        language=_text(values.get("language"))[:8].lower(),
        line=row.line,
    )
