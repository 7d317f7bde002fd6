"""Pages of cases: the work queue and a case."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from ascolto.cases import selectors
from ascolto.cases.models import Case
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import MemberRequest, get_for_workspace, member_required


@member_required(Role.AGENT)
def work_queue(request: MemberRequest) -> HttpResponse:
    cases = selectors.case_list_open(workspace=request.workspace)
    return render(request, "cases/work_queue.html", {"cases": cases})


@member_required(Role.AGENT)
def case_detail(request: MemberRequest, pk: int) -> HttpResponse:
    case = get_for_workspace(request, selectors.case_list(workspace=request.workspace), pk)
    events = selectors.case_event_list(workspace=request.workspace, case=case)
    return render(request, "cases/case_detail.html", {"case": case, "events": events, "Case": Case})
