from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from ascolto.customers.models import Customer
from ascolto.privacy import services
from ascolto.privacy.forms import EraseForm, PersonSearchForm
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
    return render(
        request, "privacy/privacy_home.html", {"form": form, "found": found}, status=status
    )


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
