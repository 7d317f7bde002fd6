"""The promise catalogue: the list (everyone reads it), the form (managers and owners), and
each promise's recent checks, where staff record or correct an outcome."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.promises import selectors, services
from ascolto.promises.formatting import measured_text, target_text
from ascolto.promises.forms import CheckFilterForm, CheckSetForm, PromiseForm
from ascolto.promises.models import Promise, PromiseCheck
from ascolto.promises.panels import crisis_panel_context
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required

SHARE_DAYS = 90


@member_required(Role.AGENT)
def promise_list(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(days=SHARE_DAYS)
    promises = list(selectors.promise_list_with_share(workspace=request.workspace, since=since))
    language = (get_language() or "it")[:2]
    for promise in promises:
        promise.target = target_text(promise)
        promise.question_text = promise.question.text(language) if promise.question else ""
        promise.kept_share = (
            round(100 * promise.kept_count / promise.measured_count)
            if promise.measured_count
            else None
        )
    return render(
        request,
        "promises/promise_list.html",
        {
            "promises": promises,
            "share_days": SHARE_DAYS,
            "can_manage": request.member.has_role(Role.MANAGER),
        },
    )


def _form_page(request: HttpRequest, form: PromiseForm, promise: Promise | None) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    return render(
        request, "promises/promise_form.html", {"form": form, "promise": promise}, status=status
    )


@member_required(Role.MANAGER)
def promise_create(request: HttpRequest) -> HttpResponse:
    form = PromiseForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.promise_create(
                workspace=request.workspace, by=request.member, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Promise added. Past interactions of its touchpoint are being checked."),
            )
            return redirect("promises:promise-list")
    return _form_page(request, form, None)


@member_required(Role.MANAGER)
def promise_update(request: HttpRequest, pk: int) -> HttpResponse:
    promise = get_for_workspace(request, Promise, pk)
    form = PromiseForm(request.POST or None, workspace=request.workspace, promise=promise)
    if request.method == "POST" and form.is_valid():
        try:
            services.promise_update(promise=promise, by=request.member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            promise.refresh_from_db()
        else:
            messages.success(
                request, _("Promise saved. Past interactions of its touchpoint are rechecked.")
            )
            return redirect("promises:promise-list")
    return _form_page(request, form, promise)


@require_POST
@member_required(Role.MANAGER)
def promise_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a promise (it is no longer checked; its history stays) or activate it again."""
    promise = get_for_workspace(request, Promise, pk)
    active = request.POST.get("active") == "1"
    services.promise_update(promise=promise, by=request.member, active=active)
    if active:
        messages.success(request, _("Promise active again: its interactions are rechecked."))
    else:
        messages.success(request, _("Promise deactivated: it is no longer checked."))
    return redirect("promises:promise-list")


@member_required(Role.AGENT)
def promise_checks(request: HttpRequest, pk: int) -> HttpResponse:
    promise = get_for_workspace(request, Promise, pk)
    filters = CheckFilterForm(request.GET or None)
    outcome = filters.cleaned_data["outcome"] if filters.is_valid() else ""
    checks = selectors.promise_check_list(
        workspace=request.workspace, promise=promise, outcome=outcome
    )
    page = Paginator(checks, 50).get_page(request.GET.get("page"))
    for check in page:
        check.promise = promise
        check.measured_words = measured_text(promise, check.measured)
    return render(
        request,
        "promises/promise_checks.html",
        {
            "promise": promise,
            "target": target_text(promise),
            "page": page,
            "filters": filters,
            "outcome": outcome,
            "outcomes": PromiseCheck.Outcome.choices,
            "can_override": request.member.has_role(Role.MANAGER),
        },
    )


def _safe_next(request: HttpRequest) -> str | None:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@require_POST
@member_required(Role.AGENT)
def check_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or correct the outcome of one check, by one click. htmx gets the updated row
    (or the customer's crisis panel); without JavaScript the page is reloaded. Any member
    records a check nothing measured; overriding a kept or broken one is for managers and
    owners (the service answers 403)."""
    check = get_for_workspace(
        request,
        PromiseCheck.objects.select_related(
            "promise", "customer", "interaction__touchpoint", "set_by__user"
        ),
        pk,
    )
    form = CheckSetForm(request.POST)
    if not form.is_valid():
        reason = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(reason, status=400, content_type="text/plain; charset=utf-8")
    check = services.promise_check_set(
        check=check,
        by=request.member,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
    )
    if request.htmx:
        if request.POST.get("panel"):
            return render(
                request,
                "promises/_crisis_panel.html",
                crisis_panel_context(request, check.customer),
            )
        check = (
            PromiseCheck.objects.select_related(
                "promise", "customer", "interaction__touchpoint", "set_by__user", "crisis"
            )
            .filter(workspace=request.workspace)
            .get(pk=check.pk)
        )
        check.measured_words = measured_text(check.promise, check.measured)
        return render(
            request,
            "promises/_check_row.html",
            {
                "check": check,
                "next_url": _safe_next(request) or "",
                "can_override": request.member.has_role(Role.MANAGER),
            },
        )
    messages.success(request, _("Check recorded."))
    next_url = _safe_next(request)
    if next_url:
        return redirect(next_url)
    return redirect("promises:promise-checks", pk=check.promise_id)
