from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ascolto.customers import columns, selectors, services
from ascolto.customers.forms import ContractForm, CustomerForm, LostRecordForm
from ascolto.customers.models import Contract, Customer
from ascolto.lib.text import clean_text
from ascolto.workspaces.models import Role
from ascolto.workspaces.selectors import member_list
from ascolto.workspaces.tenancy import get_for_workspace, member_required


def _int_or_none(value: str | None) -> int | None:
    """A positive id that fits the database's integer, else None."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 < number < 2**63 else None


def _filters_from_query(get: QueryDict) -> selectors.CustomerFilters:
    """Read the list filters; unknown or malformed values are ignored, never an error."""
    status, kind = get.get("status", ""), get.get("kind", "")
    return selectors.CustomerFilters(
        q=clean_text(get.get("q", ""), multiline=False).strip()[:200],
        segment=_int_or_none(get.get("segment")),
        status=status if status in Customer.Status.values else "",
        owner=_int_or_none(get.get("owner")),
        kind=kind if kind in Customer.Kind.values else "",
    )


@member_required(Role.AGENT)
def customer_list(request: HttpRequest) -> HttpResponse:
    filters = _filters_from_query(request.GET)
    sort_key, descending = columns.parse_sort(request.GET.get("sort"))
    customers = columns.customers_sorted(
        selectors.customer_list(workspace=request.workspace, filters=filters),
        workspace=request.workspace,
        sort=("-" if descending else "") + sort_key,
    )
    page = Paginator(customers, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if sort_key == columns.DEFAULT_SORT and not descending:
        query.pop("sort", None)
    unsorted = query.copy()
    unsorted.pop("sort", None)
    headers = {}
    for column in columns.customer_columns:
        current = column.key == sort_key
        link = unsorted.copy()
        link["sort"] = ("-" if current and not descending else "") + column.key
        headers[column.key] = {
            "label": column.label,
            "url": "?" + link.urlencode(),
            "aria_sort": ("descending" if descending else "ascending") if current else "none",
        }
    extra = columns.customer_columns.extra()
    extra_headers = [headers[c.key] | {"key": c.key} for c in extra]
    rows = [
        (customer, [(h, c.display(customer)) for h, c in zip(extra_headers, extra, strict=True)])  # type: ignore[misc]
        for customer in page.object_list
    ]
    return render(
        request,
        "customers/customer_list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": any(
                [filters.q, filters.segment, filters.status, filters.owner, filters.kind]
            ),
            "query": query.urlencode(),
            "sort": ("-" if descending else "") + sort_key,
            "headers": headers,
            "extra_headers": extra_headers,
            "rows": rows,
            "segments": selectors.segment_list(workspace=request.workspace),
            "members": member_list(workspace=request.workspace),
            "status_choices": Customer.Status.choices,
            "kind_choices": Customer.Kind.choices,
        },
    )


def _customer_save(
    request: HttpRequest, form: CustomerForm, customer: Customer | None
) -> Customer | HttpResponse | None:
    """Save the form through the services. A change of status that needs more (the reason a
    customer left, the fit check of a prospect) saves the other fields and sends the user to
    the page that asks for it, with a message saying why."""
    data = dict(form.cleaned_data)
    try:
        if customer is None:
            return services.customer_create(workspace=request.workspace, by=request.member, **data)
        return services.customer_update(customer=customer, by=request.member, **data)
    except ValidationError as exc:
        form.add_error(None, exc)
    except services.StatusChangeRefused as exc:
        if customer is None or not exc.next_url:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
            return None
        data.pop("status", None)
        try:
            services.customer_update(customer=customer, by=request.member, **data)
        except ValidationError as inner:
            form.add_error(None, inner)
            return None
        messages.info(request, exc.reason)
        return redirect(exc.next_url)
    return None


@member_required(Role.AGENT)
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(
        request.POST or None,
        workspace=request.workspace,
        initial={"account_owner": request.member},
        can_assign_owner=request.member.has_role(Role.MANAGER),
    )
    if request.method == "POST" and form.is_valid():
        customer = _customer_save(request, form, None)
        if isinstance(customer, Customer):
            messages.success(request, _("Customer created."))
            return redirect("customers:customer-detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form})


@member_required(Role.AGENT)
def customer_update(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer.objects.select_related("segment"), pk)
    saved_name = customer.name  # the form writes rejected input onto the instance
    form = CustomerForm(
        request.POST or None,
        instance=customer,
        workspace=request.workspace,
        can_assign_owner=request.member.has_role(Role.MANAGER),
    )
    if request.method == "POST" and form.is_valid():
        saved = _customer_save(request, form, customer)
        if isinstance(saved, HttpResponse):
            return saved
        if saved is not None:
            messages.success(request, _("Customer saved."))
            return redirect("customers:customer-detail", pk=customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "customer": customer, "customer_name": saved_name},
    )


@member_required(Role.AGENT)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer page: its cards and buttons are the registered panels
    (`ascolto/customers/panels.py`), each loading its own data."""
    customer = get_for_workspace(
        request, Customer.objects.select_related("segment", "account_owner__user"), pk
    )
    return render(
        request,
        "customers/customer_detail.html",
        {"customer": customer, "can_manage": request.member.has_role(Role.MANAGER)},
    )


@member_required(Role.MANAGER)
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.customer_delete(customer=customer, by=request.member)
    messages.success(request, _("Customer deleted."))
    return redirect("customers:customer-list")


@member_required(Role.MANAGER)
def contract_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, customer_pk)
    form = ContractForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_create(customer=customer, by=request.member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Contract saved."))
            return redirect("customers:customer-detail", pk=customer.pk)
    return render(request, "customers/contract_form.html", {"form": form, "customer": customer})


@member_required(Role.MANAGER)
def contract_update(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_for_workspace(request, Contract.objects.select_related("customer"), pk)
    form = ContractForm(request.POST or None, instance=contract, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(contract=contract, by=request.member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Contract saved."))
            return redirect("customers:customer-detail", pk=contract.customer_id)
    return render(
        request,
        "customers/contract_form.html",
        {"form": form, "customer": contract.customer, "contract": contract},
    )


@member_required(Role.AGENT)
def lost_record_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, customer_pk)
    form = LostRecordForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.lost_record_create(customer=customer, by=request.member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The customer is now marked as lost."))
            return redirect("customers:customer-detail", pk=customer.pk)
    return render(request, "customers/lost_record_form.html", {"form": form, "customer": customer})


@member_required(Role.AGENT)
def customer_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the customer's word about surveys ("no more", or "again")."""
    customer = get_for_workspace(request, Customer, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    wanted = request.POST.get("surveys")
    if wanted not in ("yes", "no"):
        return HttpResponse(_("Choose yes or no."), status=400, content_type="text/plain")
    services.customer_surveys_consent_set(
        customer=customer, by=request.member, wanted=wanted == "yes"
    )
    messages.success(request, _("Saved."))
    return redirect("customers:customer-detail", pk=customer.pk)
