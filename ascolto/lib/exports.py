"""Tables as CSV or XLSX downloads, safe against formula injection.

A spreadsheet treats a cell that starts with `=`, `+`, `-`, `@` (also after leading spaces or
line breaks, and in fullwidth form such as `＝`), a tab, a carriage return or a line feed as a
formula, so a customer named `=HYPERLINK(...)` could run something on the reader's machine.
`table_export()` is the one way to export a table:

- CSV: such text cells get a leading apostrophe (`'=1+1`), which spreadsheets show as text;
  `cell_unescape()` removes it again for programs that read the file back.
- XLSX: every text cell is written with the string type, so it is never a formula, and keeps its
  text (no apostrophe needed). XML turns carriage returns into line feeds, so line breaks are
  written as `\n`; characters XML cannot hold (other control characters) become U+FFFD.

Numbers stay numbers in both formats; None is an empty cell. Dates and times are real dates in
XLSX (shown in the workbook's date format) and ISO text in CSV.

CSV comes in two dialects: "it" for Italian spreadsheets (semicolon between cells, decimal
comma: what Excel and LibreOffice expect in an Italian locale) and "en" (comma, decimal
point). Both are UTF-8 with a byte-order mark, so accents read right. `CSV_DIALECTS` names
them; `csv_dialect_for(language)` gives the one a workspace's language expects.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMATS = ("csv", "xlsx")
CSV_DIALECTS = {"it": (";", ","), "en": (",", ".")}  # cell separator, decimal mark
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def looks_like_formula(value: str) -> bool:
    """True for text a spreadsheet could take for a formula: one that starts with `= + - @`,
    also after leading spaces or line breaks (spreadsheets skip them) and in their fullwidth or
    small forms (`＝ ＋ － ＠ ﹦`, which some spreadsheets fold into the plain ones), or that
    starts with a tab, a carriage return or a line feed."""
    if value.startswith(FORMULA_START):
        return True
    head = unicodedata.normalize("NFKC", value.lstrip()[:1])
    return head.startswith(FORMULA_START)


def cell_escape(value: str) -> str:
    """Text made safe for a CSV cell: a leading apostrophe before formula-like text, and
    before text that already starts with one (so `cell_unescape` is exact)."""
    if value.startswith("'") or looks_like_formula(value):
        return "'" + value
    return value


def cell_unescape(value: str) -> str:
    """The original text of a cell written by `cell_escape`."""
    return value[1:] if value.startswith("'") else value


def csv_dialect_for(language: str | None) -> str:
    """The CSV dialect a workspace's language expects ("it" for Italian, else "en")."""
    return "it" if (language or "").startswith("it") else "en"


def _plain(value: Any) -> Any:
    """Numbers as numbers, dates as ISO text, everything else as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return (
            _naive(value).isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
        )
    return str(value)


def _naive(value: datetime) -> datetime:
    """A time as the reader's clock shows it: aware times in the current time zone, without
    the zone (spreadsheets have none)."""
    if value.tzinfo is not None:
        from django.utils import timezone

        value = timezone.localtime(value).replace(tzinfo=None)
    return value


def _csv_number(value: int | float | Decimal, decimal_mark: str) -> str:
    """A number as the dialect writes it: no thousands separator, its decimal mark."""
    if isinstance(value, float):
        text = repr(value) if value != int(value) or abs(value) >= 1e16 else str(int(value))
    else:
        text = str(value)
    return text.replace(".", decimal_mark) if decimal_mark != "." else text


def csv_lines(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, dialect: str = "en"
) -> Iterator[str]:
    """The CSV text line by line (the first starts with the byte-order mark), escaped as
    `csv_bytes` escapes it: for a download streamed while the rows are read."""
    separator, decimal_mark = CSV_DIALECTS[dialect]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    first = True
    for row in itertools.chain([headers], rows):
        cells = []
        for value in row:
            value = _plain(value)
            if value is None:
                cells.append("")
            elif isinstance(value, str):
                cells.append(cell_escape(value))
            else:
                cells.append(_csv_number(value, decimal_mark))
        writer.writerow(cells)
        line = out.getvalue()
        out.seek(0)
        out.truncate()
        yield ("\ufeff" + line) if first else line
        first = False


def csv_bytes(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, dialect: str = "en"
) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheets read accents right), escaped text cells,
    in `dialect` ("it": semicolons and decimal commas; "en": commas and decimal points)."""
    return "".join(csv_lines(headers, rows, dialect=dialect)).encode("utf-8")


def xlsx_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = "") -> bytes:
    """One worksheet; text cells typed as strings, never formulas; numbers as numbers; dates
    and times as dates (in the current time zone, shown as dd/mm/yyyy [hh:mm])."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for row in [headers, *rows]:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet)
            if isinstance(value, datetime):
                cell.value = _naive(value)
                cell.number_format = "dd/mm/yyyy hh:mm"
                cells.append(cell)
                continue
            if isinstance(value, date):
                cell.value = value
                cell.number_format = "dd/mm/yyyy"
                cells.append(cell)
                continue
            value = _plain(value)
            if isinstance(value, str):
                cell.value = xlsx_text(value)
                cell.data_type = "s"  # after the value: openpyxl guesses "f" for "=..."
            else:
                cell.value = value
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_text(value: str) -> str:
    """The text an XLSX cell holds for `value` (line breaks as "\n", no XML-illegal characters)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("\ufffd", value)


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31]
    return cleaned or "Sheet1"


def table_export(
    *,
    fmt: str,
    filename: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    title: str = "",
    dialect: str = "en",
) -> HttpResponse:
    """A download of the table in `fmt` ("csv" or "xlsx"); `filename` without extension;
    `dialect` is the CSV's ("it" or "en", see `CSV_DIALECTS`)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if dialect not in CSV_DIALECTS:
        raise ValueError(dialect)
    name = _SAFE_FILENAME.sub("-", filename).strip("-") or "export"
    if fmt == "csv":
        response = HttpResponse(
            csv_bytes(headers, rows, dialect=dialect), content_type=CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            xlsx_bytes(headers, rows, title=title), content_type=XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
