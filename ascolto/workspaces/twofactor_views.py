"""Pages of the two-step sign-in: set-up with a QR code, the code after the password, recovery
codes, turning it off. They sit before the two-step check (`before_two_factor`), since they are
where that check sends people."""

from __future__ import annotations

import django_otp
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ascolto.workspaces import twofactor
from ascolto.workspaces.forms import TwoFactorCodeForm
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import MemberRequest, member_required

# The key of an authenticator being set up, until its first code is typed.
PENDING_KEY = "ascolto_totp_pending"


def _next_url(request: MemberRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@member_required(Role.AGENT, before_two_factor=True)
def two_factor_status(request: MemberRequest) -> HttpResponse:
    user = request.user
    device = twofactor.two_factor_device(user)
    context = {
        "enabled": device is not None,
        "codes_left": twofactor.recovery_codes_left(user) if device else 0,
        "required": twofactor.two_factor_required(request.member),
        "form": TwoFactorCodeForm(),
    }
    return render(request, "workspaces/two_factor_status.html", context)


@member_required(Role.AGENT, before_two_factor=True)
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: MemberRequest) -> HttpResponse:
    user = request.user
    if twofactor.two_factor_device(user) is not None:
        return redirect("workspaces:two-factor")
    form = TwoFactorCodeForm(request.POST or None)
    pending = request.session.get(PENDING_KEY)
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.two_factor_enrol_confirm(
                user=user, pending_key=pending, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            request.session.pop(PENDING_KEY, None)
            django_otp.login(request, twofactor.two_factor_device(user))
            return _show_codes(request, codes, next_url=_next_url(request))
    device = twofactor.two_factor_enrol_start(user=user, pending_key=pending)
    request.session[PENDING_KEY] = device.key
    context = {
        "form": form,
        "qr": twofactor.two_factor_qr_svg(device),
        "secret": twofactor.two_factor_secret(device),
        "required": twofactor.two_factor_required(request.member),
        "next": _next_url(request),
    }
    status = 400 if form.errors else 200
    return render(request, "workspaces/two_factor_setup.html", context, status=status)


@member_required(Role.AGENT, before_two_factor=True)
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: MemberRequest) -> HttpResponse:
    user = request.user
    if twofactor.two_factor_device(user) is None or request.user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", _("That code is not right. Check the phone's clock and try again."))
    status = 400 if form.errors else 200
    return render(
        request,
        "workspaces/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@member_required(Role.AGENT)
@require_POST
def two_factor_recovery(request: MemberRequest) -> HttpResponse:
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            codes = twofactor.recovery_codes_regenerate(
                user=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return _show_codes(request, codes, next_url="/")
    return redirect("workspaces:two-factor")


@member_required(Role.AGENT)
@require_POST
def two_factor_disable(request: MemberRequest) -> HttpResponse:
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            twofactor.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
        except PermissionDenied:
            messages.error(request, _("Your workspace requires two-step sign-in for your role."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Two-step sign-in is off."))
    return redirect("workspaces:two-factor")


def _show_codes(request: MemberRequest, codes: list[str], *, next_url: str) -> HttpResponse:
    response = render(
        request, "workspaces/two_factor_codes.html", {"codes": codes, "next": next_url}
    )
    response["Cache-Control"] = "no-store"
    return response
