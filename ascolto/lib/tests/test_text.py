"""clean_text: control characters and bidi overrides never reach the database; text does."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ascolto.lib.text import clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ottimo\u202e servizio", "Ottimo servizio"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u2066isolated\u2069", "isolated"),
        ("NUL\x00 and bell\x07", "NUL and bell"),
        ("escape \x1b[31mred", "escape [31mred"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("riga uno\r\nriga due\rtre\n", "riga uno\nriga due\ntre\n"),
        ("colonna\tvalore", "colonna\tvalore"),
        ("Perché è così? 😀 👨\u200d👩\u200d👧", "Perché è così? 😀 👨\u200d👩\u200d👧"),
        ("שלום עולם", "שלום עולם"),
    ],
)
def test_clean_text_removes_controls_and_overrides_and_keeps_text(raw, clean):
    assert clean_text(raw) == clean


def test_one_line_text_turns_line_breaks_into_spaces():
    assert clean_text("Rossi\r\n& Figli\x85", multiline=False) == "Rossi & Figli"


@given(st.text())
def test_no_control_or_bidi_character_survives(text):
    cleaned = clean_text(text)
    for char in cleaned:
        if char in "\n\t":
            continue
        assert unicodedata.category(char) != "Cc"
        assert unicodedata.bidirectional(char) not in {"LRE", "RLE", "LRO", "RLO", "PDF"}
        assert unicodedata.bidirectional(char) not in {"LRI", "RLI", "FSI", "PDI"}
    assert cleaned.count("\n") == text.count("\n") + text.count("\r") - text.count("\r\n")


@given(st.text(alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Zs"])))
def test_ordinary_text_is_unchanged(text):
    text = text.replace("\ufeff", "").replace("\u061c", "")
    assert clean_text(text) == text
