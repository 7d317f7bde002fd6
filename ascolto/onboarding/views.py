"""The first-run page, "start a new business", and the checklist on the home page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ascolto.onboarding import selectors, services
from ascolto.onboarding.forms import BusinessForm, OwnerForm
from ascolto.onboarding.models import Onboarding
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import SESSION_KEY, MemberRequest, member_required, membership_of


def fresh_install() -> bool:
    """No account and no workspace yet: the first visitor is shown the first-run page."""
    return not get_user_model().objects.exists()


def home_page(*, request: HttpRequest) -> HttpResponse | None:
    """The home page's onboarding part (a `core.hooks.home_page` function): the first-run
    page on a fresh install, "start your business" for an account without a workspace, the
    checklist for an owner or manager of a workspace started with `ascolto setup` until it is
    done or put away. None otherwise (the customer list, as before)."""
    if not request.user.is_authenticated:
        return redirect("onboarding:first-run") if fresh_install() else None
    membership = membership_of(request)
    if membership is None:
        return redirect("onboarding:workspace-new")
    if not membership.has_role(Role.MANAGER):
        return None
    if not Onboarding.objects.filter(workspace_id=membership.workspace_id).exists():
        return None
    checklist = selectors.onboarding_checklist(workspace=membership.workspace)
    if checklist.dismissed:
        return None
    return render(
        request,
        "onboarding/home.html",
        {"checklist": checklist, "workspace": membership.workspace},
    )


def _setup_error(form: BusinessForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def first_run(request: HttpRequest) -> HttpResponse:
    """A fresh install's first page: the owner's account and the business, in one form.
    Gone (404) as soon as any account exists, so nobody can use it to take over a running
    installation; from then on new businesses are started by a signed-in user."""
    if not fresh_install():
        raise Http404
    business = BusinessForm(request.POST or None, prefix="business")
    owner = OwnerForm(request.POST or None, prefix="owner")
    if request.method == "POST" and business.is_valid() and owner.is_valid():
        try:
            with transaction.atomic():
                if not fresh_install():  # two first visitors at once: the second loses
                    raise Http404
                user = services.owner_account(
                    email=owner.cleaned_data["email"],
                    first_name=owner.cleaned_data["first_name"],
                    password=owner.cleaned_data["password1"],
                )
                workspace = services.workspace_setup(owner=user, **business.cleaned_data)
        except ValidationError as exc:
            _setup_error(business, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, _("Your business is ready. Here are the first steps."))
            return redirect("core:home")
    return render(request, "onboarding/first_run.html", {"business": business, "owner": owner})


@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    """Start a business of one's own (any signed-in user): it is created with its sector's
    defaults and the user as its owner, and becomes the current workspace."""
    form = BusinessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_setup(owner=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _setup_error(form, exc)
        else:
            request.session[SESSION_KEY] = workspace.pk
            messages.success(request, _("Your business is ready. Here are the first steps."))
            return redirect("core:home")
    return render(
        request,
        "onboarding/workspace_new.html",
        {"form": form, "has_workspace": membership_of(request) is not None},
    )


@require_POST
@member_required(Role.MANAGER)
def promises_reviewed(request: MemberRequest) -> HttpResponse:
    services.onboarding_promises_reviewed(workspace=request.workspace, by=request.member)
    return redirect("core:home")


@require_POST
@member_required(Role.MANAGER)
def checklist_dismiss(request: MemberRequest) -> HttpResponse:
    services.onboarding_dismiss(workspace=request.workspace, by=request.member)
    messages.info(request, _("The checklist is put away."))
    return redirect("customers:customer-list")
