from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.api.models import WebhookEvent
from ascolto.lib.periods import PeriodDateField, workspace_zone
from ascolto.workspaces.models import Role, Workspace


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system will use it, e.g. “Gestionale” or “E-commerce”."),
    )
    role = forms.ChoiceField(
        label=_("Acts as"),
        choices=Role.choices,
        initial=Role.MANAGER,
        help_text=_("What the other system may do, like a person with this role."),
    )
    read_only = forms.BooleanField(label=_("Read only"), required=False)
    expires_on = PeriodDateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Leave empty for a token that does not expire."),
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day after today."))
        return day

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        zone = workspace_zone(self.workspace)
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The web address of your program that receives the events."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    allow_private = forms.BooleanField(
        label=_("Allow a private network address"),
        required=False,
        help_text=_("Only for a program on your own network, such as a server in the office."),
    )


IMPORT_KINDS = [
    ("customers", _("Customers")),
    ("contracts", _("Contracts")),
    ("interactions", _("Interactions")),
]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=IMPORT_KINDS)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel (.xlsx), with the column names on the first line."),
    )
