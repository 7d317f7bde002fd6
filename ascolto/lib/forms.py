"""Showing a service's refusal on the form that asked for it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_add_refusal(form: forms.Form, error: ValidationError) -> None:
    """Add a service's `ValidationError` to `form`: messages about a field the form has go
    under that field, every other message (a field the form does not show, or none) goes on
    top of the form. `form.add_error(None, error)` would raise for a field the form lacks."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
