"""The owner's page of API tokens: make one (shown once), see when each was last used,
revoke."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.api import selectors
from ascolto.api.forms import ApiTokenForm, ImportUploadForm, WebhookForm
from ascolto.api.models import ApiToken, ImportRun, WebhookDelivery, WebhookSubscription
from ascolto.api.services import imports
from ascolto.api.services.tokens import api_token_create, api_token_revoke
from ascolto.api.services.webhooks import (
    webhook_delivery_resend,
    webhook_subscription_create,
    webhook_subscription_delete,
)
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import MemberRequest, get_for_workspace, member_required


@member_required(Role.OWNER)
def token_list(request: MemberRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None, workspace=request.workspace)
    new_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            made = api_token_create(
                workspace=request.workspace,
                by=request.member,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                read_only=form.cleaned_data["read_only"],
                expires_at=form.expires_at(),
            )
            new_token = made.raw
            form = ApiTokenForm(workspace=request.workspace)
        else:
            status = 400
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": selectors.api_token_list(workspace=request.workspace),
    }
    response = render(request, "api/token_list.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@member_required(Role.OWNER)
def token_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    token = get_for_workspace(request, ApiToken, pk)
    api_token_revoke(token=token, by=request.member)
    messages.success(request, _("The token %(name)s no longer works.") % {"name": token.name})
    return redirect("api:token-list")


@member_required(Role.OWNER)
def webhook_list(request: MemberRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    new_secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = webhook_subscription_create(
                    workspace=request.workspace, by=request.member, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                new_secret = made.secret
                form = WebhookForm()
        else:
            status = 400
    context = {
        "form": form,
        "new_secret": new_secret,
        "subscriptions": selectors.webhook_subscription_list(workspace=request.workspace),
    }
    response = render(request, "api/webhook_list.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@member_required(Role.OWNER)
def webhook_detail(request: MemberRequest, pk: int) -> HttpResponse:
    subscription = get_for_workspace(request, WebhookSubscription, pk)
    deliveries = selectors.webhook_delivery_list(
        workspace=request.workspace, subscription=subscription
    )
    return render(
        request,
        "api/webhook_detail.html",
        {"subscription": subscription, "deliveries": deliveries},
    )


@require_POST
@member_required(Role.OWNER)
def webhook_delete(request: MemberRequest, pk: int) -> HttpResponse:
    subscription = get_for_workspace(request, WebhookSubscription, pk)
    webhook_subscription_delete(subscription=subscription, by=request.member)
    messages.success(request, _("The address no longer receives events."))
    return redirect("api:webhook-list")


@require_POST
@member_required(Role.OWNER)
def webhook_delivery_resend_view(request: MemberRequest, pk: int) -> HttpResponse:
    delivery = get_for_workspace(request, WebhookDelivery, pk)
    webhook_delivery_resend(delivery=delivery, by=request.member)
    messages.success(request, _("The event is being sent again."))
    return redirect("api:webhook-detail", delivery.subscription_id)


# --- Imports -------------------------------------------------------------------------------------
SESSION_IMPORT = "ascolto_api_import"
PREVIEW_ROWS = 10


def _import_dir() -> Path:
    return imports.import_folder()


def _stashed(request: MemberRequest) -> tuple[dict, bytes] | None:
    """The file uploaded in this session for the current workspace, or None."""
    stash = request.session.get(SESSION_IMPORT)
    if not stash or stash.get("workspace") != request.workspace.pk:
        return None
    path = _import_dir() / f"{stash['token']}.upload"
    try:
        return stash, path.read_bytes()
    except OSError:
        return None


@member_required(Role.MANAGER)
def import_start(request: MemberRequest) -> HttpResponse:
    """Step 1: the file and what it holds. Step 2 (`import_map`) shows the first rows and the
    column of each field; step 3 imports and reports."""
    # "?kind=customers" (the onboarding checklist's link) opens the page on that kind.
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in dict(ImportUploadForm.base_fields["kind"].choices) else {}
    form = ImportUploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(imports.MAX_BYTES + 1)
        try:
            imports.sheet_read(data, upload.name)
        except imports.SheetError as error:
            form.add_error("file", str(error))
        else:
            token = secrets.token_urlsafe(16)
            (_import_dir() / f"{token}.upload").write_bytes(data)
            request.session[SESSION_IMPORT] = {
                "token": token,
                "workspace": request.workspace.pk,
                "kind": form.cleaned_data["kind"],
                "name": upload.name[:200],
            }
            return redirect("api:import-map")
    status = 400 if request.method == "POST" else 200
    return render(request, "api/import_start.html", {"form": form}, status=status)


@member_required(Role.MANAGER)
def import_map(request: MemberRequest) -> HttpResponse:
    found = _stashed(request)
    if found is None:
        messages.error(request, _("Choose the file again."))
        return redirect("api:import-start")
    stash, data = found
    kind = stash["kind"]
    sheet = imports.sheet_read(data, stash["name"])
    fields = list(imports.FIELDS[kind])
    if request.method == "POST":
        mapping = {
            i: request.POST.get(f"column_{i}", "")
            for i in range(len(sheet.headers))
            if request.POST.get(f"column_{i}", "") in fields
        }
        chosen = list(mapping.values())
        problems = imports.mapping_problems(kind, mapping)
        if len(set(chosen)) != len(chosen):
            problems.append(_("Each field may come from one column only."))
        if not problems:
            dry_run = bool(request.POST.get("dry_run"))
            imports.mapping_remember(
                workspace=request.workspace,
                by=request.member,
                kind=kind,
                headers=sheet.headers,
                mapping=mapping,
            )
            if dry_run:
                result = imports.rows_import(
                    workspace=request.workspace,
                    by=request.member,
                    kind=kind,
                    sheet=sheet,
                    mapping=mapping,
                    dry_run=True,
                    new_segments=bool(request.POST.get("new_segments")),
                )
                return render(request, "api/import_result.html", {"result": result, "kind": kind})
            run = imports.import_run_create(
                workspace=request.workspace,
                by=request.member,
                kind=kind,
                token=stash["token"],
                filename=stash["name"],
                mapping=mapping,
                new_segments=bool(request.POST.get("new_segments")),
            )
            request.session.pop(SESSION_IMPORT, None)
            return redirect("api:import-run", pk=run.pk)
    else:
        mapping = imports.mapping_guess(
            workspace=request.workspace, kind=kind, headers=sheet.headers
        )
        problems = []
    columns = [
        {
            "index": i,
            "header": header,
            "field": mapping.get(i, ""),
            "sample": [cells[i] if i < len(cells) else "" for _line, cells in sheet.rows[:3]],
        }
        for i, header in enumerate(sheet.headers)
    ]
    context = {
        "kind": kind,
        "name": stash["name"],
        "columns": columns,
        "fields": [(name, imports.field_label(name)) for name in fields],
        "preview": sheet.rows[:PREVIEW_ROWS],
        "headers": sheet.headers,
        "total": len(sheet.rows),
        "problems": problems,
    }
    return render(request, "api/import_map.html", context, status=400 if problems else 200)


@member_required(Role.MANAGER)
def import_run(request: MemberRequest, pk: int) -> HttpResponse:
    """An import the worker is doing: a progress bar that reloads itself until it is done,
    then the report (the same as a check's)."""
    run = get_for_workspace(request, ImportRun, pk)
    return render(
        request,
        "api/import_run.html" if run.finished_at is None else "api/import_result.html",
        {"run": run, "result": run, "kind": run.kind},
    )
