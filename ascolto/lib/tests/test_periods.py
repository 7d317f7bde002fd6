"""Period filter forms: out-of-range dates are the form's message, never an overflow."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.utils import translation

from ascolto.lib.periods import Period, PeriodDateField, period_clean


class PlainDatesForm(forms.Form):
    """A period form declared with Django's own DateField, like most filter forms."""

    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    default = Period(date(2025, 1, 1), date(2025, 12, 31))

    def clean(self):
        return period_clean(self, super().clean())


class PeriodFieldsForm(forms.Form):
    start = PeriodDateField(required=False)
    end = PeriodDateField(required=False)


@pytest.mark.parametrize("form_class", [PlainDatesForm, PeriodFieldsForm])
@pytest.mark.parametrize(
    "query",
    [
        {"end": "0001-01-01"},
        {"end": "9999-12-31"},
        {"start": "0001-01-01"},
        {"start": "9999-12-31", "end": "9999-12-31"},
        {"start": "1999-12-31"},
    ],
)
def test_dates_outside_the_calendar_are_refused_with_a_message(form_class, query):
    with translation.override("it"):
        form = form_class(query)
        assert not form.is_valid()
    name = next(iter(query))
    assert form.errors[name] == ["Scegliere una data tra gli anni 2000 e 2100."]


def test_dates_inside_the_calendar_make_a_period():
    form = PlainDatesForm({"end": "2100-12-31"})
    assert form.is_valid()
    assert form.cleaned_data["start"] == date(2100, 1, 1)
