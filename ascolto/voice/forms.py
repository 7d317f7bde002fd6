from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ascolto.voice.formats import FORMATS
from ascolto.voice.models import Platform, ReplyTemplate, Source

MAX_UPLOAD = 20 * 1024 * 1024


class ReviewFilterForm(forms.Form):
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("All"))] + list(Platform.choices)
    )
    waiting = forms.BooleanField(label=_("Waiting for a reply"), required=False)
    to_confirm = forms.BooleanField(label=_("Customer to confirm"), required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("The reply as published"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Paste the reply you published on the platform (or leave the draft)."),
    )


class MatchForm(forms.Form):
    ACTIONS = [("confirm", "confirm"), ("reject", "reject"), ("choose", "choose")]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("Customer's email"),
        required=False,
        help_text=_("The email of the customer who wrote it, as on their page."),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "choose" and not data.get("email"):
            self.add_error("email", _("Write the customer's email."))
        return data


class SourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Source.Kind.choices)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    feed_url = forms.URLField(
        label=_("Feed address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Only for a feed: the address of the RSS or Atom feed."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Source.Kind.FEED and not data.get("feed_url"):
            self.add_error("feed_url", _("A feed needs its address."))
        return data


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Exported from"), choices=[(f.code, f.label) for f in FORMATS.values()]
    )
    file = forms.FileField(
        label=_("File"), help_text=_("CSV, Excel (.xlsx) or JSON, as the platform exports it.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is too big; the limit is 20 MB."))
        return upload


class ReplyTemplateForm(forms.Form):
    text = forms.CharField(
        label=_("Draft"),
        required=False,
        max_length=3_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, template: ReplyTemplate, **kwargs):
        super().__init__(*args, prefix=f"t{template.pk}", **kwargs)
        self.template = template
