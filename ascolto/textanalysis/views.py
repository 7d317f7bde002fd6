"""Member pages for analysed texts: "What customers say" and one-click corrections."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

from ascolto.lib.periods import workspace_zone
from ascolto.textanalysis import selectors, services, workspace_model
from ascolto.textanalysis.forms import CommentFilterForm, CorrectionForm
from ascolto.textanalysis.models import TextAnalysis
from ascolto.textanalysis.templatetags.textanalysis_tags import badge_context
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import member_required

PAGE_SIZE = 25


def _filters(form: CommentFilterForm) -> selectors.CommentFilters:
    data = form.cleaned_data
    dates = form.dates
    start, end = dates.bounds(workspace_zone(form.workspace)) if dates else (None, None)
    return selectors.CommentFilters(
        emotion=data["emotion"],
        sentiment=data["sentiment"],
        aspect=data["aspect"],
        period=data["period"],
        segment=data["segment"].pk if data["segment"] else None,
        source_kind=data["source_kind"],
        customer=data["customer"].pk if data["customer"] else None,
        start=start,
        end=end,
        touchpoint=data["touchpoint"].pk if data["touchpoint"] else None,
    )


@member_required(Role.AGENT)
def comment_list(request: HttpRequest) -> HttpResponse:
    """Analysed texts filtered by the query string. Invalid filters (a bad date, another
    workspace's customer) give 400 with the form's messages and list nothing."""
    form = CommentFilterForm(request.GET or None, workspace=request.workspace)
    invalid = form.is_bound and not form.is_valid()
    if invalid:
        analyses = TextAnalysis.objects.none()
    else:
        filters = _filters(form) if form.is_bound else selectors.CommentFilters()
        analyses = selectors.text_analysis_list(workspace=request.workspace, filters=filters)
    page = Paginator(analyses, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.text_analyses_with_texts(workspace=request.workspace, analyses=page)
    query = request.GET.copy()
    query.pop("page", None)
    chosen = form.cleaned_data if form.is_bound and not invalid else {}
    without = {}
    for key in ("customer", "touchpoint"):
        rest = query.copy()
        rest.pop(key, None)
        without[key] = rest.urlencode()
    return render(
        request,
        "textanalysis/comment_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "chosen_customer": chosen.get("customer"),
            "chosen_touchpoint": chosen.get("touchpoint"),
            "without": without,
            "model": selectors.text_model_status(workspace=request.workspace),
            "corrections": services.text_corrections_count(workspace_id=request.workspace.pk),
            "min_corrections": workspace_model.MIN_CORRECTIONS,
        },
        status=400 if invalid else 200,
    )


def _analysis(request: HttpRequest, pk: int) -> TextAnalysis:
    try:
        return selectors.text_analysis_get(workspace=request.workspace, pk=pk)
    except TextAnalysis.DoesNotExist:
        raise Http404 from None


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@member_required(Role.AGENT)
def analysis_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an analysed text's labels. htmx gets the new badge; without JavaScript the form
    posts and the browser goes back to the list it came from. Bad input: 400 with the reason."""
    analysis = _analysis(request, pk)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.text_correction_record(
                    analysis=analysis, by=request.member, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                if request.htmx:
                    fresh = selectors.text_analysis_get(workspace=request.workspace, pk=pk)
                    context = badge_context(
                        {"request": request, "csrf_token": get_token(request)}, fresh
                    )
                    return HttpResponse(
                        render_to_string("textanalysis/_badge.html", context, request=request)
                    )
                return redirect(_safe_next(request) or "textanalysis:comment-list")
        template = "textanalysis/_correct_errors.html" if request.htmx else None
        return render(
            request,
            template or "textanalysis/analysis_correct.html",
            {"analysis": analysis, "form": form},
            status=400,
        )
    return render(
        request, "textanalysis/analysis_correct.html", {"analysis": analysis, "form": form}
    )
