from django import forms
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.interactions.selectors import (
    interaction_measure_names,
    interaction_moments_needed,
    touchpoint_list,
)
from ascolto.lib.forms import CleanTextMixin
from ascolto.workspaces.models import Workspace
from ascolto.workspaces.selectors import member_list

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MEASURED_FIELDS = ("requested_at", "scheduled_for", "started_at", "completed_at")
MEASURE_PREFIX = "measure__"


class InteractionForm(CleanTextMixin, forms.ModelForm):
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
        self.moments_needed = interaction_moments_needed(workspace=workspace)
        self.asks_missing_times = False
        self.fields["missing_times_ok"] = forms.BooleanField(
            label=_("Save without these times: the promise will show as not measurable."),
            required=False,
        )

    def time_label(self, name: str) -> str:
        return str(self.fields[name].label)

    @property
    def promise_times(self) -> list[dict]:
        """For each touchpoint whose promises read the times: the touchpoint, and each promise
        with the times it reads, in words ("Consegna puntuale: scheduled for → started at")."""
        chosen = self["touchpoint"].value()
        rows = []
        for touchpoint in self.fields["touchpoint"].queryset:
            readers = self.moments_needed.get(touchpoint.pk)
            if not readers:
                continue
            rows.append(
                {
                    "touchpoint": touchpoint,
                    "chosen": str(touchpoint.pk) == str(chosen),
                    "promises": [
                        {
                            "label": label,
                            "times": format_lazy(
                                "{} → {}", *[self.time_label(name) for name in names]
                            ),
                        }
                        for label, names in readers
                    ],
                }
            )
        return rows

    def _check_times(self, cleaned: dict) -> None:
        """Ask for the times the chosen touchpoint's promises read; saving without them is a
        choice the user makes (the promise then shows as not measurable on the timeline)."""
        touchpoint = cleaned.get("touchpoint")
        readers = self.moments_needed.get(touchpoint.pk) if touchpoint is not None else None
        if not readers or cleaned.get("missing_times_ok"):
            return
        missing_by_field: dict[str, list[str]] = {}
        for label, names in readers:
            for name in names:
                if name in self.fields and not cleaned.get(name) and name not in self.errors:
                    missing_by_field.setdefault(name, []).append(label)
        if not missing_by_field:
            return
        self.asks_missing_times = True
        for name, labels in missing_by_field.items():
            self.add_error(
                name,
                ngettext(
                    "The promise %(promises)s reads this time: fill it in to measure it.",
                    "The promises %(promises)s read this time: fill it in to measure them.",
                    len(labels),
                )
                % {"promises": ", ".join(f"«{label}»" for label in labels)},
            )
        self.add_error(
            None,
            gettext(
                "Some times the promises of this touchpoint read are missing. Fill them in, "
                "or tick the box below to save without them."
            ),
        )

    def _add_measure_fields(self, workspace: Workspace) -> None:
        """One optional number per measured value that a higher app reads ("defects", read by
        a threshold promise): see the `interaction_measures` hook."""
        current = self.instance.measures if isinstance(self.instance.measures, dict) else {}
        self.measure_names = interaction_measure_names(workspace=workspace)
        for measure, promises in self.measure_names.items():
            # Named by the promises that read it: the measure's own name is a code
            # ("price_increase"), not words a person reads.
            self.fields[MEASURE_PREFIX + measure] = forms.DecimalField(
                label=", ".join(f"«{label}»" for label in promises),
                required=False,
                max_digits=14,
                decimal_places=4,
                help_text=ngettext(
                    "The number this promise is checked against.",
                    "The number these promises are checked against.",
                    len(promises),
                ),
                initial=current.get(measure),
            )

    def clean(self):
        cleaned = super().clean()
        self._check_times(cleaned)
        cleaned.pop("missing_times_ok", None)
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


class StaffSignalForm(CleanTextMixin, forms.Form):
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
