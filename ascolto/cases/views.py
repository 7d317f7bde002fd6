"""Pages of cases: the work queue ("To do"), a case, opening one from the customer page, and
the actions on a case. Every action calls one service, which checks who acts again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.cases import selectors, services
from ascolto.cases.forms import (
    CaseOpenForm,
    DecisionForm,
    NoteForm,
    QueueFilterForm,
    RemedyForm,
    StatusForm,
)
from ascolto.cases.guidance import guidance_for
from ascolto.cases.models import TRANSITIONS, Case, Remedy
from ascolto.cases.services import CaseRefused
from ascolto.cases.services.remedies import allowance
from ascolto.customers.models import Customer
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import MemberRequest, get_for_workspace, member_required


@member_required(Role.AGENT)
def work_queue(request: MemberRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None, workspace=request.workspace)
    filters: dict[str, Any] = {"scope": "mine", "category": None, "breaching": False}
    if form.is_bound and form.is_valid():
        filters.update({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    cases = list(
        selectors.case_queue(workspace=request.workspace, member=request.member, **filters)[:200]
    )
    approvals = []
    if request.member.has_role(Role.MANAGER):
        approvals = list(selectors.remedy_list_pending(workspace=request.workspace)[:50])
    return render(
        request,
        "cases/work_queue.html",
        {
            "form": form,
            "cases": cases,
            "approvals": approvals,
            "no_deadline": selectors.NO_DEADLINE,
            "request_now": timezone.now(),
            "scope": filters["scope"],
        },
    )


def _case(request: MemberRequest, pk: int) -> Case:
    return get_for_workspace(request, selectors.case_list(workspace=request.workspace), pk)


@member_required(Role.AGENT)
def case_detail(request: MemberRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


def _detail_context(request: MemberRequest, case: Case, **forms: Any) -> dict[str, Any]:
    member = request.member
    customer = case.customer
    emotion = selectors.case_emotion(case=case)
    crisis = None
    if case.crisis_id:
        from ascolto.promises.panels import crisis_panel_context

        crisis = crisis_panel_context(request, customer)
    return {
        "case": case,
        "customer": customer,
        "events": selectors.case_event_list(workspace=request.workspace, case=case),
        "clocks": selectors.case_clocks(case=case),
        "remedies": selectors.remedy_list(workspace=request.workspace, case=case),
        "allowance": allowance(member=member, case=case),
        "guidance": guidance_for(
            emotion=emotion, name=customer.name, language=customer.preferred_language
        ),
        "emotion": emotion,
        "next_statuses": [Case.Status(s) for s in TRANSITIONS[case.status]],
        "crisis": crisis,
        "can_manage": member.has_role(Role.MANAGER),
        "remedy_form": forms.get("remedy_form") or RemedyForm(),
        "note_form": NoteForm(),
        "outcomes": Case.Outcome.choices,
        "currency": request.workspace.currency,
        "request_now": timezone.now(),
    }


def _back(case: Case, anchor: str = "") -> HttpResponseRedirect:
    return redirect(reverse("cases:case-detail", args=[case.pk]) + anchor)


def _refused(request: MemberRequest, case: Case, error: CaseRefused) -> HttpResponse:
    messages.error(request, error.reason)
    context = _detail_context(request, case)
    return render(request, "cases/case_detail.html", context, status=400)


@require_POST
@member_required(Role.AGENT)
def case_status(request: MemberRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, CaseRefused(_("Choose a valid status.")))
    try:
        services.case_status_change(case=case, by=request.member, **form.cleaned_data)
    except CaseRefused as error:
        return _refused(request, case, error)
    messages.success(request, _("Case updated."))
    return _back(case)


@require_POST
@member_required(Role.AGENT)
def case_take(request: MemberRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    services.case_assign(case=case, by=request.member, owner=request.member)
    messages.success(request, _("The case is yours now."))
    return _back(case)


@require_POST
@member_required(Role.AGENT)
def case_note(request: MemberRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, CaseRefused(_("Write the note first.")))
    services.case_note_add(case=case, by=request.member, note=form.cleaned_data["note"])
    return _back(case, "#history")


@require_POST
@member_required(Role.AGENT)
def case_acknowledge(request: MemberRequest, pk: int) -> HttpResponse:
    """The first greeting was sent (the suggested reply, or one's own words): the case is taken
    in charge, and the reply is kept in its history."""
    case = _case(request, pk)
    reply = (request.POST.get("reply") or "").strip()[:5_000]
    try:
        if reply:
            services.case_note_add(case=case, by=request.member, note=reply)
        services.case_status_change(case=case, by=request.member, status=Case.Status.ACKNOWLEDGED)
    except CaseRefused as error:
        return _refused(request, case, error)
    messages.success(request, _("Taken in charge: the customer has had a first answer."))
    return _back(case)


@require_POST
@member_required(Role.AGENT)
def case_remedy(request: MemberRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = RemedyForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, case, remedy_form=form)
        return render(request, "cases/case_detail.html", context, status=400)
    try:
        remedy = services.case_remedy_grant(case=case, by=request.member, **form.cleaned_data)
    except CaseRefused as error:
        form.add_error(error.field if error.field in form.fields else None, error.reason)
        context = _detail_context(request, case, remedy_form=form)
        return render(request, "cases/case_detail.html", context, status=400)
    if remedy.status == Remedy.Status.GRANTED:
        messages.success(request, _("Remedy granted."))
    else:
        messages.info(request, _("Above your budget: the remedy waits for approval."))
    return _back(case, "#remedies")


@require_POST
@member_required(Role.MANAGER)
def remedy_decide(request: MemberRequest, pk: int) -> HttpResponse:
    remedy = get_for_workspace(request, Remedy, pk)
    case = _case(request, remedy.case_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, case, CaseRefused(_("Approve or refuse.")))
    try:
        if form.cleaned_data["decision"] == "approve":
            services.case_remedy_approve(
                remedy=remedy, by=request.member, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Remedy approved."))
        else:
            services.case_remedy_refuse(
                remedy=remedy, by=request.member, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Remedy refused."))
    except CaseRefused as error:
        return _refused(request, case, error)
    return _back(case, "#remedies")


@member_required(Role.AGENT)
def case_open(request: MemberRequest, customer_pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, customer_pk)
    form = CaseOpenForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        case = services.case_open(customer=customer, by=request.member, **form.cleaned_data)
        messages.success(request, _("Case opened."))
        return _back(case)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/case_open.html", {"form": form, "customer": customer}, status=status
    )


@member_required(Role.AGENT)
def lost_report(request: MemberRequest) -> HttpResponse:
    """Why customers were lost: reasons, months, competitors, and what happened before."""
    report = selectors.lost_customers_report(workspace=request.workspace)
    return render(
        request, "cases/lost_report.html", {**report, "currency": request.workspace.currency}
    )
