"""Text analysis' badges on the texts other apps show (the timeline, the response list): the
provider registered in `ascolto.lib.badges` at start-up."""

from __future__ import annotations

from typing import Any

from django import template

from ascolto.lib.badges import TextBadgeProvider
from ascolto.textanalysis.templatetags.textanalysis_tags import text_analyses_for, text_badge


def _render(context: template.Context, collected: Any, source_kind: str, source_id: int) -> str:
    """`textanalysis/_badge.html` for one text, as the `text_badge` inclusion tag renders it."""
    badge = context.template.engine.get_template("textanalysis/_badge.html")
    new_context = context.new(text_badge(context, collected, source_kind, source_id))
    csrf_token = context.get("csrf_token")
    if csrf_token is not None:
        new_context["csrf_token"] = csrf_token
    return badge.render(new_context)


PROVIDER = TextBadgeProvider(name="textanalysis", collect=text_analyses_for, render=_render)
