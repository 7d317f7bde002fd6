"""The owner's page of API tokens: make one (shown once), see when each was last used,
revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.api import selectors
from ascolto.api.forms import ApiTokenForm
from ascolto.api.models import ApiToken
from ascolto.api.services.tokens import api_token_create, api_token_revoke
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
