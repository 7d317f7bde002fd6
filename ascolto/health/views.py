from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ascolto.customers.selectors import segment_list
from ascolto.health import measures, services
from ascolto.health.backtest import MIN_LOST_FOR_CARD, health_backtest
from ascolto.health.forms import HealthSettingsForm
from ascolto.health.measures import MEASURE_LABELS
from ascolto.health.models import Level
from ascolto.health.selectors import SORTS, AtRiskFilters, at_risk_list, health_config
from ascolto.lib.periods import workspace_today
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
            "can_manage": request.member.has_role(Role.MANAGER),
        },
    )


@member_required(Role.MANAGER)
def health_settings(request: HttpRequest) -> HttpResponse:
    """The weights and bands of the score (managers)."""
    config = health_config(workspace=request.workspace)
    form = HealthSettingsForm(request.POST or None, weights=config.weights, bands=config.bands)
    if request.method == "POST" and form.is_valid():
        try:
            services.health_settings_update(
                workspace=request.workspace,
                by=request.member,
                weights=form.weights(),
                bands=form.bands(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved. Tonight's scores use the new weights and bands."))
            return redirect("health:settings")
    return render(request, "health/settings.html", {"form": form, "config": config})


@member_required(Role.AGENT)
def health_backtest_page(request: HttpRequest) -> HttpResponse:
    """How well the score would have warned, in words, and the learned card when there is one."""
    workspace = request.workspace
    horizon = 90
    cutoff = workspace_today(workspace) - timedelta(days=horizon)
    result = health_backtest(workspace=workspace, cutoff=cutoff, horizon=horizon)
    config = health_config(workspace=workspace)
    card = config.card if config.card.get("points") else None
    if request.method == "POST":
        if not request.member.has_role(Role.MANAGER):
            raise PermissionDenied
        try:
            services.health_card_adopt(
                workspace=workspace, by=request.member, adopt=request.POST.get("adopt") == "1"
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved. Tonight's scores use your choice."))
        return redirect("health:backtest")
    return render(
        request,
        "health/backtest.html",
        {
            "result": result,
            "card": card,
            "card_rows": sorted(
                (
                    (str(MEASURE_LABELS.get(group, group)), band, points)
                    for group, bands in (card or {}).get("points", {}).items()
                    for band, points in bands.items()
                    if points
                ),
                key=lambda item: -item[2],
            ),
            "can_manage": request.member.has_role(Role.MANAGER),
            "min_lost": MIN_LOST_FOR_CARD,
        },
    )
