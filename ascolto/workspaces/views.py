from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.workspaces import selectors, services
from ascolto.workspaces.forms import (
    InvitationSignupForm,
    MemberInviteForm,
    MemberRoleForm,
    WorkspaceForm,
)
from ascolto.workspaces.models import Membership, Role
from ascolto.workspaces.tenancy import SESSION_KEY, get_for_workspace, member_required

logger = logging.getLogger("ascolto.security")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view; the reply is identical for known and unknown addresses."""


@require_POST
@member_required(Role.AGENT)
def workspace_switch(request: HttpRequest) -> HttpResponse:
    membership = Membership.objects.filter(
        user=request.user, workspace_id=request.POST.get("workspace") or 0
    ).first()
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.workspace_id
    return redirect("customers:customer-list")


@member_required(Role.OWNER)
def workspace_settings(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None, instance=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_update(
                workspace=request.workspace, by=request.member, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("workspaces:workspace-settings")
    return render(request, "workspaces/workspace_settings.html", {"form": form})


@member_required(Role.AGENT)
def member_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspaces/member_list.html",
        {
            "members": selectors.member_list(workspace=request.workspace),
            "invitations": selectors.invitation_pending_list(workspace=request.workspace),
            "invite_form": MemberInviteForm(),
            "role_choices": Role.choices,
        },
    )


@member_required(Role.MANAGER)
def member_invite(request: HttpRequest) -> HttpResponse:
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite(
                workspace=request.workspace, by=request.member, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            form.add_error("role", _("You cannot grant this role."))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("workspaces:member-list")
    return render(request, "workspaces/member_invite.html", {"form": form})


@require_POST
@member_required(Role.MANAGER)
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_workspace(request, Membership, pk)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.member_role_change(
                membership=membership, by=request.member, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Role updated."))
    return redirect("workspaces:member-list")


@require_POST
@member_required(Role.MANAGER)
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_workspace(request, Membership, pk)
    try:
        services.member_remove(membership=membership, by=request.member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Member removed."))
    return redirect("workspaces:member-list")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_get_usable(token=token)
    if invitation is None:
        return render(request, "workspaces/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError:
                return render(request, "workspaces/invitation_invalid.html", status=404)
            request.session[SESSION_KEY] = membership.workspace_id
            messages.success(
                request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace.name}
            )
            return redirect("customers:customer-list")
        return render(request, "workspaces/invitation_accept.html", {"invitation": invitation})
    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        if user_model.objects.filter(username__iexact=invitation.email).exists():
            messages.info(
                request, _("You already have an account: log in to accept the invitation.")
            )
            return redirect(f"{reverse('workspaces:login')}?{urlencode({'next': request.path})}")
        try:
            user = services.user_create_for_invitation(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password"],
            )
            membership = services.invitation_accept(invitation=invitation, user=user)
        except ValidationError:
            return render(request, "workspaces/invitation_invalid.html", status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = membership.workspace_id
        messages.success(
            request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace.name}
        )
        return redirect("customers:customer-list")
    return render(
        request, "workspaces/invitation_signup.html", {"invitation": invitation, "form": form}
    )
