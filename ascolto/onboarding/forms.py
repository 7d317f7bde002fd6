from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from ascolto.onboarding.sectors import Sector
from ascolto.workspaces.models import Language, validate_time_zone


class BusinessForm(forms.Form):
    """What `ascolto setup` asks, on a page: the business and its kind."""

    name = forms.CharField(label=_("Name of the business"), max_length=200)
    sector = forms.ChoiceField(
        label=_("Kind of business"),
        choices=Sector.choices,
        help_text=_("Ascolto starts you with the promises and contacts usual in this business."),
    )
    language = forms.ChoiceField(
        label=_("Language for your customers"), choices=Language.choices, initial="it"
    )
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, initial="Europe/Rome", validators=[validate_time_zone]
    )
    currency = forms.CharField(label=_("Currency"), max_length=8, initial="EUR")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Write the name of the business."))
        return name

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code such as EUR."))
        return currency


class OwnerForm(forms.Form):
    """The owner's account, on the first-run page of a fresh install."""

    first_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your email"), max_length=254)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            try:
                password_validation.validate_password(one)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
