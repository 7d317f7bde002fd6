from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ascolto.audit import selectors
from ascolto.audit.forms import AuditFilterForm
from ascolto.lib.periods import workspace_zone
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import member_required


@member_required(Role.OWNER)
def audit_list(request: HttpRequest) -> HttpResponse:
    """The workspace's audit log, for owners, filtered by what, who, address and dates."""
    form = AuditFilterForm(request.GET or None, workspace=request.workspace)
    filters: dict = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "action": data["action"],
                "user_id": data["member"].user_id if data["member"] else None,
                "ip": data["ip"] or "",
                "start": data["start"],
                "end": data["end"],
            }
        else:
            status = 400
    entries = selectors.audit_entry_list(
        workspace=request.workspace, zone=workspace_zone(request.workspace), **filters
    )
    page = Paginator(entries if status == 200 else entries.none(), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=status,
    )
