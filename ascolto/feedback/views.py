"""Member pages for surveys, invitations and responses."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.customers.models import Customer
from ascolto.feedback import selectors, services
from ascolto.feedback.forms import (
    CadenceRuleForm,
    InvitationForm,
    OpenLinkForm,
    QuestionForm,
    ResponseFilterForm,
    SurveyCreateForm,
    SurveyForm,
)
from ascolto.feedback.models import CadenceRule, Invitation, OpenLink, Question, Survey
from ascolto.feedback.public_views import _survey_page
from ascolto.feedback.services import cadence
from ascolto.lib.forms import form_add_refusal
from ascolto.lib.register import customer_language
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


def _qr_svg(url: str) -> HttpResponse:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@member_required(Role.AGENT)
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = selectors.survey_list(workspace=request.workspace)
    return render(
        request,
        "feedback/survey_list.html",
        {"surveys": surveys, "can_manage": request.member.has_role(Role.MANAGER)},
    )


@member_required(Role.MANAGER)
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                workspace=request.workspace, by=request.member, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Survey created. Check its texts, then invite customers."))
            return redirect("feedback:survey-detail", pk=survey.pk)
    return render(request, "feedback/survey_create.html", {"form": form})


@member_required(Role.AGENT)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_for_workspace(request, Survey, pk)
    workspace = request.workspace
    invitations = selectors.invitation_list(workspace=workspace, survey=survey)
    page = Paginator(invitations, 25).get_page(request.GET.get("page"))
    links = [
        (link, services.open_link_url(link))
        for link in selectors.open_link_list(workspace=workspace, survey=survey)
    ]
    return render(
        request,
        "feedback/survey_detail.html",
        {
            "survey": survey,
            "questions": selectors.question_list(workspace=workspace, survey=survey),
            "counts": selectors.invitation_counts(workspace=workspace, survey=survey),
            "page": page,
            "links": links,
            "link_form": OpenLinkForm(initial={"language": workspace.language}),
            "can_manage": request.member.has_role(Role.MANAGER),
        },
    )


@member_required(Role.MANAGER)
def survey_update(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_for_workspace(request, Survey, pk)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(survey=survey, by=request.member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Survey saved."))
            return redirect("feedback:survey-detail", pk=survey.pk)
    return render(request, "feedback/survey_form.html", {"form": form, "survey": survey})


@member_required(Role.AGENT)
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_for_workspace(request, Survey, pk)
    language = "en" if request.GET.get("lang") == "en" else "it"
    with translation.override(customer_language(language, request.workspace.customer_address)):
        return _survey_page(request, survey=survey, language=language, action="", preview=True)


@member_required(Role.MANAGER)
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_for_workspace(request, Survey, pk)
    form = QuestionForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(survey=survey, by=request.member, **form.service_fields())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect("feedback:survey-detail", pk=survey.pk)
    return render(request, "feedback/question_form.html", {"form": form, "survey": survey})


@member_required(Role.MANAGER)
def question_update(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_for_workspace(request, Question.objects.select_related("survey"), pk)
    initial = {
        "kind": question.kind,
        "text_it": question.text_it,
        "text_en": question.text_en,
        "min_value": question.min_value,
        "max_value": question.max_value,
        "low_label_it": question.low_label_it,
        "low_label_en": question.low_label_en,
        "high_label_it": question.high_label_it,
        "high_label_en": question.high_label_en,
        "choices_text": "\n".join(f"{c['it']} | {c.get('en', '')}" for c in question.choices),
        "required": question.required,
        "dimension": question.dimension,
        "touchpoint": question.touchpoint,
    }
    form = QuestionForm(request.POST or None, workspace=request.workspace, initial=initial)
    form.fields["kind"].disabled = True
    if question.kind == Question.Kind.SCORE:
        form.fields["kind"].choices = Question.Kind.choices
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        fields.pop("kind")  # a question keeps its kind
        if question.role in (Question.Role.MAIN, Question.Role.WHY, Question.Role.IMPROVE):
            fields.pop("role", None)
        if not question.is_numeric:
            for name in ("low_label_it", "low_label_en", "high_label_it", "high_label_en"):
                fields.pop(name, None)
        if question.kind != Question.Kind.SCALE:
            fields.pop("min_value", None)
            fields.pop("max_value", None)
        try:
            services.question_update(question=question, by=request.member, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect("feedback:survey-detail", pk=question.survey_id)
    return render(
        request,
        "feedback/question_form.html",
        {"form": form, "survey": question.survey, "question": question},
    )


@require_POST
@member_required(Role.MANAGER)
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_for_workspace(request, Question, pk)
    try:
        services.question_delete(question=question, by=request.member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Question deleted."))
    return redirect("feedback:survey-detail", pk=question.survey_id)


@require_POST
@member_required(Role.MANAGER)
def open_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_for_workspace(request, Survey, pk)
    form = OpenLinkForm(request.POST)
    if form.is_valid():
        services.open_link_create(survey=survey, by=request.member, **form.cleaned_data)
        messages.success(request, _("Open link created."))
    else:
        messages.error(request, _("Check the label and the language."))
    return redirect("feedback:survey-detail", pk=survey.pk)


@require_POST
@member_required(Role.MANAGER)
def open_link_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_for_workspace(request, OpenLink, pk)
    services.open_link_set_active(open_link=link, by=request.member, active=not link.active)
    return redirect("feedback:survey-detail", pk=link.survey_id)


@member_required(Role.AGENT)
def open_link_qr(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_for_workspace(request, OpenLink, pk)
    return _qr_svg(services.open_link_url(link))


@member_required(Role.AGENT)
def invitation_create(request: HttpRequest, customer_pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, customer_pk)
    initial = {"channel": request.GET.get("channel")} if request.GET.get("channel") else None
    form = InvitationForm(request.POST or None, workspace=request.workspace, initial=initial)
    cautions = services.survey_invitation_cautions(customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.survey_invitation_create(
                survey=form.cleaned_data["survey"],
                customer=customer,
                by=request.member,
                channel=form.cleaned_data["channel"],
                language=form.cleaned_data["language"] or None,
                confirmed=form.cleaned_data["confirmed"],
            )
        except services.InvitationNeedsConfirmation as exc:
            cautions = exc.cautions
            form.add_error("confirmed", _("Nothing was sent: tick the box to send it anyway."))
        except ValidationError as exc:
            form_add_refusal(form, exc)
        else:
            if invitation.channel == Invitation.Channel.EMAIL:
                messages.success(request, _("The invitation will be emailed in a moment."))
            elif invitation.channel == Invitation.Channel.WHATSAPP:
                messages.success(request, _("Open WhatsApp and press send: the message is ready."))
            else:
                messages.success(request, _("Hand over this link or print its QR code."))
            return redirect("feedback:invitation-detail", pk=invitation.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "feedback/invitation_form.html",
        {"form": form, "customer": customer, "cautions": cautions},
        status=status,
    )


@member_required(Role.AGENT)
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_for_workspace(
        request, Invitation.objects.select_related("survey", "customer"), pk
    )
    link = services.survey_link(invitation.token) if invitation.answered_at is None else ""
    whatsapp_url = (
        services.survey_invitation_whatsapp_url(invitation)
        if link and invitation.channel == Invitation.Channel.WHATSAPP
        else ""
    )
    return render(
        request,
        "feedback/invitation_detail.html",
        {"invitation": invitation, "link": link, "whatsapp_url": whatsapp_url},
    )


@member_required(Role.AGENT)
def invitation_qr(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_for_workspace(request, Invitation, pk)
    return _qr_svg(services.survey_link(invitation.token))


@require_POST
@member_required(Role.AGENT)
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_for_workspace(request, Invitation, pk)
    services.survey_invitation_resend(invitation=invitation, by=request.member)
    messages.success(request, _("The invitation is queued again."))
    return redirect("feedback:invitation-detail", pk=invitation.pk)


@member_required(Role.AGENT)
def response_list(request: HttpRequest) -> HttpResponse:
    form = ResponseFilterForm(request.GET or None, workspace=request.workspace)
    filters = selectors.ResponseFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ResponseFilters(
            survey=data["survey"].pk if data["survey"] else None,
            band=data["band"],
            start=data["start"],
            end=data["end"],
        )
    responses = selectors.response_list(workspace=request.workspace, filters=filters)
    page = Paginator(responses, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/response_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )


def _rule_fields(form: CadenceRuleForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@member_required(Role.MANAGER)
def cadence_rule_list(request: HttpRequest) -> HttpResponse:
    rules = selectors.cadence_rule_list(workspace=request.workspace)
    return render(request, "feedback/cadence_rule_list.html", {"rules": rules})


@member_required(Role.MANAGER)
def cadence_rule_create(request: HttpRequest) -> HttpResponse:
    form = CadenceRuleForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            cadence.cadence_rule_create(
                workspace=request.workspace, by=request.member, **_rule_fields(form)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Cadence rule created."))
            return redirect("feedback:cadence-list")
    return render(request, "feedback/cadence_rule_form.html", {"form": form, "rule": None})


@member_required(Role.MANAGER)
def cadence_rule_update(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_workspace(request, CadenceRule, pk)
    form = CadenceRuleForm(request.POST or None, instance=rule, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            cadence.cadence_rule_update(rule=rule, by=request.member, **_rule_fields(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Cadence rule saved."))
            return redirect("feedback:cadence-list")
    return render(request, "feedback/cadence_rule_form.html", {"form": form, "rule": rule})
