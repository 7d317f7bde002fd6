"""Email subjects are plain text: "Rossi & Figli" stays that, never "Rossi &amp; Figli".

Every `*_subject.txt` template of every app is rendered with each variable it names standing
for text full of HTML's special characters, so a new email's subject is checked without
touching this file.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

import ascolto

HOSTILE = 'Rossi & Figli <srl> "l\'unico"'


class Anything(str):
    """A value whose every attribute, item and call is itself; shown as HOSTILE."""

    def __new__(cls):
        return super().__new__(cls, HOSTILE)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything()

    def __getitem__(self, key):
        return Anything()


ROOT = Path(ascolto.__file__).parent
SUBJECTS = sorted(ROOT.rglob("*_subject.txt"))


def _template_name(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return "/".join(parts[parts.index("templates") + 1 :])


def _context(source: str) -> dict:
    names = set(re.findall(r"{{\s*(\w+)", source))
    names |= set(re.findall(r"\bwith\s+(?:\w+=)?(\w+)", source))
    names |= set(re.findall(r"\w+=(\w+)[.\s|%]", source))
    names |= set(re.findall(r"{%\s*if\s+(\w+)", source))
    context = {name: Anything() for name in names}
    # Date filters need a date.
    for name in re.findall(r"(\w+)\|(?:date|month_in_sentence)", source):
        context[name] = date(2025, 5, 1)
    return context


def test_every_email_has_a_subject_template_checked_here():
    assert len(SUBJECTS) >= 5


@pytest.mark.parametrize("path", SUBJECTS, ids=lambda p: p.name)
@pytest.mark.parametrize("language", ["it", "en"])
def test_subject_is_plain_text(path, language):
    source = path.read_text()
    with translation.override(language):
        subject = render_to_string(_template_name(path), _context(source))
    assert "&amp;" not in subject and "&lt;" not in subject and "&#x27;" not in subject
    if "{{" in source or "with " in source:
        assert "Rossi & Figli <srl>" in subject
