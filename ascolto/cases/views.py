"""Pages of cases: the work queue ("To do"), a case, opening one from the customer page, and
the actions on a case. Every action calls one service, which checks who acts again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from ascolto.cases import selectors, services
from ascolto.cases.forms import (
    BudgetForm,
    CaseOpenForm,
    CaseSettingsForm,
    CategoryForm,
    DecisionForm,
    LedgerFilterForm,
    NoteForm,
    QueueFilterForm,
    RemedyForm,
    RemedyOptionForm,
    ReplyTemplateForm,
    SlaForm,
    StatusForm,
)
from ascolto.cases.guidance import guidance_for
from ascolto.cases.models import (
    TRANSITIONS,
    Case,
    CaseEmotion,
    CaseSettings,
    Remedy,
    RemedyOption,
    ReplyTemplate,
    SlaPolicy,
    SpendingBudget,
)
from ascolto.cases.services import CaseRefused
from ascolto.cases.services.remedies import allowance
from ascolto.cases.services.replies import case_reply
from ascolto.customers.models import Customer
from ascolto.workspaces.guards import require_member
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
            "can_manage": request.member.has_role(Role.MANAGER),
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
            emotion=emotion,
            name=customer.name,
            language=customer.preferred_language,
            reply=case_reply(case=case, emotion=emotion)[1],
        ),
        "emails": list(case.emails.all()),
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


# --- settings: categories, clocks, remedies, budgets (managers and owners) ---------------------

SETTINGS_SECTIONS = ("categories", "sla", "remedies", "budgets", "general")


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize()


def _settings_context(request: MemberRequest, **bound: Any) -> dict[str, Any]:
    workspace = request.workspace
    categories = list(selectors.case_category_list(workspace=workspace, active_only=False))
    policies = list(
        SlaPolicy.objects.for_workspace(workspace)
        .select_related("category")
        .order_by("category__position", "severity", "pk")
    )
    options = list(
        RemedyOption.objects.for_workspace(workspace)
        .select_related("category")
        .order_by("kind", "category__position", "pk")
    )
    budgets = list(
        SpendingBudget.objects.for_workspace(workspace)
        .select_related("member__user")
        .order_by("member", "role", "pk")
    )
    case_settings, _created = CaseSettings.objects.get_or_create(workspace=workspace)
    every_category, every_severity = _("All categories"), _("All severities")
    rows: dict[str, list[tuple[str, str, Any]]] = {
        "categories": [],
        "policies": [],
        "options": [],
        "budgets": [],
    }
    for c in categories:
        initial = {"category": c.pk, "name_it": c.name_it, "name_en": c.name_en, "active": c.active}
        form = CategoryForm(workspace=workspace, prefix=f"cat{c.pk}", initial=initial)
        rows["categories"].append((c.name_it, "", form))
    for p in policies:
        title = (
            f"{p.category.label if p.category else every_category} · "
            f"{p.get_severity_display() if p.severity else every_severity}"
        )
        initial = {
            "category": p.category_id,
            "severity": p.severity,
            "acknowledge_hours": _hours(p.acknowledge_minutes),
            "respond_hours": _hours(p.respond_minutes),
            "resolve_hours": _hours(p.resolve_minutes),
        }
        form = SlaForm(workspace=workspace, prefix=f"sla{p.pk}", initial=initial)
        rows["policies"].append((title, "category severity", form))
    for o in options:
        title = f"{o.get_kind_display()} · {o.category.label if o.category else every_category}"
        initial = {
            "kind": o.kind,
            "category": o.category_id,
            "default_amount": o.default_amount,
            "max_amount": o.max_amount,
            "active": o.active,
        }
        form = RemedyOptionForm(workspace=workspace, prefix=f"rem{o.pk}", initial=initial)
        rows["options"].append((title, "kind category", form))
    for b in budgets:
        title = b.member.display_name if b.member else b.get_role_display()
        initial = {
            "role": b.role,
            "member": b.member_id,
            "per_case": b.per_case,
            "per_month": b.per_month,
        }
        form = BudgetForm(workspace=workspace, prefix=f"bud{b.pk}", initial=initial)
        rows["budgets"].append((title, "role member", form))
    return {
        **rows,
        "case_settings": case_settings,
        "new_category": bound.get("categories") or CategoryForm(workspace=workspace),
        "new_sla": bound.get("sla") or SlaForm(workspace=workspace),
        "new_remedy": bound.get("remedies") or RemedyOptionForm(workspace=workspace),
        "new_budget": bound.get("budgets") or BudgetForm(workspace=workspace),
        "general_form": bound.get("general") or CaseSettingsForm(instance=case_settings),
        "is_owner": request.member.has_role(Role.OWNER),
        "currency": workspace.currency,
    }


@member_required(Role.MANAGER)
def case_settings(request: MemberRequest) -> HttpResponse:
    """What cases run on: categories, response times, remedies and spending budgets."""
    return render(request, "cases/settings.html", _settings_context(request))


def _bound(form_class: type, request: MemberRequest, **kwargs: Any) -> Any:
    """The posted form: the row's own prefix when the row's button was pressed."""
    prefix = request.POST.get("prefix") or None
    if prefix is not None and not prefix.isalnum():
        prefix = None
    return form_class(request.POST, prefix=prefix, **kwargs)


@require_POST
@member_required(Role.MANAGER)
def case_settings_save(request: MemberRequest, section: str) -> HttpResponse:
    """Save one row of one section; its service checks who acts and what is allowed."""
    from django.core.exceptions import ValidationError

    workspace, by = request.workspace, request.member
    if section not in SETTINGS_SECTIONS:
        raise Http404
    if section == "general":
        require_member(by, workspace, Role.OWNER)
        settings_row, _created = CaseSettings.objects.get_or_create(workspace=workspace)
        form: Any = CaseSettingsForm(request.POST, instance=CaseSettings(pk=settings_row.pk))
    elif section == "categories":
        form = _bound(CategoryForm, request, workspace=workspace)
    elif section == "sla":
        form = _bound(SlaForm, request, workspace=workspace)
    elif section == "remedies":
        form = _bound(RemedyOptionForm, request, workspace=workspace)
    else:
        form = _bound(BudgetForm, request, workspace=workspace)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if section == "general":
                services.case_settings_update(workspace=workspace, by=by, **data)
            elif section == "categories":
                services.case_category_save(workspace=workspace, by=by, **data)
            elif section == "sla":
                services.sla_policy_set(
                    workspace=workspace,
                    by=by,
                    category=data["category"],
                    severity=data["severity"],
                    acknowledge_minutes=form.minutes("acknowledge_hours"),
                    respond_minutes=form.minutes("respond_hours"),
                    resolve_minutes=form.minutes("resolve_hours"),
                )
            elif section == "remedies":
                services.remedy_option_set(workspace=workspace, by=by, **data)
            else:
                services.spending_budget_set(workspace=workspace, by=by, **data)
        except CaseRefused as error:
            form.add_error(error.field if error.field in form.fields else None, error.reason)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("cases:settings") + f"#{section}")
    context = _settings_context(request, **{section: form})
    context["error_section"] = section
    return render(request, "cases/settings.html", context, status=400)


# --- reply templates ---------------------------------------------------------------------------


@member_required(Role.MANAGER)
def reply_templates(request: MemberRequest) -> HttpResponse:
    """The replies the business wrote, and the built-in ones they replace."""
    workspace = request.workspace
    initial: dict[str, Any] = {"language": "it"}
    edit = request.GET.get("edit")
    if edit and edit.isascii() and edit.isdigit() and len(edit) < 12:
        template = get_for_workspace(request, ReplyTemplate, int(edit))
        initial = {
            "category": template.category_id, "emotion": template.emotion,
            "language": template.language, "subject": template.subject, "body": template.body,
            "active": template.active,
        }  # fmt: skip
    form = ReplyTemplateForm(workspace=workspace, initial=initial)
    return render(request, "cases/reply_templates.html", _replies_context(request, form))


def _replies_context(request: MemberRequest, form: Any) -> dict[str, Any]:
    from ascolto.cases.services.replies import builtin_reply

    workspace = request.workspace
    builtin = [
        (
            pgettext("language name", "English" if language == "en" else "Italian"),
            CaseEmotion(emotion).label,
            builtin_reply(workspace=workspace, emotion=emotion, language=language),
        )
        for language in ("it", "en")
        for emotion in CaseEmotion.values
    ]
    return {
        "form": form,
        "templates": ReplyTemplate.objects.for_workspace(workspace).select_related("category"),
        "builtin": builtin,
        "register": workspace.customer_address,
    }


@require_POST
@member_required(Role.MANAGER)
def reply_template_save(request: MemberRequest) -> HttpResponse:
    from django.core.exceptions import ValidationError

    form = ReplyTemplateForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            services.reply_template_set(
                workspace=request.workspace, by=request.member, **form.cleaned_data
            )
        except CaseRefused as error:
            form.add_error(error.field if error.field in form.fields else None, error.reason)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Template saved."))
            return redirect("cases:reply-templates")
    return render(
        request, "cases/reply_templates.html", _replies_context(request, form), status=400
    )


@require_POST
@member_required(Role.MANAGER)
def reply_template_remove(request: MemberRequest, pk: int) -> HttpResponse:
    template = get_for_workspace(request, ReplyTemplate, pk)
    services.reply_template_delete(template=template, by=request.member)
    messages.success(request, _("Template removed: the built-in text is used again."))
    return redirect("cases:reply-templates")


# --- the ledger of remedies --------------------------------------------------------------------


@member_required(Role.MANAGER)
def remedy_ledger(request: MemberRequest) -> HttpResponse:
    """Every remedy given, asked or refused, with totals per month and per member beside their
    budget; `?format=csv` downloads the rows (Italian spreadsheets: semicolons, decimal
    commas)."""
    from ascolto.lib.exports import csv_dialect_for, table_export

    workspace = request.workspace
    form = LedgerFilterForm(request.GET or None, workspace=workspace)
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        else:
            status = 400
    remedies = selectors.ledger_remedies(workspace=workspace, **filters)
    if request.GET.get("format") == "csv" and status == 200:
        zone = ZoneInfo(workspace.time_zone)
        headers = [
            _("Date"), _("Customer"), _("Case"), _("Category"), _("Remedy"), _("Value"),
            _("Currency"), _("Status"), _("Asked by"), _("Decided by"), _("Why"), _("Reason"),
        ]  # fmt: skip
        rows = (
            [
                timezone.localtime(r.at, zone).replace(tzinfo=None),
                r.case.customer.name,
                r.case_id,
                r.case.category.label,
                r.get_kind_display(),
                r.amount,
                workspace.currency,
                r.get_status_display(),
                r.requested_by.display_name if r.requested_by else "",
                r.decided_by.display_name if r.decided_by else "",
                r.why,
                r.decision_reason,
            ]
            for r in remedies.iterator(chunk_size=500)
        )
        return table_export(
            fmt="csv",
            filename=f"rimedi-{timezone.localdate():%Y-%m-%d}",
            headers=headers,
            rows=rows,
            dialect=csv_dialect_for(workspace.language),
        )
    totals = selectors.ledger_totals(workspace=workspace, remedies=remedies)
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "cases/ledger.html",
        {
            "form": form,
            "remedies": remedies[:500],
            "count": remedies.count(),
            **totals,
            "kept_value": selectors.remedy_ledger(workspace=workspace).kept_value,
            "currency": workspace.currency,
            "csv_query": query.urlencode(),
        },
        status=status,
    )
