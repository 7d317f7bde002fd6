from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer, Segment
from ascolto.interactions.models import Touchpoint
from ascolto.lib.periods import DateInput, Period, default_period, period_clean
from ascolto.textanalysis.models import AspectName, Emotion, Sentiment, SourceKind
from ascolto.workspaces.models import Workspace

PERIOD_CHOICES = [
    ("this_month", _("This month")),
    ("last_30_days", _("Last 30 days")),
    ("last_90_days", _("Last 90 days")),
    ("this_year", _("This year")),
    ("all", _("All time")),
]


def _any(choices) -> list[tuple[str, str]]:
    return [("", _("Any")), *choices]


class CommentFilterForm(forms.Form):
    """Filters of the "What customers say" page. Free dates (`start`, `end`: whole days in the
    workspace's time zone, both included, checked like the dashboards' period) narrow the named
    `period`, which is then "all time" unless given too. `customer` and `touchpoint` come from
    links (a customer's page, a promise's gap card) and must belong to the workspace."""

    emotion = forms.ChoiceField(label=_("Emotion"), required=False, choices=_any(Emotion.choices))
    sentiment = forms.ChoiceField(
        label=_("Sentiment"), required=False, choices=_any(Sentiment.choices)
    )
    aspect = forms.ChoiceField(label=_("About"), required=False, choices=_any(AspectName.choices))
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIOD_CHOICES)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    segment = forms.ModelChoiceField(
        label=_("Segment"), required=False, queryset=Segment.objects.none(), empty_label=_("Any")
    )
    source_kind = forms.ChoiceField(
        label=_("Where"), required=False, choices=_any(SourceKind.choices)
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        required=False,
        queryset=Customer.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Choose a customer of this workspace.")},
    )
    touchpoint = forms.ModelChoiceField(
        label=_("Touchpoint"),
        required=False,
        queryset=Touchpoint.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Choose a touchpoint of this workspace.")},
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["segment"].queryset = Segment.objects.for_workspace(workspace).order_by("name")
        self.fields["customer"].queryset = Customer.objects.for_workspace(workspace)
        self.fields["touchpoint"].queryset = Touchpoint.objects.for_workspace(workspace)
        self.default: Period = default_period(workspace)

    def clean_period(self) -> str:
        return self.cleaned_data.get("period") or "this_month"

    def clean(self):
        data = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return data
        if data.get("start") or data.get("end"):
            data = period_clean(self, data)
            if not self.data.get("period"):
                data["period"] = "all"
        return data

    @property
    def dates(self) -> Period | None:
        """The chosen free dates of a valid form, or None."""
        data = self.cleaned_data
        if data.get("start") and data.get("end"):
            return Period(data["start"], data["end"])
        return None


class CorrectionForm(forms.Form):
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=Sentiment.choices)
    emotion = forms.ChoiceField(label=_("Emotion"), choices=Emotion.choices)
    aspects = forms.MultipleChoiceField(
        label=_("About"),
        required=False,
        choices=AspectName.choices,
        widget=forms.CheckboxSelectMultiple,
    )
