from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.health.measures import DEFAULT_BANDS, DEFAULT_WEIGHTS, MEASURE_LABELS

BAND_LABELS = {
    "window_days": _("Days counted for promises, complaints, words and staff signals"),
    "silence_concerning_days": _("Silence: concerning after (days)"),
    "silence_poor_days": _("Silence: poor after (days)"),
    "renewal_concerning_days": _("Renewal: concerning within (days)"),
    "renewal_poor_days": _("Renewal: poor within (days)"),
    "complaints_poor": _("Complaints: poor from (count)"),
    "broken_poor": _("Broken promises: poor from (count)"),
    "flag_days": _("Single events raise an alert for (days)"),
    "level_healthy": _("Healthy from (score)"),
    "level_watch": _("To watch from (score)"),
    "level_at_risk": _("At risk from (score; below: critical)"),
    "min_weight": _("Not enough data below (points with data)"),
    "payments_poor": _("Payments: poor from (missed in the window)"),
    "rhythm_concerning_pct": _("Own rhythm: concerning from (percent of their usual interval)"),
    "rhythm_poor_pct": _("Own rhythm: poor from (percent of their usual interval)"),
    "tenure_new_days": _("Time as a customer: new under (days)"),
}


class HealthSettingsForm(forms.Form):
    """The weights (points out of 100) and the bands of the score."""

    def __init__(self, *args: Any, weights: dict[str, int], bands: dict[str, int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in DEFAULT_WEIGHTS:
            self.fields[f"w_{name}"] = forms.IntegerField(
                label=MEASURE_LABELS[name], min_value=0, max_value=100, initial=weights[name]
            )
        for name in DEFAULT_BANDS:
            self.fields[f"b_{name}"] = forms.IntegerField(
                label=BAND_LABELS[name], min_value=0, max_value=3650, initial=bands[name]
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        weights = [data.get(f"w_{n}") or 0 for n in DEFAULT_WEIGHTS]
        if sum(weights) != 100:
            raise forms.ValidationError(
                _("The weights must add up to 100 (now %(total)s).") % {"total": sum(weights)}
            )
        if not (
            (data.get("b_level_healthy") or 0)
            > (data.get("b_level_watch") or 0)
            > (data.get("b_level_at_risk") or 0)
        ):
            raise forms.ValidationError(
                _("The level limits must go down: healthy above to watch above at risk.")
            )
        return data

    def weights(self) -> dict[str, int]:
        return {n: self.cleaned_data[f"w_{n}"] for n in DEFAULT_WEIGHTS}

    def bands(self) -> dict[str, int]:
        return {n: self.cleaned_data[f"b_{n}"] for n in DEFAULT_BANDS}
