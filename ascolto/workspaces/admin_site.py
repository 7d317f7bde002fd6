"""The Django admin's site with the second step of the sign-in (docs/security.md).

Staff accounts sign in to `/admin/` with their password and, when they have an authenticator
(or a workspace they belong to requires one of their role), a code from the app or a recovery
code, on the same form. The admin's pages open only to a session that passed that step
(`is_verified()`, django-otp), so a session signed in on the main site with the password alone
is sent back to the admin's sign-in form.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ascolto.workspaces import twofactor
from ascolto.workspaces.models import Membership


def admin_second_step(user: User) -> str:
    """What the admin asks of this account after its password: "code" (it has an
    authenticator), "setup" (a workspace requires one and it has none), or ""."""
    if twofactor.two_factor_device(user) is not None:
        return "code"
    memberships = Membership.objects.select_related("workspace").filter(user=user)
    if any(twofactor.two_factor_required(m) for m in memberships):
        return "setup"
    return ""


class AdminTwoStepForm(AdminAuthenticationForm):
    code = forms.CharField(
        label=gettext_lazy("Code from the app, or a recovery code"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)  # active and staff
        step = admin_second_step(user)
        if step == "setup":
            raise ValidationError(
                _(
                    "A workspace you belong to requires two-step sign-in: turn it on in your "
                    "account (Two-step sign-in) first."
                ),
                code="two_factor_setup",
            )
        if step == "code":
            device = twofactor.two_factor_verify(user=user, code=self.cleaned_data.get("code", ""))
            if device is None:
                raise ValidationError(
                    _("Type the code from the authenticator app (or a recovery code)."),
                    code="two_factor_code",
                )
            # django-otp marks the session as verified when the login signal sees this.
            user.otp_device = device  # type: ignore[attr-defined]


class AscoltoAdminSite(AdminSite):
    login_form = AdminTwoStepForm
    login_template = "admin_two_step/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        user = request.user
        if user.is_verified():  # type: ignore[union-attr]
            return True
        return admin_second_step(user) == ""  # type: ignore[arg-type]
