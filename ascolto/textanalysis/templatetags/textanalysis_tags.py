"""Badges of analysed texts for any list that shows customer texts.

A list loads every analysis it needs in one query before its loop:

    {% load textanalysis_tags %}
    {% text_analyses_for entries as text_analyses %}
    {% for entry in entries %}...{% text_badge text_analyses "interaction" interaction.pk %}

`text_analyses_for` accepts timeline entries, survey responses (their text answers) or a page of
either. Without it, `text_badge` still works with one query per badge.
"""

from __future__ import annotations

from typing import Any

from django import template

from ascolto.textanalysis import explain
from ascolto.textanalysis.models import AspectName, Emotion, Sentiment, SourceKind, TextAnalysis
from ascolto.textanalysis.selectors import text_analysis_map

register = template.Library()

_TIMELINE_KINDS = {
    "interaction": SourceKind.INTERACTION,
    "signal": SourceKind.STAFF_SIGNAL,
    "review": SourceKind.REVIEW,
}


def _workspace_id(context: template.Context) -> int | None:
    workspace = context.get("current_workspace")
    if workspace is None:
        request = context.get("request")
        workspace = getattr(request, "workspace", None)
    return getattr(workspace, "pk", None)


def _response_keys(response: Any) -> list[tuple[str, int]]:
    answers = getattr(response, "answers", None)
    if answers is None:
        return []
    return [(SourceKind.SURVEY_ANSWER, a.pk) for a in answers.all() if a.text]


@register.simple_tag(takes_context=True)
def text_analyses_for(context: template.Context, items: Any) -> dict:
    """The analyses of every text in `items`, keyed by (source kind, source id)."""
    workspace_id = _workspace_id(context)
    if workspace_id is None or items is None:
        return {}
    items = getattr(items, "object_list", items)
    keys: list[tuple[str, int]] = []
    for item in items:
        kind = getattr(item, "kind", None)
        obj = getattr(item, "obj", None)
        if obj is not None and kind in _TIMELINE_KINDS:
            keys.append((_TIMELINE_KINDS[kind], obj.pk))
        elif obj is not None and kind == "response":
            keys += _response_keys(obj)
        elif obj is None and getattr(item, "text_source_kind", None) in SourceKind.values:
            keys.append((item.text_source_kind, item.pk))  # a row that names its kind (reviews)
        elif obj is None:
            keys += _response_keys(item)
    return text_analysis_map(workspace_id=workspace_id, keys=keys)


def badge_context(context: template.Context | dict, analysis: TextAnalysis | None) -> dict:
    member = context.get("current_member") or getattr(context.get("request"), "member", None)
    request = context.get("request")
    corrections = getattr(analysis, "current_corrections", None) if analysis else None
    reasons, details = explain.reasons(analysis.explanation if analysis else None)
    return {
        "analysis": analysis,
        "reasons": reasons,
        "details": details,
        "correction": corrections[0] if corrections else None,
        "can_correct": member is not None and analysis is not None,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request is not None else "",
        "sentiments": Sentiment.choices,
        "emotions": Emotion.choices,
        "aspect_choices": AspectName.choices,
        "request": request,
    }


@register.inclusion_tag("textanalysis/_badge.html", takes_context=True)
def text_badge(context: template.Context, analyses: Any, source_kind: str, source_id: int) -> dict:
    """The badge of one text (nothing when it has no analysis yet)."""
    if isinstance(analyses, dict):
        analysis = analyses.get((source_kind, source_id))
    else:
        workspace_id = _workspace_id(context)
        found = (
            text_analysis_map(workspace_id=workspace_id, keys=[(source_kind, source_id)])
            if workspace_id
            else {}
        )
        analysis = found.get((source_kind, source_id))
    return badge_context(context, analysis)


@register.inclusion_tag("textanalysis/_badge.html", takes_context=True)
def analysis_badge(context: template.Context, analysis: TextAnalysis) -> dict:
    return badge_context(context, analysis)
