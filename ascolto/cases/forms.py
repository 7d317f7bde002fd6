from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.cases.models import Case, CaseCategory, CaseEmotion, RemedyKind, Severity
from ascolto.interactions.models import Channel
from ascolto.workspaces.models import Workspace


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
