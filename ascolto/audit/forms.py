from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.audit.models import Action
from ascolto.lib.periods import PeriodDateField
from ascolto.workspaces.models import Membership, Workspace


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("Everything"))] + Action.choices
    )
    member = forms.ModelChoiceField(
        label=_("Who"), required=False, queryset=Membership.objects.none(), empty_label=_("Anyone")
    )
    ip = forms.GenericIPAddressField(label=_("Address"), required=False)
    start = PeriodDateField(label=_("From"), required=False)
    end = PeriodDateField(label=_("To"), required=False)

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Membership.objects.filter(
            workspace=workspace
        ).select_related("user")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."))
        return data
