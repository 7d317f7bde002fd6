"""The broken-promise crisis panel of the customer page: every member ticks the checklist;
managers and owners mark the crisis handled.

With htmx the panel is swapped in place; without JavaScript each form posts and the customer
page is shown again at the crisis."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.promises import services
from ascolto.promises.forms import CrisisCloseForm, CrisisStepForm
from ascolto.promises.models import Crisis
from ascolto.promises.panels import crisis_panel_context
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


def _bad_request(form) -> HttpResponse:
    reason = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return HttpResponse(reason, status=400, content_type="text/plain; charset=utf-8")


def _respond(request: HttpRequest, crisis: Crisis, message: str) -> HttpResponse:
    if request.htmx:
        return render(
            request, "promises/_crisis_panel.html", crisis_panel_context(request, crisis.customer)
        )
    messages.success(request, message)
    url = reverse("customers:customer-detail", args=[crisis.customer_id])
    return redirect(f"{url}#crisis-{crisis.pk}" if crisis.is_open else url)


def _open_crisis(request: HttpRequest, pk: int) -> Crisis:
    return get_for_workspace(request, Crisis.objects.select_related("customer"), pk)


@require_POST
@member_required(Role.AGENT)
def crisis_step(request: HttpRequest, pk: int) -> HttpResponse:
    crisis = _open_crisis(request, pk)
    form = CrisisStepForm(request.POST)
    if not form.is_valid():
        return _bad_request(form)
    if not crisis.is_open:
        return HttpResponse(
            _("This crisis is already handled."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    step = form.cleaned_data["step"]
    if form.cleaned_data["done"]:
        services.crisis_step_tick(crisis=crisis, step=step, by=request.member)
    else:
        services.crisis_step_untick(crisis=crisis, step=step, by=request.member)
    return _respond(request, crisis, _("Checklist updated."))


@require_POST
@member_required(Role.MANAGER)
def crisis_close(request: HttpRequest, pk: int) -> HttpResponse:
    crisis = _open_crisis(request, pk)
    form = CrisisCloseForm(request.POST)
    if not form.is_valid():
        return _bad_request(form)
    services.crisis_close(crisis=crisis, by=request.member, note=form.cleaned_data["note"])
    return _respond(request, crisis, _("Crisis handled."))
