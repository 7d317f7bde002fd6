from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.cases.models import (
    Case,
    CaseCategory,
    CaseEmotion,
    CaseSettings,
    Remedy,
    RemedyKind,
    Severity,
)
from ascolto.interactions.models import Channel
from ascolto.workspaces.models import Language, Membership, Role, Workspace


class CaseOpenForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=CaseCategory.objects.none())
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial="medium")
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    emotion = forms.ChoiceField(
        label=_("How the customer feels"),
        choices=[("", "—"), *CaseEmotion.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.for_workspace(workspace).filter(
            active=True
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Case.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=5_000)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Case.Outcome.choices], required=False
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5_000
    )


class RemedyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Remedy"), choices=RemedyKind.choices)
    amount = forms.DecimalField(
        label=_("Value"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0"),
    )
    why = forms.CharField(label=_("Why"), required=False, max_length=500)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class QueueFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Show"),
        choices=[("mine", _("Mine")), ("team", _("Whole team")), ("unassigned", _("Nobody's"))],
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=CaseCategory.objects.none(), required=False
    )
    breaching = forms.BooleanField(label=_("Only deadlines close or missed"), required=False)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.for_workspace(workspace)


# --- settings pages (managers and owners) ------------------------------------------------------


class AmountField(forms.DecimalField):
    """A number with a decimal comma or point ("0,5" or "0.5"), as people type it."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace(",", ".")
        return super().to_python(value)


class _WorkspaceForm(forms.Form):
    """A form whose choices are the workspace's own rows."""

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        for name in ("category",):
            if name in self.fields:
                self.fields[name].queryset = CaseCategory.objects.for_workspace(workspace)


class CategoryForm(_WorkspaceForm):
    category = forms.ModelChoiceField(
        queryset=CaseCategory.objects.none(), required=False, widget=forms.HiddenInput
    )
    name_it = forms.CharField(label=_("Name (Italian)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    active = forms.BooleanField(label=_("Offered for new cases"), required=False, initial=True)


HOURS = {"min_value": Decimal("0"), "max_value": Decimal("10000"), "decimal_places": 2}


class SlaForm(_WorkspaceForm):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CaseCategory.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("All severities")), *Severity.choices], required=False
    )
    acknowledge_hours = AmountField(label=_("Acknowledge within (business hours)"), **HOURS)
    respond_hours = AmountField(label=_("First response within (business hours)"), **HOURS)
    resolve_hours = AmountField(label=_("Resolve within (business hours)"), **HOURS)

    def minutes(self, name: str) -> int:
        return int((self.cleaned_data[name] * 60).to_integral_value())


class RemedyOptionForm(_WorkspaceForm):
    kind = forms.ChoiceField(label=_("Remedy"), choices=RemedyKind.choices)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CaseCategory.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    default_amount = AmountField(
        label=_("Usual value"), min_value=Decimal("0"), max_digits=12, decimal_places=2
    )
    max_amount = AmountField(
        label=_("At most"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: no maximum."),
    )
    active = forms.BooleanField(label=_("Allowed"), required=False, initial=True)


class BudgetForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), required=False)
    member = forms.ModelChoiceField(
        label=_("Or one member"), queryset=Membership.objects.none(), required=False
    )
    per_case = AmountField(
        label=_("Per case"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: no limit."),
    )
    per_month = AmountField(
        label=_("Per month"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: no limit."),
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *Role.choices]
        self.fields["member"].queryset = Membership.objects.filter(
            workspace=workspace
        ).select_related("user")
        self.fields["member"].label_from_instance = lambda m: m.display_name

    def clean(self):
        data = super().clean()
        if bool(data.get("role")) == bool(data.get("member")):
            raise forms.ValidationError(_("Choose a role or one member, not both."))
        return data


class CaseSettingsForm(forms.ModelForm):
    class Meta:
        model = CaseSettings
        fields = ["detractor_callback", "acknowledge_email", "win_back_days"]
        widgets = {"win_back_days": forms.NumberInput(attrs={"min": 0, "max": 3650})}

    def clean_win_back_days(self):
        days = self.cleaned_data["win_back_days"]
        if days > 3650:
            raise forms.ValidationError(_("At most 3650 days."))
        return days


class ReplyTemplateForm(_WorkspaceForm):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CaseCategory.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    emotion = forms.ChoiceField(
        label=_("Emotion"), choices=[("", _("Any emotion")), *CaseEmotion.choices], required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    subject = forms.CharField(label=_("Email subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("{name}: the customer's name; {case}: the case number; {business}: yours."),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class LedgerFilterForm(_WorkspaceForm):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    member = forms.ModelChoiceField(
        label=_("Member"), queryset=Membership.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=CaseCategory.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Remedy.Status.choices], required=False
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["member"].queryset = Membership.objects.filter(
            workspace=workspace
        ).select_related("user")
        self.fields["member"].label_from_instance = lambda m: m.display_name

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end comes before the start."))
        return data
