"""Promises' line on the timeline: an interaction whose promise could not be measured says so
on its own line, naming the time that is missing ("«Consegna puntuale»: not measurable, the
started at time is missing"). Registered as a provider of `ascolto.lib.badges` at start-up;
the timeline asks for it with the source kind "interaction-checks"."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from ascolto.interactions.models import Interaction
from ascolto.lib.badges import TextBadgeProvider
from ascolto.promises.evaluation import REASONS, missing_moments
from ascolto.promises.models import PromiseCheck

SOURCE_KIND = "interaction-checks"


def _workspace_id(context: template.Context) -> int | None:
    workspace = context.get("current_workspace") or getattr(
        context.get("request"), "workspace", None
    )
    return getattr(workspace, "pk", None)


def _interaction_ids(items: Any) -> list[int]:
    items = getattr(items, "object_list", items) or []
    return [
        item.obj.pk
        for item in items
        if getattr(item, "kind", None) == "interaction" and getattr(item, "obj", None) is not None
    ]


def unmeasured_checks_for(context: template.Context, items: Any) -> dict[int, list[str]]:
    """For each interaction among `items` (timeline entries), the sentences saying which of its
    promises could not be measured and why, in one query."""
    workspace_id = _workspace_id(context)
    ids = _interaction_ids(items)
    if workspace_id is None or not ids:
        return {}
    return _sentences_by_interaction(workspace_id, ids)


def _sentences_by_interaction(workspace_id: int, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    checks = (
        PromiseCheck.objects.filter(
            workspace_id=workspace_id,
            interaction_id__in=ids,
            outcome=PromiseCheck.Outcome.NOT_MEASURABLE,
        )
        .exclude(reason="waiting_staff")
        .select_related("promise", "interaction")
        .order_by("promise__name_it", "pk")
    )
    for check in checks:
        found.setdefault(check.interaction_id, []).append(_sentence(check))
    return found


def _sentence(check: PromiseCheck) -> str:
    promise = check.promise
    if check.reason == "missing_time":
        missing = [
            str(Interaction._meta.get_field(name).verbose_name)
            for name in missing_moments(promise, check.interaction)
        ]
        if missing:
            return _("«%(promise)s»: not measurable, the time «%(times)s» is missing.") % {
                "promise": promise.label,
                "times": ", ".join(missing),
            }
    reason = REASONS.get(check.reason)
    return _("«%(promise)s»: not measurable. %(reason)s") % {
        "promise": promise.label,
        "reason": str(reason) if reason else "",
    }


def _render(context: template.Context, collected: Any, source_kind: str, source_id: int) -> str:
    if source_kind != SOURCE_KIND:
        return ""
    if collected is None:
        workspace_id = _workspace_id(context)
        if workspace_id is None:
            return ""
        collected = _sentences_by_interaction(workspace_id, [source_id])
    sentences = collected.get(source_id) if isinstance(collected, dict) else None
    if not sentences:
        return ""
    return format_html(
        '<ul class="timeline-checks small">{}</ul>',
        format_html_join("", '<li class="check-not-measurable">{}</li>', ((s,) for s in sentences)),
    )


PROVIDER = TextBadgeProvider(name="promises", collect=unmeasured_checks_for, render=_render)
