"""Pages of the fit check: a customer's needs, taking a prospect on, and the customers taken
despite a misfit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ascolto.customers.models import Customer
from ascolto.promises import services
from ascolto.promises.fit import fit_check_for_customer, fit_override_report, fit_override_summary
from ascolto.promises.forms_fit import ConvertForm, ExpectationForm
from ascolto.promises.models import Expectation
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


def _needs_url(customer_pk: int) -> str:
    return reverse("customers:customer-detail", args=[customer_pk]) + "#needs"


@member_required(Role.AGENT)
def expectation_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Record a need. The customer page carries the same form in its fit panel; errors come
    back here, on a page of their own."""
    customer = get_for_workspace(request, Customer, customer_pk)
    form = ExpectationForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.expectation_create(customer=customer, by=request.member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Need recorded."))
            return redirect(_needs_url(customer.pk))
    return render(request, "promises/expectation_form.html", {"form": form, "customer": customer})


@member_required(Role.MANAGER)
def expectation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    expectation = get_for_workspace(request, Expectation, pk)
    customer_pk = expectation.customer_id
    services.expectation_delete(expectation=expectation, by=request.member)
    messages.success(request, _("Need removed."))
    return redirect(_needs_url(customer_pk))


@member_required(Role.AGENT)
def customer_convert(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Show the fit check of a prospect and take them on: directly when they fit; with a
    reason, by a manager or an owner, when they do not."""
    customer = get_for_workspace(request, Customer.objects.select_related("segment"), customer_pk)
    fit = fit_check_for_customer(workspace=request.workspace, customer=customer)
    can_override = request.member.has_role(Role.MANAGER)
    form = ConvertForm(
        request.POST if request.method == "POST" else None, reason_required=fit.misfit
    )
    if request.method == "POST":
        if customer.status != Customer.Status.PROSPECT:
            messages.info(request, _("Already a customer: nothing to do."))
            return redirect("customers:customer-detail", pk=customer.pk)
        if fit.misfit and not can_override:
            raise PermissionDenied
        if form.is_valid():
            try:
                override = services.customer_convert(
                    customer=customer, by=request.member, reason=form.cleaned_data["reason"]
                )
            except services.ConversionRefused as exc:
                form.add_error(exc.field, exc.reason)
            else:
                if override is not None:
                    messages.warning(
                        request, _("Converted despite the misfit; the reason is on record.")
                    )
                else:
                    messages.success(request, _("Converted: now a customer."))
                return redirect("customers:customer-detail", pk=customer.pk)
    return render(
        request,
        "promises/convert.html",
        {"customer": customer, "fit": fit, "form": form, "can_override": can_override},
    )


@member_required(Role.MANAGER)
def fit_report(request: HttpRequest) -> HttpResponse:
    overrides = fit_override_report(workspace=request.workspace)
    taken, others = fit_override_summary(workspace=request.workspace)
    return render(
        request,
        "promises/fit_report.html",
        {"overrides": overrides, "taken": taken, "others": others},
    )
