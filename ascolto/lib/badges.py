"""Badges a higher app puts on the texts a lower app's page shows, without the lower app
knowing it: the timeline (interactions) and the response list (feedback) show text analysis'
badges (sentiment, emotion, aspects) beside each text.

A page loads what every badge needs before its loop, then asks for each text's badges:

    {% load badges %}
    {% text_badges_for entries as text_badges %}
    {% for entry in entries %} ... {% text_badge text_badges "interaction" interaction.pk %}

`text_badges_for` accepts timeline entries, survey responses or a page of either. Without it,
`text_badge` still works (each provider then looks its badge up alone). A higher app provides
badges by registering a `TextBadgeProvider` in its `AppConfig.ready()`:

    from ascolto.lib.badges import TextBadgeProvider, text_badge_providers

    text_badge_providers.register(TextBadgeProvider(name="textanalysis", collect=..., render=...))

With no provider registered both tags render nothing. Registered in settings' TEMPLATES
`libraries` (lib is not an app). See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@dataclass(frozen=True)
class TextBadgeProvider:
    """`collect(context, items)` loads the badges of every text in `items` at once and returns
    what `render` needs; `render(context, collected, source_kind, source_id)` returns the HTML of
    one text's badge ("" for none; `collected` is None when the page collected nothing)."""

    name: str
    collect: Callable[[template.Context, Any], Any]
    render: Callable[[template.Context, Any, str, int], str]


class TextBadgeProviders:
    def __init__(self) -> None:
        self._providers: dict[str, TextBadgeProvider] = {}

    def register(self, provider: TextBadgeProvider) -> TextBadgeProvider:
        existing = self._providers.get(provider.name)
        if existing is not None and existing != provider:
            raise ValueError(f"text badge provider {provider.name!r} is registered already")
        self._providers[provider.name] = provider
        return provider

    def unregister(self, name: str) -> None:
        del self._providers[name]

    def __iter__(self) -> Iterator[TextBadgeProvider]:
        return iter(list(self._providers.values()))


text_badge_providers = TextBadgeProviders()


@register.simple_tag(takes_context=True)
def text_badges_for(context: template.Context, items: Any) -> dict[str, Any]:
    """What every provider needs for the badges of the texts in `items`, by provider name."""
    return {p.name: p.collect(context, items) for p in text_badge_providers}


@register.simple_tag(takes_context=True)
def text_badge(
    context: template.Context, collected: Any, source_kind: str, source_id: int
) -> SafeString:
    """The badges of one text, from every provider."""
    found = collected if isinstance(collected, dict) else {}
    return mark_safe(  # noqa: S308 (each provider renders an escaping template)
        "".join(
            p.render(context, found.get(p.name), source_kind, source_id)
            for p in text_badge_providers
        )
    )
