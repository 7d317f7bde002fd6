"""Badges on texts: a page of a lower app asks, the registered providers answer."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from ascolto.lib.badges import TextBadgeProvider, text_badge_providers

PAGE = Template(
    "{% load badges %}{% text_badges_for items as badges %}"
    '{% for i in items %}<p>{{ i }}{% text_badge badges "note" i %}</p>{% endfor %}'
    '<p>{% text_badge missing "note" 9 %}</p>'
)


@pytest.fixture
def provider():
    calls = []

    def collect(context, items):
        calls.append(list(items))
        return {i: f"<b>{i * 10}</b>" for i in items}

    def render(context, collected, kind, pk):
        if collected is None:  # the page collected nothing: look it up alone
            return f"<i>{kind} {pk}</i>"
        return collected.get(pk, "")

    registered = text_badge_providers.register(
        TextBadgeProvider(name="tests", collect=collect, render=render)
    )
    yield calls
    text_badge_providers.unregister(registered.name)


def test_every_provider_collects_once_and_renders_each_text(provider):
    others = [p for p in text_badge_providers if p.name != "tests"]
    for other in others:
        text_badge_providers.unregister(other.name)
    try:
        html = PAGE.render(Context({"items": [1, 2]}))
    finally:
        for other in others:
            text_badge_providers.register(other)
    assert html == "<p>1<b>10</b></p><p>2<b>20</b></p><p><i>note 9</i></p>"
    assert provider == [[1, 2]]


def test_no_provider_no_badge():
    others = list(text_badge_providers)
    for other in others:
        text_badge_providers.unregister(other.name)
    try:
        assert PAGE.render(Context({"items": [1]})) == "<p>1</p><p></p>"
    finally:
        for other in others:
            text_badge_providers.register(other)


def test_a_name_is_registered_once():
    first = TextBadgeProvider(name="tests-once", collect=dict, render=lambda *a: "")
    text_badge_providers.register(first)
    try:
        assert text_badge_providers.register(first) is first
        with pytest.raises(ValueError):
            text_badge_providers.register(
                TextBadgeProvider(name="tests-once", collect=list, render=lambda *a: "")
            )
    finally:
        text_badge_providers.unregister("tests-once")
