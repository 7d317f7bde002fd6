from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from ascolto.core.ratelimit import rate_limit_hit, too_many_requests
from ascolto.workspaces import selectors, services
from ascolto.workspaces.forms import (
    BusinessHoursForm,
    InvitationSignupForm,
    MemberInviteForm,
    MemberRoleForm,
    WorkspaceForm,
    grantable_roles,
)
from ascolto.workspaces.models import MemberInvitation, Membership, Role, Workspace
from ascolto.workspaces.security import client_ip
from ascolto.workspaces.services import (
    LOGIN_ATTEMPTS_PER_CLIENT,
    PASSWORD_RESET_REQUESTS_PER_CLIENT,
)
from ascolto.workspaces.tenancy import (
    SESSION_KEY,
    MemberRequest,
    get_for_workspace,
    member_required,
)

logger = logging.getLogger("ascolto.security")


class LoginView(auth_views.LoginView):
    """Django's login, with sign-in attempts per client address capped in the shared rate
    limiter (on top of the lockout of one account from one address after failures)."""

    def post(self, request, *args, **kwargs):
        decision = rate_limit_hit(LOGIN_ATTEMPTS_PER_CLIENT, client_ip(request) or "")
        if not decision.allowed:
            return too_many_requests(request, decision)
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view with three changes: the mail is queued as durable work (sent by the
    worker, retried if the mail server is down) with links to ASCOLTO_SITE_URL (not to whatever
    Host header reached us, which behind a proxy is wrong and in front of one is forgeable);
    each address gets at most a few mails per hour; and the request does the same work for
    known and unknown addresses. The reply is the same redirect whether the address is known,
    unknown or capped."""

    def post(self, request, *args, **kwargs):
        decision = rate_limit_hit(PASSWORD_RESET_REQUESTS_PER_CLIENT, client_ip(request) or "")
        if not decision.allowed:
            return too_many_requests(request, decision)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if services.password_reset_throttle_hit(email=email):
            services.password_reset_request(email=email)
        return HttpResponseRedirect(self.get_success_url())


@require_POST
@member_required(Role.AGENT)
def workspace_switch(request: MemberRequest) -> HttpResponse:
    try:
        workspace_id = int(request.POST.get("workspace", ""))
    except ValueError:
        raise Http404 from None
    membership = Membership.objects.filter(
        user_id=request.user.pk, workspace_id=workspace_id
    ).first()
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.workspace_id
    return redirect("customers:customer-list")


@member_required(Role.OWNER)
def workspace_settings(request: MemberRequest) -> HttpResponse:
    # A fresh copy: a rejected form must not leave half-applied values on request.workspace.
    workspace = Workspace.objects.get(pk=request.workspace.pk)
    form = WorkspaceForm(request.POST or None, instance=workspace)
    hours = BusinessHoursForm(workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_update(workspace=workspace, by=request.member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("workspaces:workspace-settings")
    context = {"form": form, "hours": hours}
    return render(request, "workspaces/workspace_settings.html", context)


@require_POST
@member_required(Role.OWNER)
def workspace_hours(request: MemberRequest) -> HttpResponse:
    """Opening hours and closed days, a form of their own on the workspace page."""
    workspace = Workspace.objects.get(pk=request.workspace.pk)
    hours = BusinessHoursForm(request.POST, workspace=workspace)
    if hours.is_valid():
        try:
            services.workspace_hours_update(
                workspace=workspace,
                by=request.member,
                **hours.values(),  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                hours.add_error("closed_days" if field == "closed_days" else None, errors)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("workspaces:workspace-settings")
    form = WorkspaceForm(instance=Workspace.objects.get(pk=workspace.pk))
    context = {"form": form, "hours": hours}
    return render(request, "workspaces/workspace_settings.html", context, status=400)


@member_required(Role.AGENT)
def member_list(request: MemberRequest) -> HttpResponse:
    viewer = request.member
    members = list(selectors.member_list(workspace=request.workspace))
    for membership in members:
        membership.manageable = viewer.has_role(Role.MANAGER) and (  # type: ignore[attr-defined]
            membership.role != Role.OWNER or viewer.has_role(Role.OWNER)
        )
    invitations = (
        list(selectors.invitation_pending_list(workspace=request.workspace))
        if viewer.has_role(Role.MANAGER)
        else []
    )
    for invitation in invitations:
        invitation.manageable = (  # type: ignore[attr-defined]
            invitation.role != Role.OWNER or viewer.has_role(Role.OWNER)
        )
    can_manage = viewer.has_role(Role.MANAGER)
    return render(
        request,
        "workspaces/member_list.html",
        {
            "members": members,
            "invitations": invitations,
            "invite_form": MemberInviteForm(member=viewer) if can_manage else None,
            "role_choices": grantable_roles(viewer),
            "can_manage": can_manage,
            "is_owner": viewer.has_role(Role.OWNER),
        },
    )


@member_required(Role.MANAGER)
def member_invite(request: MemberRequest) -> HttpResponse:
    form = MemberInviteForm(request.POST or None, member=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite(
                workspace=request.workspace, by=request.member, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The invitation to %(email)s is on its way.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("workspaces:member-list")
    return render(request, "workspaces/member_invite.html", {"form": form})


@require_POST
@member_required(Role.MANAGER)
def member_role(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_for_workspace(request, Membership, pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("workspaces:member-list")
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
def member_remove(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_for_workspace(request, Membership, pk)
    leaving = membership.pk == request.member.pk
    try:
        services.member_remove(membership=membership, by=request.member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Member removed."))
        if leaving:
            request.session.pop(SESSION_KEY, None)
            return redirect("core:home")
    return redirect("workspaces:member-list")


@require_POST
@member_required(Role.MANAGER)
def member_invitation_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = get_for_workspace(request, MemberInvitation, pk)
    try:
        services.member_invitation_revoke(invitation=invitation, by=request.member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
    return redirect("workspaces:member-list")


@require_POST
@member_required(Role.MANAGER)
def member_invitation_resend(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = get_for_workspace(request, MemberInvitation, pk)
    try:
        services.member_invitation_resend(invitation=invitation, by=request.member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s is sent again.") % {"email": invitation.email}
        )
    return redirect("workspaces:member-list")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """One link for everyone invited: a logged-in user confirms joining, a new person creates
    an account. Unknown, used and expired links all get the same 404 page."""
    invitation = services.invitation_get_usable(token=token)
    if invitation is None:
        return _invitation_invalid(request)
    if request.user.is_authenticated:
        if not services.invitation_is_for(invitation=invitation, user=request.user):
            return render(
                request,
                "workspaces/invitation_wrong_account.html",
                {"invitation": invitation},
                status=403,
            )
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            except services.InvitationUnusable:
                return _invitation_invalid(request)
            return _joined(request, membership)
        return render(request, "workspaces/invitation_accept.html", {"invitation": invitation})
    if services.invitation_email_has_account(invitation=invitation):
        messages.info(request, _("You already have an account: log in to accept the invitation."))
        return redirect(f"{reverse('workspaces:login')}?{urlencode({'next': request.path})}")
    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_as_new_user(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password"],
            )
        except services.InvitationUnusable:
            return _invitation_invalid(request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _joined(request, membership)
    return render(
        request, "workspaces/invitation_signup.html", {"invitation": invitation, "form": form}
    )


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    request.session[SESSION_KEY] = membership.workspace_id
    messages.success(
        request, _("Welcome to %(workspace)s.") % {"workspace": membership.workspace.name}
    )
    return redirect("customers:customer-list")


def _invitation_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "workspaces/invitation_invalid.html", status=404)


def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice of a signed-in person for
    their emails (`user_language_remember`)."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_remember(
            user=request.user,  # type: ignore[arg-type]
            language=request.POST.get("language", ""),
        )
    return response
