from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.interactions.selectors import interaction_measure_names, touchpoint_list
from ascolto.workspaces.models import Workspace
from ascolto.workspaces.selectors import member_list

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MEASURED_FIELDS = ("requested_at", "scheduled_for", "started_at", "completed_at")
MEASURE_PREFIX = "measure__"


class InteractionForm(forms.ModelForm):
    main_field_names = ("touchpoint", "channel", "occurred_at", "member", "text")
    measured_field_names = MEASURED_FIELDS

    class Meta:
        model = Interaction
        fields = ["touchpoint", "channel", "occurred_at", "member", "text", *MEASURED_FIELDS]
        widgets = {
            "occurred_at": DATETIME,
            "requested_at": DATETIME,
            "scheduled_for": DATETIME,
            "started_at": DATETIME,
            "completed_at": DATETIME,
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "requested_at": _("When the customer asked."),
            "scheduled_for": _("When it was promised or booked."),
            "started_at": _("When the work began."),
            "completed_at": _("When it was done."),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        # Active touchpoints, plus the one already chosen should it have been retired since.
        self.fields["touchpoint"].queryset = touchpoint_list(
            workspace=workspace, active_only=False
        ).filter(Q(active=True) | Q(pk=self.instance.touchpoint_id or 0))
        self.fields["member"].queryset = member_list(workspace=workspace)
        for name in ("occurred_at", *MEASURED_FIELDS):
            self.fields[name].input_formats = DATETIME_INPUT_FORMATS
        self._add_measure_fields(workspace)

    def _add_measure_fields(self, workspace: Workspace) -> None:
        """One optional number per measured value that a higher app reads ("defects", read by
        a threshold promise): see the `interaction_measures` hook."""
        current = self.instance.measures if isinstance(self.instance.measures, dict) else {}
        self.measure_names = interaction_measure_names(workspace=workspace)
        for measure, promises in self.measure_names.items():
            self.fields[MEASURE_PREFIX + measure] = forms.DecimalField(
                label=measure.replace("_", " ").replace("-", " ").capitalize(),
                required=False,
                max_digits=14,
                decimal_places=4,
                help_text=_("Measured for: %(promises)s") % {"promises": ", ".join(promises)},
                initial=current.get(measure),
            )

    def clean(self):
        cleaned = super().clean()
        measures = dict(self.instance.measures) if isinstance(self.instance.measures, dict) else {}
        for measure in self.measure_names:
            value = cleaned.pop(MEASURE_PREFIX + measure, None)
            if value is None:
                measures.pop(measure, None)
            elif value == value.to_integral_value():
                measures[measure] = int(value)
            else:
                measures[measure] = float(value)
        cleaned["measures"] = measures
        return cleaned

    @property
    def measure_fields(self) -> list[forms.BoundField]:
        return [self[MEASURE_PREFIX + name] for name in self.measure_names]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.main_field_names]

    @property
    def measured_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.measured_field_names]


class StaffSignalForm(forms.Form):
    """One line of text and the button pressed: negative, neutral or positive."""

    text = forms.CharField(
        label=_("What did you notice?"),
        max_length=500,
        error_messages={"required": _("Write what you noticed, then choose a button.")},
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. seemed annoyed on the phone"), "autocomplete": "off"}
        ),
    )
    polarity = forms.ChoiceField(
        label=_("Polarity"),
        choices=StaffSignal.Polarity.choices,
        error_messages={
            "required": _("Choose negative, neutral or positive."),
            "invalid_choice": _("Choose negative, neutral or positive."),
        },
    )

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()
