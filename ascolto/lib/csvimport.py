"""Reading CSV files as Italian offices save them, without any model.

- Encoding: UTF-8 with or without a byte-order mark; if the bytes are not UTF-8, Windows-1252
  (what Excel on an Italian Windows writes as "CSV").
- Delimiter: `;` (Excel in Italian, where the comma is the decimal separator) or `,`, sniffed
  from the header line.
- Header names are matched without case, spaces or accents, in English or Italian
  (`email`/`e-mail`, `date`/`data`, `score`/`punteggio`/`voto`, `comment`/`commento`,
  `survey`/`sondaggio`).
- Cells are kept as text as they are (a comment such as `=HYPERLINK(...)` stays that text);
  the caller validates them.

`csv_rows()` raises `CsvFileError` with a translated message for files that are too big, are
not text, or have no header with the required columns.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ascolto.lib.text import clean_text

MAX_CSV_BYTES = 20 * 1024 * 1024  # 20 MB: about 200,000 rows of feedback
SNIFF_BYTES = 64 * 1024

ALIASES = {
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "indirizzo email": "email",
    "date": "date",
    "data": "date",
    "score": "score",
    "punteggio": "score",
    "voto": "score",
    "comment": "comment",
    "commento": "comment",
    "commenti": "comment",
    "note": "comment",
    "survey": "survey",
    "sondaggio": "survey",
    "questionario": "survey",
}


class CsvFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # line of the file (1 = the header) where the row starts
    values: dict[str, str]


def decode_text(data: bytes) -> str:
    """The bytes as text: UTF-8 (a byte-order mark is dropped), else Windows-1252.
    Raises CsvFileError for binary content."""
    if b"\x00" in data[:SNIFF_BYTES]:
        raise CsvFileError(_("This is not a text file. Save the sheet as CSV and try again."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvFileError(
            _("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV (UTF-8).")
        ) from None


def sniff_delimiter(text: str) -> str:
    """`;` or `,`: whichever the header line has more of, outside quotes (the header names
    the columns, so it holds one delimiter fewer than there are columns)."""
    header, quoted = [], False
    for char in text[:SNIFF_BYTES]:
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            break
        elif not quoted:
            header.append(char)
    return ";" if header.count(";") > header.count(",") else ","


def header_key(name: str) -> str:
    """A header cell as a column name: lower case, no accents, known Italian names mapped."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = " ".join(plain.strip().lower().replace("_", " ").split())
    return ALIASES.get(plain, plain)


def csv_rows(
    data: bytes, *, required: Iterable[str], max_bytes: int = MAX_CSV_BYTES
) -> list[CsvRow]:
    """The rows of a CSV file as dictionaries keyed by normalised column name. Blank lines are
    skipped; line numbers count from the header (line 1)."""
    if len(data) > max_bytes:
        raise CsvFileError(
            _("The file is too big (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "limit": f"{max_bytes // 1024 // 1024}"}
        )
    text = decode_text(data)
    if not text.strip():
        raise CsvFileError(_("The file is empty."))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        header = [header_key(cell) for cell in next(reader)]
        missing = [name for name in required if name not in header]
        if missing:
            raise CsvFileError(
                _("The first line must name the columns; missing: %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
        rows: list[CsvRow] = []
        line = reader.line_num + 1
        for cells in reader:
            if _swallowed_rows(cells, delimiter, len(header)):
                raise CsvFileError(_unclosed_quote(line))
            if any(cell.strip() for cell in cells):
                values = {
                    name: (clean_text(cells[i]) if i < len(cells) else "")
                    for i, name in enumerate(header)
                }
                rows.append(CsvRow(line, values))
            line = reader.line_num + 1
    except csv.Error as error:
        if "end of data" in str(error) or "expected after" in str(error):
            raise CsvFileError(_unclosed_quote(line)) from None
        raise CsvFileError(
            _("The file is not valid CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    return rows


def _unclosed_quote(line: int) -> str:
    return _(
        "Line %(line)s opens a quote that is not closed where it should be, so the lines after "
        'it would be read as one cell. Check the quotes (") on that line.'
    ) % {"line": line}


def _swallowed_rows(cells: list[str], delimiter: str, columns: int) -> bool:
    """True when a quoted cell holds what looks like further rows: a line break followed by a
    line with a delimiter for every column (a comment on several lines has none or few)."""
    if columns < 2:
        return False
    for cell in cells:
        if "\n" in cell or "\r" in cell:
            for part in cell.splitlines()[1:]:
                if part.count(delimiter) >= columns - 1:
                    return True
    return False
