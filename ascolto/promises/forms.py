"""Forms of the promise catalogue, the manual checks and the crisis checklist."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ascolto.customers.selectors import segment_list
from ascolto.feedback.models import Question
from ascolto.interactions.selectors import touchpoint_list
from ascolto.lib.dimensions import Dimension
from ascolto.promises.models import (
    Comparison,
    Crisis,
    DurationUnit,
    Moment,
    Promise,
    PromiseCheck,
    TargetType,
)
from ascolto.workspaces.models import Workspace

BLANK = [("", "—")]
# The fields each kind of target reads (the others are cleared before saving); the page's
# script shows only these, without it every field shows with its help text.
TYPE_FIELDS = {
    TargetType.DURATION: ("start_moment", "end_moment", "limit", "unit", "business_hours"),
    TargetType.PUNCTUALITY: ("start_moment", "end_moment", "limit"),
    TargetType.THRESHOLD: ("measure", "comparison", "limit", "unit"),
    TargetType.FLAG: (),
}
TARGET_FIELDS = (
    "start_moment",
    "end_moment",
    "limit",
    "unit",
    "business_hours",
    "measure",
    "comparison",
)


class QuestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Question) -> str:
        language = (get_language() or "it")[:2]
        return f"{obj.survey.name} · {obj.text(language)}"


class PromiseForm(forms.Form):
    """One promise of the catalogue. A duration's limit is typed in the chosen unit (the
    service stores minutes); a punctuality window is in minutes; a threshold names the
    measured value, how it compares and its unit label; a flag needs nothing more."""

    name_it = forms.CharField(label=_("Name (Italian)"), max_length=150)
    name_en = forms.CharField(label=_("Name (English)"), max_length=150, required=False)
    wording_it = forms.CharField(
        label=_("What the customer is told (Italian)"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. A technician with you within 24 h")}),
    )
    wording_en = forms.CharField(
        label=_("What the customer is told (English)"), max_length=300, required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Promise.Kind.choices)
    dimension = forms.ChoiceField(label=_("Dimension"), choices=Dimension.choices)
    touchpoint = forms.ModelChoiceField(label=_("Touchpoint"), queryset=None)
    segment = forms.ModelChoiceField(
        label=_("Only for segment"),
        queryset=None,
        required=False,
        empty_label=_("All customers"),
    )
    target_type = forms.ChoiceField(
        label=_("Target"),
        choices=TargetType.choices,
        widget=forms.Select(attrs={"data-promise-target": ""}),
    )
    start_moment = forms.ChoiceField(
        label=_("From"),
        choices=BLANK + Moment.choices,
        required=False,
        help_text=_(
            "For a maximum time: the moment the clock starts (e.g. requested). "
            "For punctuality: the planned moment (scheduled if left empty)."
        ),
    )
    end_moment = forms.ChoiceField(
        label=_("To"),
        choices=BLANK + Moment.choices,
        required=False,
        help_text=_(
            "For a maximum time: the moment the clock stops (e.g. started). "
            "For punctuality: the actual moment (started if left empty)."
        ),
    )
    limit = forms.DecimalField(
        label=_("Limit"),
        required=False,
        max_digits=9,
        decimal_places=2,
        help_text=_(
            "A maximum time in the unit below; a punctuality window in ± minutes; "
            "the limit of a measured value. Not needed for a flag."
        ),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=16,
        required=False,
        help_text=_(
            "For a maximum time: minutes, hours or days. For a measured value: any label, "
            "e.g. € or %. A punctuality window is always in minutes."
        ),
        widget=forms.TextInput(attrs={"list": "promise-units"}),
    )
    business_hours = forms.BooleanField(
        label=_("Count business hours only"),
        required=False,
        help_text=_(
            "Maximum time only: Monday to Friday, 9:00–18:00, Italian public holidays excluded."
        ),
    )
    measure = forms.SlugField(
        label=_("Measured value"),
        max_length=40,
        required=False,
        help_text=_('For a measured value: its name on the interaction, e.g. "defects".'),
    )
    comparison = forms.ChoiceField(
        label=_("Comparison"),
        choices=BLANK + Comparison.choices,
        required=False,
        help_text=_("For a measured value: how it must compare with the limit."),
    )
    question = QuestionChoiceField(
        label=_("Survey question that measures it"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("A rating question whose answers say how customers perceive this promise."),
    )

    def __init__(self, *args, workspace: Workspace, promise: Promise | None = None, **kwargs):
        if promise is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(promise)
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = touchpoint_list(workspace=workspace, active_only=False)
        self.fields["segment"].queryset = segment_list(workspace=workspace)
        self.fields["question"].queryset = (
            Question.objects.filter(
                workspace=workspace, kind__in=[Question.Kind.SCORE, Question.Kind.SCALE]
            )
            .select_related("survey")
            .order_by("survey__name", "position", "pk")
        )

    @staticmethod
    def initial_for(promise: Promise) -> dict:
        initial = {name: getattr(promise, name) for name in PROMISE_FORM_FIELDS}
        initial["touchpoint"] = promise.touchpoint_id
        initial["segment"] = promise.segment_id
        initial["question"] = promise.question_id
        limit = promise.limit_in_unit
        if limit is not None:
            limit = Decimal(limit).quantize(Decimal("0.01")).normalize()
            limit = limit.quantize(Decimal(1)) if limit == limit.to_integral() else limit
        initial["limit"] = limit
        return initial

    def clean_limit(self):
        limit = self.cleaned_data.get("limit")
        if limit is not None and limit < 0:
            raise forms.ValidationError(_("A target cannot be negative."))
        return limit

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("target_type")
        unit = (cleaned.get("unit") or "").strip()
        if kind in (TargetType.DURATION, TargetType.PUNCTUALITY, TargetType.THRESHOLD):
            if cleaned.get("limit") is None and "limit" not in self.errors:
                self.add_error("limit", _("This target needs a limit."))
        if kind == TargetType.DURATION:
            if unit not in DurationUnit.values:
                self.add_error("unit", _("Unknown unit: use minutes, hours or days."))
            if not cleaned.get("start_moment") or not cleaned.get("end_moment"):
                self.add_error(
                    "start_moment", _("Choose the two moments the time is measured between.")
                )
        elif kind == TargetType.PUNCTUALITY:
            if unit and unit != DurationUnit.MINUTES:
                self.add_error("unit", _("A punctuality window is given in minutes."))
            unit = DurationUnit.MINUTES
        elif kind == TargetType.THRESHOLD:
            if not cleaned.get("measure") and "measure" not in self.errors:
                self.add_error("measure", _('Name the measured value, e.g. "defects".'))
            if not cleaned.get("comparison"):
                self.add_error("comparison", _("Choose how the value compares with the limit."))
        cleaned["unit"] = unit
        # Fields the chosen target does not read are cleared, so a hidden leftover value
        # cannot change what the promise means.
        keep = TYPE_FIELDS.get(kind, ())
        for name in TARGET_FIELDS:
            if name not in keep and name in cleaned:
                cleaned[name] = False if name == "business_hours" else None
        for name in ("start_moment", "end_moment", "measure", "comparison", "unit"):
            if cleaned.get(name) is None:
                cleaned[name] = ""
        if kind == TargetType.PUNCTUALITY:
            cleaned["unit"] = DurationUnit.MINUTES
        return cleaned


PROMISE_FORM_FIELDS = (
    "name_it",
    "name_en",
    "wording_it",
    "wording_en",
    "kind",
    "dimension",
    "target_type",
    "start_moment",
    "end_moment",
    "unit",
    "business_hours",
    "measure",
    "comparison",
)


class CheckSetForm(forms.Form):
    """A member records or corrects the outcome of one check."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=PromiseCheck.Outcome.choices,
        error_messages={"invalid_choice": _("Choose kept, broken or not measurable.")},
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CheckFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("All outcomes")), *PromiseCheck.Outcome.choices],
        required=False,
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )


class CrisisStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=Crisis.Step.choices)
    done = forms.TypedChoiceField(
        label=_("Done"),
        choices=[("1", _("Done")), ("0", _("Not done"))],
        coerce=lambda value: value == "1",
    )


class CrisisCloseForm(forms.Form):
    note = forms.CharField(
        label=_("Notes"),
        max_length=5_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done for the customer, what was offered."),
    )
