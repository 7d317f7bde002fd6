from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Segment
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
    emotion = forms.ChoiceField(label=_("Emotion"), required=False, choices=_any(Emotion.choices))
    sentiment = forms.ChoiceField(
        label=_("Sentiment"), required=False, choices=_any(Sentiment.choices)
    )
    aspect = forms.ChoiceField(label=_("About"), required=False, choices=_any(AspectName.choices))
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIOD_CHOICES)
    segment = forms.ModelChoiceField(
        label=_("Segment"), required=False, queryset=Segment.objects.none(), empty_label=_("Any")
    )
    source_kind = forms.ChoiceField(
        label=_("Where"), required=False, choices=_any(SourceKind.choices)
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.for_workspace(workspace).order_by("name")

    def clean_period(self) -> str:
        return self.cleaned_data.get("period") or "this_month"


class CorrectionForm(forms.Form):
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=Sentiment.choices)
    emotion = forms.ChoiceField(label=_("Emotion"), choices=Emotion.choices)
    aspects = forms.MultipleChoiceField(
        label=_("About"),
        required=False,
        choices=AspectName.choices,
        widget=forms.CheckboxSelectMultiple,
    )
