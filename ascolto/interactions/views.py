from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.customers.models import Customer
from ascolto.interactions import services
from ascolto.interactions.forms import InteractionForm, StaffSignalForm
from ascolto.interactions.models import Interaction
from ascolto.interactions.selectors import TimelineEntry, timeline_for_customer
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


@member_required(Role.AGENT)
def timeline(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """Older timeline entries, as a fragment for "show older" (or a page without JavaScript)."""
    customer = get_for_workspace(request, Customer, customer_pk)
    before = None
    raw = request.GET.get("before", "")
    if raw:
        try:
            before = datetime.fromisoformat(raw)
        except ValueError:
            before = None
        if before is not None and timezone.is_naive(before):
            before = timezone.make_aware(before)
    entries, next_cursor = timeline_for_customer(
        workspace=request.workspace, customer=customer, before=before
    )
    template = "interactions/_timeline_page.html" if request.htmx else "interactions/timeline.html"
    return render(
        request, template, {"customer": customer, "entries": entries, "next_cursor": next_cursor}
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


@require_POST
@member_required(Role.MANAGER)
def interaction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = get_for_workspace(request, Interaction, pk)
    customer_pk = interaction.customer_id
    services.interaction_delete(interaction=interaction, by=request.member)
    messages.success(request, _("Interaction deleted."))
    return redirect("customers:customer-detail", pk=customer_pk)


@require_POST
@member_required(Role.AGENT)
def signal_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """The ten-second form: one text, three buttons. htmx gets the new timeline item back."""
    customer = get_for_workspace(request, Customer, customer_pk)
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
        return render(
            request,
            "interactions/_signal_form.html",
            {"signal_form": form, "customer": customer},
            status=422,
        )
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("customers:customer-detail", pk=customer.pk)
