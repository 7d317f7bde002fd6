from __future__ import annotations

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Customer, Segment
from ascolto.feedback.models import (
    CadenceRule,
    Dimension,
    Invitation,
    Question,
    Response,
    Survey,
)
from ascolto.feedback.services.bulk import BulkChoice
from ascolto.interactions.models import Touchpoint
from ascolto.lib.periods import PeriodDateField
from ascolto.workspaces.models import Language, Membership, Workspace


class SurveyCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Survey.Kind.choices)


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "name",
            "active",
            "title_it",
            "title_en",
            "intro_it",
            "intro_en",
            "thanks_it",
            "thanks_en",
            "reminder_after_days",
            "expires_after_days",
        ]
        widgets = {
            "intro_it": forms.Textarea(attrs={"rows": 3}),
            "intro_en": forms.Textarea(attrs={"rows": 3}),
            "thanks_it": forms.Textarea(attrs={"rows": 3}),
            "thanks_en": forms.Textarea(attrs={"rows": 3}),
        }


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Question.Kind.SCALE, Question.Kind.SCALE.label),
            (Question.Kind.YESNO, Question.Kind.YESNO.label),
            (Question.Kind.CHOICE, Question.Kind.CHOICE.label),
            (Question.Kind.TEXT, Question.Kind.TEXT.label),
        ],
    )
    text_it = forms.CharField(label=_("Question (Italian)"), max_length=300)
    text_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    min_value = forms.IntegerField(
        label=_("Lowest value"), required=False, min_value=0, max_value=10
    )
    max_value = forms.IntegerField(
        label=_("Highest value"), required=False, min_value=1, max_value=10
    )
    low_label_it = forms.CharField(
        label=_("The lowest value means (Italian)"),
        max_length=60,
        required=False,
        help_text=_("Shown under the scale. Empty: the usual words, such as “Very poor”."),
    )
    high_label_it = forms.CharField(
        label=_("The highest value means (Italian)"),
        max_length=60,
        required=False,
        help_text=_("Empty: the usual words, such as “Excellent”."),
    )
    low_label_en = forms.CharField(
        label=_("The lowest value means (English)"), max_length=60, required=False
    )
    high_label_en = forms.CharField(
        label=_("The highest value means (English)"), max_length=60, required=False
    )
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=3_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: Italian | English."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    dimension = forms.ChoiceField(
        label=_("Rates the promise dimension"),
        choices=[("", "—"), *Dimension.choices],
        required=False,
    )
    touchpoint = forms.ModelChoiceField(
        label=_("Rates the touchpoint"), queryset=Touchpoint.objects.none(), required=False
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = Touchpoint.objects.for_workspace(workspace).filter(
            active=True
        )

    def clean_choices_text(self) -> list[dict[str, str]]:
        choices = []
        for line in (self.cleaned_data.get("choices_text") or "").splitlines():
            if not line.strip():
                continue
            it, _sep, en = line.partition("|")
            it, en = it.strip()[:100], en.strip()[:100]
            value = slugify(it)[:40] or f"c{len(choices) + 1}"
            if any(c["value"] == value for c in choices):
                value = f"{value[:36]}-{len(choices) + 1}"
            choices.append({"value": value, "it": it, "en": en})
        return choices

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["choices"] = data.pop("choices_text")
        if data.get("dimension") or data.get("touchpoint"):
            data["role"] = Question.Role.DIMENSION
        else:
            data["role"] = Question.Role.OTHER
        if data["kind"] != Question.Kind.SCALE:
            data["min_value"] = data["max_value"] = None
            for name in ("low_label_it", "low_label_en", "high_label_it", "high_label_en"):
                data[name] = ""
        return data


class InvitationForm(forms.Form):
    survey = forms.ModelChoiceField(label=_("Survey"), queryset=Survey.objects.none())
    channel = forms.ChoiceField(
        label=_("How"), choices=Invitation.Channel.choices, initial=Invitation.Channel.EMAIL
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The customer's language")), *Language.choices],
        required=False,
    )
    confirmed = forms.BooleanField(
        label=_("I know, send it anyway."),
        required=False,
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.for_workspace(workspace).filter(active=True)


class OpenLinkForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class ResponseFilterForm(forms.Form):
    survey = forms.ModelChoiceField(
        label=_("Survey"), queryset=Survey.objects.none(), required=False
    )
    band = forms.ChoiceField(
        label=_("Score band"), choices=[("", _("All")), *Response.Band.choices], required=False
    )
    start = PeriodDateField(label=_("From"), required=False)
    end = PeriodDateField(label=_("To"), required=False)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.for_workspace(workspace)


class CadenceRuleForm(forms.ModelForm):
    """A cadence rule; the lists offer only this workspace's surveys, segments, touchpoints."""

    class Meta:
        model = CadenceRule
        fields = [
            "name",
            "survey",
            "active",
            "customer_kind",
            "segment",
            "every_days",
            "fatigue_days",
            "after_touchpoint",
            "after_complaint_resolved",
            "days_before_renewal",
        ]

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        self.fields["survey"].queryset = Survey.objects.for_workspace(workspace)
        self.fields["segment"].queryset = Segment.objects.for_workspace(workspace)
        self.fields["after_touchpoint"].queryset = Touchpoint.objects.for_workspace(workspace)
        for name in ("every_days", "fatigue_days", "days_before_renewal"):
            self.fields[name].widget.attrs.update({"min": 1, "max": 3650})


class BulkSendForm(forms.Form):
    """Whom to send a survey to at once (every filter optional but the survey)."""

    survey = forms.ModelChoiceField(label=_("Survey"), queryset=Survey.objects.none())
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=Segment.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Kind of customer"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, initial=Customer.Status.ACTIVE)
    account_owner = forms.ModelChoiceField(
        label=_("Account owner"), queryset=Membership.objects.none(), required=False
    )
    silent_days = forms.IntegerField(
        label=_("Not heard from in (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Only customers who have not answered a survey in this many days."),
    )
    fatigue_days = forms.IntegerField(
        label=_("Do not ask anyone asked in the last (days)"),
        initial=30,
        min_value=0,
        max_value=365,
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(workspace=workspace, active=True)
        self.fields["segment"].queryset = Segment.objects.filter(workspace=workspace)
        self.fields["account_owner"].queryset = Membership.objects.filter(
            workspace=workspace
        ).select_related("user")
        self.fields["kind"].choices = [("", _("All")), *Customer.Kind.choices]
        self.fields["status"].choices = [
            (Customer.Status.ACTIVE, Customer.Status.ACTIVE.label),
            (Customer.Status.PROSPECT, Customer.Status.PROSPECT.label),
            ("", _("Active and prospects")),
        ]

    def choice(self) -> BulkChoice:
        data = self.cleaned_data
        return BulkChoice(
            survey=data["survey"],
            segment_id=data["segment"].pk if data.get("segment") else None,
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            account_owner_id=data["account_owner"].pk if data.get("account_owner") else None,
            silent_days=data.get("silent_days"),
            fatigue_days=data["fatigue_days"],
        )
