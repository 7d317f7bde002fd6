from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ascolto.customers.models import Contract, Customer, LostRecord
from ascolto.customers.selectors import lost_reason_list, segment_list
from ascolto.lib.forms import CleanTextMixin
from ascolto.workspaces.models import Workspace
from ascolto.workspaces.selectors import member_list


class WorkspaceBoundForm(CleanTextMixin, forms.ModelForm):
    """A model form whose choice fields only offer the workspace's own rows, and whose text
    is stored without control characters or bidi overrides."""

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace


class CustomerForm(WorkspaceBoundForm):
    segment_name = forms.CharField(
        label=_("Segment"),
        required=False,
        max_length=100,
        help_text=_("Choose from the list or type a new one."),
        widget=forms.TextInput(attrs={"list": "segment-options", "autocomplete": "off"}),
    )

    class Meta:
        model = Customer
        fields = [
            "name",
            "company",
            "kind",
            "status",
            "email",
            "phone",
            "preferred_language",
            "account_owner",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, workspace: Workspace, can_assign_owner: bool = True, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        if can_assign_owner:
            self.fields["account_owner"].queryset = member_list(workspace=workspace)
        else:  # an agent's customers are their own; managers and owners reassign them
            del self.fields["account_owner"]
        self.fields["name"].widget.attrs["autofocus"] = True
        status = self.fields["status"]
        if not self.instance.pk:  # a customer is marked lost with the reason they left
            status.choices = [c for c in status.choices if c[0] != Customer.Status.LOST]
        else:
            status.help_text = _(
                "Choosing Lost asks why they left; making a prospect Active runs the fit check."
            )
        self.segments = segment_list(workspace=workspace)
        if self.instance.pk and self.instance.segment_id:
            self.initial["segment_name"] = self.instance.segment.name

    def clean_segment_name(self) -> str:
        return (self.cleaned_data.get("segment_name") or "").strip()


class ContractForm(WorkspaceBoundForm):
    class Meta:
        model = Contract
        fields = ["title", "start_date", "renewal_date", "yearly_value", "auto_renew"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "renewal_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        cleaned = super().clean()
        start, renewal = cleaned.get("start_date"), cleaned.get("renewal_date")
        if start and renewal and renewal < start:
            self.add_error("renewal_date", _("The renewal date cannot be before the start date."))
        return cleaned


class LostRecordForm(WorkspaceBoundForm):
    class Meta:
        model = LostRecord
        fields = ["lost_on", "reason", "competitor", "details"]
        widgets = {
            "lost_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "details": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, workspace=workspace, **kwargs)
        self.fields["reason"].queryset = lost_reason_list(workspace=workspace)
        self.fields["competitor"].help_text = _("Who they moved to, if you know.")
        if not self.instance.pk:
            self.initial.setdefault("lost_on", timezone.localdate())
