"""The help pages: every topic in both languages, and every link to one names a real topic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from ascolto.core.help import TOPICS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("topic", list(TOPICS))
@pytest.mark.parametrize(("language", "word"), [("it", "Aiuto"), ("en", "Help")])
def test_every_topic_reads_in_both_languages(db, topic, language, word):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.get(f"/help/{topic}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f'<html lang="{language}">' in text
    assert f"{word} · Ascolto" in text or word in text
    body = (ROOT / "core" / "templates" / "help" / language / f"{topic}.html").read_text()
    assert body.strip()[:40] in text


def test_the_index_lists_every_topic(db):
    text = Client().get("/help/").content.decode()
    for topic in TOPICS:
        assert f'href="/help/{topic}/"' in text


def test_an_unknown_topic_is_404(db):
    assert Client().get("/help/nope/").status_code == 404
    assert Client().get("/help/..%2Fbase/").status_code == 404


def test_every_help_link_in_the_templates_names_a_topic():
    linked = set()
    for path in ROOT.rglob("*.html"):
        linked |= set(re.findall(r"url 'core:help' '([a-z-]+)'", path.read_text()))
    assert linked, "no page links to help"
    assert linked <= set(TOPICS), linked - set(TOPICS)
