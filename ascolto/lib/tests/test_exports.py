"""Exports: formula-like text is escaped in CSV and typed as text in XLSX; any text survives."""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ascolto.lib.exports import (
    cell_escape,
    cell_unescape,
    csv_bytes,
    table_export,
    xlsx_bytes,
    xlsx_text,
)

DANGEROUS = ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")']


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows()]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_escaped_in_csv(text):
    rows = read_csv(csv_bytes(["name"], [[text]]))
    assert rows[1][0] == "'" + text


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_a_string_cell_in_xlsx(text):
    cell = read_xlsx(xlsx_bytes(["name"], [[text]]))[1][0]
    assert cell.data_type == "s"
    assert cell.value == xlsx_text(text)
    assert cell.value.replace("\n", "\r", 1) == text or cell.value == text


def test_numbers_stay_numbers_and_none_is_empty():
    rows = read_csv(csv_bytes(["a", "b", "c"], [[-3, 2.5, None]]))
    assert rows[1] == ["-3", "2.5", ""]
    cells = read_xlsx(xlsx_bytes(["a", "b", "c"], [[-3, 2.5, None]]))[1]
    assert [c.value for c in cells] == [-3, 2.5, None]
    assert cells[0].data_type == "n"


def test_harmless_text_is_unchanged():
    assert cell_escape("Edilizia Ferri") == "Edilizia Ferri"
    assert cell_escape("'quoted") == "''quoted"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_round_trips_through_csv(text):
    rows = read_csv(csv_bytes(["h"], [[text]]))
    cell = rows[1][0]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell_unescape(cell) == text


XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=["Cs"],
        blacklist_characters=[chr(c) for c in range(32) if c not in (9, 10, 13)]
        + ["\ufffe", "\uffff"],
    )
)


@settings(max_examples=100, deadline=None)
@given(XML_TEXT)
def test_any_text_round_trips_through_xlsx_as_text(text):
    cell = read_xlsx(xlsx_bytes(["h"], [[text]]))[1][0]
    if text == "":
        assert cell.value is None
    else:
        assert cell.data_type == "s"
        assert cell.value == text.replace("\r\n", "\n").replace("\r", "\n")


def test_characters_xml_cannot_hold_are_replaced_not_fatal():
    cell = read_xlsx(xlsx_bytes(["h"], [["a\x00b\x1fc"]]))[1][0]
    assert cell.value == "a\ufffdb\ufffdc"


def test_table_export_response_headers():
    response = table_export(fmt="xlsx", filename="nps by month/../x", headers=["a"], rows=[[1]])
    assert response["Content-Disposition"] == 'attachment; filename="nps-by-month-..-x.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with pytest.raises(ValueError):
        table_export(fmt="ods", filename="x", headers=[], rows=[])


SNEAKY = [
    "\n=1+1",
    " =1+1",
    "  +1",
    "\r\n@SUM(A1)",
    "＝1+1",
    "＋1",
    "－2",
    "＠SUM(A1)",
    "﹦1",
    " ＝1",
]


@pytest.mark.parametrize("text", SNEAKY)
def test_formula_after_spaces_or_line_breaks_or_in_fullwidth_is_escaped(text):
    rows = read_csv(csv_bytes(["name"], [[text]]))
    assert rows[1][0] == "'" + text
    assert cell_unescape(rows[1][0]) == text


FORMULA_HEADS = st.sampled_from(
    ["=", "+", "-", "@", "\t", "\r", "\n", " ", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "'"]
)


@settings(max_examples=300)
@given(st.lists(FORMULA_HEADS, max_size=4).map("".join), st.text(max_size=20))
def test_no_csv_cell_reads_as_a_formula(head, tail):
    """Whatever the text, the cell a spreadsheet reads never starts like a formula unless it
    starts with the apostrophe, and the program reading the file back gets the text again."""
    text = head + tail
    cell = read_csv(csv_bytes(["name"], [[text]]))[1][0]
    if not cell.startswith("'"):
        assert not cell.startswith(("\t", "\r", "\n"))
        first = unicodedata.normalize("NFKC", cell.lstrip()[:1])
        assert not first.startswith(("=", "+", "-", "@"))
    assert cell_unescape(cell) == text


# --- Opening well in a spreadsheet ------------------------------------------------------------


def test_italian_csv_has_semicolons_decimal_commas_and_a_bom():
    from datetime import date

    data = csv_bytes(
        ["Cliente", "NPS", "Margine", "Quando"],
        [["Rossi; Bianchi", 42.7, -3.5, date(2026, 12, 7)], ["=1+1", 10, None, None]],
        dialect="it",
    )
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Cliente", "NPS", "Margine", "Quando"]
    assert rows[1] == ["Rossi; Bianchi", "42,7", "-3,5", "2026-12-07"]  # no apostrophe on -3,5
    assert rows[2] == ["'=1+1", "10", "", ""]
    sniffed = csv.Sniffer().sniff(text.splitlines()[1])
    assert sniffed.delimiter == ";"


def test_english_csv_keeps_commas_and_points():
    rows = read_csv(csv_bytes(["a", "b"], [[2.5, 1000]], dialect="en"))
    assert rows[1] == ["2.5", "1000"]


def test_xlsx_stores_dates_and_numbers_as_dates_and_numbers():
    from datetime import UTC, date, datetime

    data = xlsx_bytes(
        ["when", "day", "nps", "n"],
        [[datetime(2026, 12, 7, 9, 30, tzinfo=UTC), date(2026, 12, 1), 42.7, 12]],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    when, day, nps, n = next(sheet.iter_rows(min_row=2))
    assert when.is_date and isinstance(when.value, datetime)
    assert day.is_date
    assert nps.data_type == "n" and nps.value == 42.7
    assert n.data_type == "n" and n.value == 12
