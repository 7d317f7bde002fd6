from __future__ import annotations

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ascolto.customers.models import Customer
from ascolto.lib.forms import form_add_refusal
from ascolto.lib.periods import workspace_today, workspace_zone
from ascolto.privacy import record, retention, selectors, services
from ascolto.privacy.forms import DataRequestForm, EraseForm, PersonSearchForm
from ascolto.privacy.models import DataRequest
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


@member_required(Role.OWNER)
def privacy_home(request: HttpRequest) -> HttpResponse:
    """Find a person by email or phone among the workspace's customers."""
    form = PersonSearchForm(request.GET or None)
    found = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            found = services.person_find(
                workspace=request.workspace,
                by=request.member,
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
            )
        else:
            status = 400
    return _home(request, form=form, found=found, status=status)


def _home(
    request: HttpRequest,
    *,
    form: PersonSearchForm | None = None,
    found: list | None = None,
    request_form: DataRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    months = retention.retention_months()
    return render(
        request,
        "privacy/privacy_home.html",
        {
            "form": form or PersonSearchForm(),
            "found": found,
            "requests": selectors.data_request_list(workspace=request.workspace),
            "request_form": request_form
            or DataRequestForm(initial={"received_on": workspace_today(request.workspace)}),
            "retention": [(kind, months[kind.name]) for kind in retention.KINDS],
        },
        status=status,
    )


@require_POST
@member_required(Role.OWNER)
def data_request_create(request: HttpRequest) -> HttpResponse:
    """Log a request received outside Ascolto, due in one month."""
    form = DataRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        received_at = datetime.combine(
            data["received_on"], time(12), tzinfo=workspace_zone(request.workspace)
        )
        try:
            services.data_request_log(
                workspace=request.workspace,
                by=request.member,
                kind=data["kind"],
                received_at=received_at,
                channel=data["channel"],
                email=data["email"],
                phone=data["phone"],
            )
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            return redirect("privacy:privacy-home")
    return _home(request, request_form=form, status=400)


@require_POST
@member_required(Role.OWNER)
def data_request_done(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = get_for_workspace(request, DataRequest, pk)
    services.data_request_close(data_request=data_request, by=request.member)
    return redirect("privacy:privacy-home")


@member_required(Role.OWNER)
def processing_record(request: HttpRequest) -> HttpResponse:
    """The record of processing activities (Art. 30), generated from the configuration."""
    sections = record.processing_record(workspace=request.workspace)
    if request.GET.get("format") == "text":
        text = record.processing_record_text(workspace=request.workspace)
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="processing-record.md"'
        return response
    return render(request, "privacy/processing_record.html", {"sections": sections})


def _person_context(request: HttpRequest, customer: Customer) -> dict:
    data = services.person_data(workspace=request.workspace, customer=customer)
    mentions = services.person_mentions(workspace=request.workspace, customer=customer)
    return {
        "customer": customer,
        "tables": [(section, len(rows)) for section, rows in data.items()],
        "mentions": mentions,
    }


def _erase_form(request: HttpRequest, mentions: list, data=None) -> EraseForm:
    return EraseForm(data, mention_keys=[(m.key, m.key) for m in mentions])


@member_required(Role.OWNER)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What is stored about one customer, the download and the erasure."""
    customer = get_for_workspace(request, Customer, pk)
    context = _person_context(request, customer)
    context["erase_form"] = _erase_form(request, context["mentions"])
    return render(request, "privacy/person_detail.html", context)


@require_POST
@member_required(Role.OWNER)
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, pk)
    bundle = services.person_export(
        workspace=request.workspace, by=request.member, customer=customer
    )
    response = HttpResponse(bundle, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.zip"'
    return response


@require_POST
@member_required(Role.OWNER)
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, pk)
    context = _person_context(request, customer)
    form = _erase_form(request, context["mentions"], request.POST)
    if not form.is_valid():
        context["erase_form"] = form
        return render(request, "privacy/person_detail.html", context, status=400)
    result = services.person_erase(
        workspace=request.workspace,
        by=request.member,
        customer=customer,
        redact=form.cleaned_data["redact"],
    )
    return render(request, "privacy/person_erased.html", {"customer": customer, "result": result})
