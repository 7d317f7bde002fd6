"""Free text as it is stored: without the characters that only ever hide or forge something.

`clean_text()` is applied where text enters Ascolto (public survey answers, forms, imports). It
removes C0/C1 control characters (NUL, escape sequences, the bell...) and the Unicode format
characters that reorder or hide text: bidi overrides and isolates (U+202A–U+202E,
U+2066–U+2069, which make `gpj.exe` look like `exe.jpg`), zero-width characters and the
byte-order mark. Letters, accents, emoji and joiners inside them are kept, and so are line
breaks in multi-line text (`\\r\\n` and `\\r` become `\\n`) and tabs.
"""

from __future__ import annotations

import re

_BIDI_AND_INVISIBLE = "\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_AND_INVISIBLE}]")
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_BIDI_AND_INVISIBLE}]")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """`value` without control characters and bidi overrides. Multi-line text keeps its line
    breaks (normalised to `\\n`) and tabs; one-line text (`multiline=False`) turns line breaks
    into spaces."""
    if not value:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        return _UNSAFE.sub("", value)
    return _UNSAFE_ONE_LINE.sub("", value.replace("\n", " "))
