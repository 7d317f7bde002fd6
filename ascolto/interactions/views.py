from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget

from ascolto.customers.models import Customer
from ascolto.interactions import services
from ascolto.interactions.forms import InteractionForm, StaffSignalForm
from ascolto.interactions.models import Interaction
from ascolto.interactions.selectors import TimelineCursor, TimelineEntry, timeline_for_customer
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


@member_required(Role.AGENT)
def timeline(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """A page of the timeline older than `?before=`: a fragment for htmx ("show older"), a
    whole page without JavaScript."""
    customer = get_for_workspace(request, Customer, customer_pk)
    before = None
    if request.GET.get("before"):
        try:
            before = TimelineCursor.from_token(request.GET["before"])
        except ValueError:
            return HttpResponseBadRequest(_("This link to older entries is not valid."))
    entries, next_cursor = timeline_for_customer(
        workspace=request.workspace, customer=customer, before=before
    )
    template = "interactions/_timeline_page.html" if request.htmx else "interactions/timeline.html"
    return render(
        request,
        template,
        {
            "customer": customer,
            "entries": entries,
            "next_cursor": next_cursor,
            "before": before,
            "can_manage": request.member.has_role(Role.MANAGER),
        },
    )


@member_required(Role.AGENT)
def interaction_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, customer_pk)
    form = InteractionForm(
        request.POST or None,
        workspace=request.workspace,
        initial={
            "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
            "member": request.member,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_record(customer=customer, by=request.member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Interaction added to the timeline."))
            return redirect("customers:customer-detail", pk=customer.pk)
    return render(
        request, "interactions/interaction_form.html", {"form": form, "customer": customer}
    )


@member_required(Role.AGENT)
def interaction_update(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_for_workspace(request, Interaction.objects.select_related("customer"), pk)
    form = InteractionForm(request.POST or None, instance=interaction, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_update(
                interaction=interaction, by=request.member, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Interaction saved."))
            return redirect("customers:customer-detail", pk=interaction.customer_id)
    return render(
        request,
        "interactions/interaction_form.html",
        {"form": form, "customer": interaction.customer, "interaction": interaction},
    )


@member_required(Role.MANAGER)
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_for_workspace(request, Interaction, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    customer_pk = interaction.customer_id
    services.interaction_delete(interaction=interaction, by=request.member)
    messages.success(request, _("Interaction deleted."))
    return redirect("customers:customer-detail", pk=customer_pk)


@member_required(Role.AGENT)
def signal_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """The ten-second form: one text, three buttons. htmx gets the new timeline item back."""
    customer = get_for_workspace(request, Customer, customer_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StaffSignalForm(request.POST)
    if form.is_valid():
        try:
            signal = services.staff_signal_record(
                customer=customer, by=request.member, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.htmx:
                entry = TimelineEntry("signal", signal.created_at, signal)
                return render(
                    request,
                    "interactions/_signal_created.html",
                    {"entry": entry, "customer": customer},
                )
            messages.success(request, _("Signal noted."))
            return redirect("customers:customer-detail", pk=customer.pk)
    if request.htmx:
        response = render(
            request,
            "interactions/_signal_form.html",
            {"signal_form": form, "customer": customer},
            status=422,
        )
        return reswap(retarget(response, "#signal-form"), "outerHTML")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("customers:customer-detail", pk=customer.pk)
