from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.lib.periods import PeriodDateField
from ascolto.privacy.models import DataRequest
from ascolto.privacy.services import MIN_PHONE_DIGITS, phone_digits


class PersonSearchForm(forms.Form):
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Write the person's email address or phone number."))
        if data.get("phone") and len(phone_digits(data["phone"])) < MIN_PHONE_DIGITS:
            self.add_error(
                "phone",
                _("Write the whole number, at least %(count)s digits.")
                % {"count": MIN_PHONE_DIGITS},
            )
        return data


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: the name, contacts and texts of this customer are erased for good."),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )
    redact = forms.MultipleChoiceField(
        label=_("Also remove the person from these texts"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, mention_keys: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["redact"].choices = mention_keys


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("The person asks to"), choices=DataRequest.Kind.choices)
    received_on = PeriodDateField(label=_("Received on"))
    channel = forms.CharField(
        label=_("Received by"),
        required=False,
        max_length=40,
        help_text=_("Email, letter, phone, at the desk…"),
    )
    email = forms.EmailField(label=_("Their email"), required=False, max_length=254)
    phone = forms.CharField(label=_("Their phone"), required=False, max_length=40)
