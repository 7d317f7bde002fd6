from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ascolto.workspaces.models import Membership, Role, Workspace


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class PasswordResetRequestForm(PasswordResetForm):
    """The address to send a reset link to. The view queues the mail
    (`services.password_reset_request`); this form only checks the address."""


def grantable_roles(member: Membership) -> list[tuple[str, str | Promise]]:
    """The roles `member` may hand out: owners any, managers up to manager, agents none."""
    if member.has_role(Role.OWNER):
        return list(Role.choices)
    if member.has_role(Role.MANAGER):
        return [(value, label) for value, label in Role.choices if value != Role.OWNER]
    return []


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)

    def __init__(self, *args, member: Membership | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None:
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)  # noqa: S101 (declared above)
            role.choices = grantable_roles(member)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class InvitationSignupForm(forms.Form):
    """A new person's name and password. Django's password validators (length, common
    passwords, similarity to the email) apply; there are no composition rules."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self) -> str:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password, user=get_user_model()(email=self.email, username=self.email))
        return password


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ["name", "language", "time_zone", "currency", "require_two_factor"]


# Monday first, as `Workspace.opening_hours` stores them.
WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class BusinessHoursForm(forms.Form):
    """Opening hours per weekday, closed days and public holidays (`Workspace.clean` checks
    the text)."""

    closed_days = forms.CharField(
        label=_("Closed days"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "08/12/2026\n24/12/2026 - 06/01/2027\n10/08 - 23/08"}
        ),
        help_text=Workspace._meta.get_field("closed_days").help_text,
    )
    public_holidays = forms.BooleanField(
        label=_("Closed on Italian public holidays"), required=False
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        initial = {
            "closed_days": workspace.closed_days,
            "public_holidays": workspace.public_holidays,
        }
        for number, line in enumerate(workspace.opening_hours):
            initial[f"day_{number}"] = line
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for number, name in enumerate(WEEKDAYS):
            self.fields[f"day_{number}"] = forms.CharField(
                label=name,
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"placeholder": _("closed")}),
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{number}"] for number in range(7)]

    def values(self) -> dict[str, object]:
        return {
            "opening_hours": [self.cleaned_data[f"day_{n}"] for n in range(7)],
            "closed_days": self.cleaned_data["closed_days"],
            "public_holidays": self.cleaned_data["public_holidays"],
        }


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )
