"""Public voice pages: what is said about us, the reviews, one review (its customer, its reply),
the sources and their imports, and the inbound endpoint for other tools."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt

from ascolto.customers.models import Customer
from ascolto.lib.periods import default_period
from ascolto.voice import selectors, services
from ascolto.voice.charts import rating_trend_svg
from ascolto.voice.drafts import PLACEHOLDERS, reply_draft
from ascolto.voice.forms import (
    ImportForm,
    MatchForm,
    ReplyForm,
    ReplyTemplateForm,
    ReviewFilterForm,
    SourceForm,
)
from ascolto.voice.inbound import InboundError, inbound_items
from ascolto.voice.models import ReplyTemplate, Review, Source
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required

logger = logging.getLogger("ascolto.voice")


@member_required(Role.AGENT)
def overview(request: HttpRequest) -> HttpResponse:
    """What is said about us: rating trend, aspects, replies waiting, public vs private."""
    workspace = request.workspace
    period = default_period(workspace)
    buckets, trends = selectors.rating_trend(workspace=workspace, period=period)
    chart = rating_trend_svg(
        buckets, trends, label=_("Public rating per platform and month, with its margin")
    )
    return render(
        request,
        "voice/overview.html",
        {
            "period": period,
            "trends": trends,
            "chart": chart if trends else None,
            "aspects": selectors.aspects_said(workspace=workspace, period=period),
            "clocks": selectors.waiting_clocks(workspace=workspace, now=timezone.now()),
            "compare": selectors.public_vs_private(workspace=workspace, period=period),
            "now": timezone.now(),
        },
    )


@member_required(Role.AGENT)
def review_list(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None)
    filters = selectors.ReviewFilters()
    if form.is_valid():
        filters = selectors.ReviewFilters(
            platform=form.cleaned_data["platform"],
            waiting=form.cleaned_data["waiting"],
            to_confirm=form.cleaned_data["to_confirm"],
        )
    page = Paginator(selectors.review_list(workspace=request.workspace, filters=filters), 25)
    page_obj = page.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "voice/review_list.html",
        {
            "form": form,
            "page": page_obj,
            "reviews": page_obj.object_list,
            "query": query.urlencode(),
        },
    )


def _review(request: HttpRequest, pk: int) -> Review:
    return get_for_workspace(
        request,
        Review.objects.select_related(
            "customer", "suggested_customer", "replied_by__user", "source", "workspace"
        ),
        pk,
    )


@member_required(Role.AGENT)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    draft = reply_draft(review, workspace=request.workspace)
    return render(
        request,
        "voice/review_detail.html",
        {
            "review": review,
            "reply_form": ReplyForm(initial={"text": draft}),
            "match_form": MatchForm(initial={"action": "choose"}),
            "can_manage": request.member.has_role(Role.MANAGER),
            "now": timezone.now(),
        },
    )


@member_required(Role.AGENT)
def review_reply(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    review = _review(request, pk)
    if request.POST.get("undo"):
        if not request.member.has_role(Role.MANAGER):
            return render(request, "403.html", status=403)
        services.review_reply_undo(review=review, by=request.member)
        messages.success(request, _("The reply is undone: the clock runs again."))
        return redirect("voice:review-detail", pk=review.pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.review_reply_record(
                review=review, by=request.member, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Marked as replied."))
            return redirect("voice:review-detail", pk=review.pk)
    return render(
        request,
        "voice/review_detail.html",
        {
            "review": review,
            "reply_form": form,
            "match_form": MatchForm(initial={"action": "choose"}),
            "can_manage": request.member.has_role(Role.MANAGER),
            "now": timezone.now(),
        },
        status=400,
    )


@member_required(Role.AGENT)
def review_match(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    review = _review(request, pk)
    form = MatchForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            if action == "reject":
                services.review_match_reject(review=review, by=request.member)
                messages.success(request, _("Suggestion dropped."))
                return redirect("voice:review-detail", pk=review.pk)
            customer = None
            if action == "choose":
                customer = Customer.objects.filter(
                    workspace=request.workspace, email__iexact=form.cleaned_data["email"]
                ).first()
                if customer is None:
                    raise ValidationError(
                        {"email": _("No customer of this workspace has this email.")}
                    )
            review = services.review_match_confirm(
                review=review, by=request.member, customer=customer
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The review is on %(customer)s's timeline.")
                % {"customer": review.customer.name if review.customer else ""},
            )
            return redirect("voice:review-detail", pk=review.pk)
    return render(
        request,
        "voice/review_detail.html",
        {
            "review": review,
            "reply_form": ReplyForm(),
            "match_form": form,
            "can_manage": request.member.has_role(Role.MANAGER),
            "now": timezone.now(),
        },
        status=400,
    )


@member_required(Role.AGENT)
def reply_template_list(request: HttpRequest) -> HttpResponse:
    """The workspace's reply drafts, one per emotion and language: managers edit them, the
    others read them."""
    return _reply_templates_page(request)


def _reply_templates_page(
    request: HttpRequest, bound: ReplyTemplateForm | None = None, status: int = 200
) -> HttpResponse:
    can_manage = request.member.has_role(Role.MANAGER)
    rows = []
    for template in selectors.reply_template_list(workspace=request.workspace):
        if bound is not None and bound.template.pk == template.pk:
            form = bound
        else:
            form = ReplyTemplateForm(template=template, initial={"text": template.text})
        rows.append({"template": template, "form": form})
    return render(
        request,
        "voice/reply_templates.html",
        {"rows": rows, "can_manage": can_manage, "placeholders": PLACEHOLDERS},
        status=status,
    )


@member_required(Role.MANAGER)
def reply_template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    template = get_for_workspace(request, ReplyTemplate, pk)
    form = ReplyTemplateForm(request.POST, template=template)
    if form.is_valid():
        try:
            services.reply_template_update(
                template=template,
                by=request.member,
                text=form.cleaned_data["text"],
                restore=bool(request.POST.get("restore")),
            )
        except ValidationError as error:
            form.add_error(None, error)  # {"text": ...} goes to the text box
        else:
            messages.success(
                request,
                _("Template saved: the drafts of %(kind)s in %(language)s use it now.")
                % {
                    "kind": template.get_kind_display(),
                    "language": template.get_language_display(),
                },
            )
            return redirect(f"{reverse('voice:reply-template-list')}#template-{template.pk}")
    return _reply_templates_page(request, bound=form, status=400)


@member_required(Role.AGENT)
def source_list(request: HttpRequest) -> HttpResponse:
    can_manage = request.member.has_role(Role.MANAGER)
    form = SourceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_manage:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                services.source_create(
                    workspace=request.workspace, by=request.member, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, _("Source added."))
                return redirect("voice:source-list")
        else:
            status = 400
    return render(
        request,
        "voice/source_list.html",
        {
            "sources": selectors.source_list(workspace=request.workspace),
            "form": form,
            "import_form": ImportForm(),
            "can_manage": can_manage,
            "can_own": request.member.has_role(Role.OWNER),
        },
        status=status,
    )


@member_required(Role.MANAGER)
def source_import(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    source = get_for_workspace(request, Source, pk, kind=Source.Kind.FILE)
    form = ImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.review_file_import(
                workspace=request.workspace,
                by=request.member,
                data=upload.read(),
                filename=upload.name or "",
                format_code=form.cleaned_data["format"],
                source=source,
            )
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "voice/import_result.html",
        {"source": source, "form": form, "result": result},
        status=200 if result is not None else 400,
    )


@member_required(Role.MANAGER)
def source_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    source = get_for_workspace(request, Source, pk)
    services.source_delete(source=source, by=request.member)
    messages.success(request, _("Source removed; its reviews stay."))
    return redirect("voice:source-list")


@member_required(Role.MANAGER)
def source_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    source = get_for_workspace(request, Source, pk, kind=Source.Kind.INBOUND)
    services.source_token_revoke(source=source, by=request.member)
    messages.success(request, _("The old token no longer works: the tool must use an API token."))
    return redirect("voice:source-list")


def _deprecated(response: HttpResponse) -> HttpResponse:
    """The older endpoint says it is retiring and where its successor is (RFC 8594, 9745)."""
    response["Deprecation"] = "true"
    response["Link"] = '</api/v1/reviews>; rel="successor-version"'
    return response


@csrf_exempt
def inbound(request: HttpRequest) -> HttpResponse:
    """The older way in for another tool, kept for the source tokens given out before the REST
    API (`POST /api/v1/reviews` with an API token replaces it; no new source tokens are made):
    `POST` JSON `{"reviews": [...]}` with the source's token as `Authorization: Bearer <token>`. Answers what was created, what was there already, and the
    errors by position; never a 500 for bad input."""
    return _deprecated(_inbound(request))


def _inbound(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return JsonResponse({"detail": _("Send reviews with POST.")}, status=405)
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    source = services.source_for_token(token)
    if source is None:
        return JsonResponse({"detail": _("A valid source token is needed.")}, status=401)
    try:
        items, errors = inbound_items(request.body, source=source)
    except InboundError as error:
        return JsonResponse({"detail": str(error)}, status=error.status)
    result = services.reviews_ingest(workspace=source.workspace, items=items, source=source)
    errors = sorted(errors + result.errors)
    return JsonResponse(
        {
            "created": len(result.created),
            "duplicates": result.duplicates,
            "errors": [{"index": index, "detail": detail} for index, detail in errors],
            "detail": ngettext(
                "%(count)s review stored.", "%(count)s reviews stored.", len(result.created)
            )
            % {"count": len(result.created)},
        },
        status=200,
    )
