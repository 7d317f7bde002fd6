from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from ascolto.customers.selectors import segment_list
from ascolto.health import measures
from ascolto.health.models import Level
from ascolto.health.selectors import SORTS, AtRiskFilters, at_risk_list
from ascolto.workspaces.models import Role
from ascolto.workspaces.selectors import member_list
from ascolto.workspaces.tenancy import member_required


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@member_required(Role.AGENT)
def at_risk(request: HttpRequest) -> HttpResponse:
    """Customers at risk, worst first, each with what took points away and what to do."""
    level = request.GET.get("level", "")
    sort = request.GET.get("sort", "score")
    filters = AtRiskFilters(
        owner=_int(request.GET.get("owner")),
        segment=_int(request.GET.get("segment")),
        level=level if level in Level.values else "",
        sort=sort if sort in SORTS else "score",
    )
    scores = at_risk_list(workspace=request.workspace, filters=filters)
    page = Paginator(scores, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "score": score,
            "reasons": [
                {
                    "points": c["points"],
                    "text": measures.sentence(c["measure"], c["band"], c["params"]),
                }
                for c in score.contributions
                if c["points"]
            ][:3],
            "flags": [measures.FLAG_LABELS.get(f, f) for f in score.flags],
            "action": measures.next_action(score.contributions),
        }
        for score in page.object_list
    ]
    return render(
        request,
        "health/at_risk.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": urlencode(
                {k: v for k, v in request.GET.items() if k != "page" and len(v) < 50}
            ),
            "levels": [(v, label) for v, label in Level.choices if v != Level.HEALTHY],
            "members": member_list(workspace=request.workspace),
            "segments": segment_list(workspace=request.workspace),
        },
    )
