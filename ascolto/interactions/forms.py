from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.interactions.selectors import touchpoint_list
from ascolto.workspaces.models import Workspace
from ascolto.workspaces.selectors import member_list

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = [
            "touchpoint",
            "channel",
            "occurred_at",
            "member",
            "text",
            "requested_at",
            "scheduled_for",
            "started_at",
            "completed_at",
        ]
        widgets = {
            "occurred_at": DATETIME,
            "requested_at": DATETIME,
            "scheduled_for": DATETIME,
            "started_at": DATETIME,
            "completed_at": DATETIME,
            "text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["touchpoint"].queryset = touchpoint_list(workspace=workspace)
        self.fields["member"].queryset = member_list(workspace=workspace)
        for name in ("occurred_at", "requested_at", "scheduled_for", "started_at", "completed_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class StaffSignalForm(forms.Form):
    text = forms.CharField(
        label=_("What did you notice?"),
        max_length=500,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. seemed annoyed on the phone"), "autocomplete": "off"}
        ),
    )
    polarity = forms.ChoiceField(choices=StaffSignal.Polarity.choices)
