"""Forms of the fit check: a customer's need, and the reason to take them despite a misfit."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ascolto.interactions.selectors import touchpoint_list
from ascolto.lib.dimensions import Dimension
from ascolto.promises.models import Comparison, DurationUnit, TargetType
from ascolto.promises.selectors import promise_measure_names
from ascolto.workspaces.models import Workspace

UNIT_CHOICES = [("", "—"), *DurationUnit.choices]


class ExpectationForm(forms.Form):
    """One need, in their words and as a measurable target. The limit of a duration is typed
    in the chosen unit (the service stores minutes); a punctuality window is in minutes; a
    threshold names the measured value and how it compares; a flag has no limit."""

    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    touchpoint = forms.ModelChoiceField(
        label=_("Touchpoint"),
        queryset=None,
        required=False,
        empty_label=_("Any"),
        help_text=_("Only if the need is about one kind of contact."),
    )
    text = forms.CharField(
        label=_("What they need, in their words"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. someone on site within 4 hours")}),
    )
    target_type = forms.ChoiceField(label=_("Kind of need"), choices=TargetType.choices)
    limit = forms.DecimalField(
        label=_("Limit"),
        required=False,
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        help_text=_("Not needed for a flag."),
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=UNIT_CHOICES,
        required=False,
        help_text=_("For a time: minutes, hours or days. A punctuality window is in minutes."),
    )
    measure = forms.CharField(
        label=_("What is measured"),
        required=False,
        max_length=40,
        widget=forms.Select,
        help_text=_("For a measured value: the promise whose number it is compared with."),
    )
    measure_words = forms.CharField(
        label=_("Or, in your words"),
        max_length=40,
        required=False,
        help_text=_("Something no promise measures yet, e.g. “aumento di prezzo”."),
    )
    comparison = forms.ChoiceField(
        label=_("Comparison"), choices=[("", "—"), *Comparison.choices], required=False
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = touchpoint_list(workspace=workspace)
        # The measured values the catalogue's promises read, by the promises' names: a person
        # chooses "«Nessun rincaro a sorpresa»", not types "price_increase".
        measures = promise_measure_names(workspace=workspace)
        current = getattr(self.instance, "measure", "") if hasattr(self, "instance") else ""
        choices = [("", "—")] + [
            (measure, ", ".join(f"«{label}»" for label in labels))
            for measure, labels in measures.items()
        ]
        if current and current not in measures:
            choices.append((current, current.replace("_", " ")))
        self.fields["measure"].widget.choices = choices

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("target_type")
        limit, unit = cleaned.get("limit"), cleaned.get("unit") or ""
        if kind in (TargetType.DURATION, TargetType.PUNCTUALITY, TargetType.THRESHOLD):
            if limit is None and "limit" not in self.errors:
                self.add_error("limit", _("Say how much: this need has a limit."))
        if kind == TargetType.DURATION and unit not in (
            DurationUnit.MINUTES,
            DurationUnit.HOURS,
            DurationUnit.DAYS,
        ):
            self.add_error("unit", _("Choose minutes, hours or days."))
        if kind == TargetType.PUNCTUALITY:
            if unit and unit != DurationUnit.MINUTES:
                self.add_error("unit", _("A punctuality window is given in minutes."))
            cleaned["unit"] = DurationUnit.MINUTES
        words = (cleaned.pop("measure_words", "") or "").strip()
        chosen = (cleaned.get("measure") or "").strip()
        cleaned["measure"] = slugify(chosen or words).replace("-", "_")[:40]
        if kind == TargetType.THRESHOLD:
            if not cleaned.get("measure") and "measure" not in self.errors:
                self.add_error(
                    "measure", _("Choose what is measured, or say it in your words below.")
                )
            if not cleaned.get("comparison"):
                self.add_error("comparison", _("Choose how the value compares with the limit."))
            cleaned["unit"] = ""
        else:
            cleaned["measure"], cleaned["comparison"] = "", ""
        if kind == TargetType.FLAG:
            cleaned["limit"], cleaned["unit"] = None, ""
        return cleaned


class ConvertForm(forms.Form):
    """Taking a prospect on. The reason is required only when the fit check found mismatches
    (the view says so with `reason_required`)."""

    reason = forms.CharField(
        label=_("Why take them anyway"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What you will do about the needs you cannot meet, or why they do not matter. "
            "It stays on record with the mismatches."
        ),
    )

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required
        if reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "Their needs do not fit your promises: say why you take them anyway."
            )

    def clean_reason(self) -> str:
        reason = (self.cleaned_data.get("reason") or "").strip()
        if self.reason_required and not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason
