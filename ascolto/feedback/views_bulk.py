"""Sending a survey to many customers at once: choose, preview who is held back, send, watch."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ascolto.feedback.forms import BulkSendForm
from ascolto.feedback.models import BulkSend
from ascolto.feedback.services import bulk
from ascolto.feedback.services.cadence import HOLD_REASON_LABELS
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import MemberRequest, get_for_workspace, member_required


@member_required(Role.MANAGER)
def bulk_send(request: MemberRequest) -> HttpResponse:
    """GET with the choice shows the preview (how many, who is held back and why); POST sends."""
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = BulkSendForm(data, workspace=request.workspace)
    preview = None
    status = 200
    if form.is_bound and form.is_valid():
        choice = form.choice()
        if request.method == "POST":
            try:
                sent = bulk.survey_bulk_send_create(
                    workspace=request.workspace, by=request.member, choice=choice
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                return redirect("feedback:bulk-detail", pk=sent.pk)
        preview = bulk.survey_bulk_preview(workspace=request.workspace, choice=choice)
    elif form.is_bound:
        status = 400
    context = {
        "form": form,
        "preview": preview,
        "held_counts": [
            (HOLD_REASON_LABELS[reason], count)
            for reason, count in (preview.held_counts.items() if preview else [])
        ],
        "reason_labels": HOLD_REASON_LABELS,
        "recent": BulkSend.objects.for_workspace(request.workspace).select_related("survey")[:5],
    }
    return render(request, "feedback/bulk_send.html", context, status=status)


@member_required(Role.MANAGER)
def bulk_detail(request: MemberRequest, pk: int) -> HttpResponse:
    """The progress of a bulk send; htmx asks for the bar again every second until it ends."""
    sent = get_for_workspace(request, BulkSend.objects.select_related("survey"), pk)
    template = "feedback/_bulk_progress.html" if request.htmx else "feedback/bulk_detail.html"
    return render(request, template, {"sent": sent})
