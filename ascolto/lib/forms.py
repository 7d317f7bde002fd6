"""Form helpers: a service's refusal shown on the form, and text fields cleaned as they enter."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ascolto.lib.text import clean_text


def form_add_refusal(form: forms.Form, error: ValidationError) -> None:
    """Add a service's `ValidationError` to `form`: messages about a field the form has go
    under that field, every other message (a field the form does not show, or none) goes on
    top of the form. `form.add_error(None, error)` would raise for a field the form lacks."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class CleanTextMixin:
    """A form whose text fields are stored without control characters and bidi overrides
    (`ascolto.lib.text.clean_text`): multi-line for a textarea, one line otherwise. Put it
    first in the bases: `class CustomerForm(CleanTextMixin, forms.ModelForm)`."""

    def clean(self) -> dict:
        data = super().clean()  # type: ignore[misc]
        for name, value in list(data.items()):
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if isinstance(value, str) and field is not None:
                multiline = isinstance(field.widget, forms.Textarea)
                data[name] = clean_text(value, multiline=multiline)
        return data
