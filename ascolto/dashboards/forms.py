"""The filter form every dashboard page reads from its query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ascolto.customers.models import Segment
from ascolto.dashboards.selectors import COVERAGE_DAYS
from ascolto.lib.periods import (
    COMPARE_SPAN,
    COMPARE_YEAR,
    DateInput,
    Period,
    default_period,
    period_clean,
)
from ascolto.workspaces.models import Workspace


@dataclass(frozen=True)
class DashboardFilters:
    period: Period
    segment: Segment | None
    days: int
    compare: str = COMPARE_YEAR

    @property
    def previous(self) -> Period:
        """The period compared with, as chosen (`Period.compared`)."""
        return self.period.compared(self.compare)

    @property
    def compared_with_year_before(self) -> bool:
        return self.previous == self.period.year_before()

    def query(self) -> str:
        """The filters as a query string, for links that keep them."""
        from urllib.parse import urlencode

        params = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        if self.segment is not None:
            params["segment"] = str(self.segment.pk)
        params["days"] = str(self.days)
        params["compare"] = self.compare
        return urlencode(params)


def _days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


_days_label = lazy(_days, str)


class DashboardFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    segment = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("All segments"),
    )
    days = forms.TypedChoiceField(
        label=_("Heard from in the last"),
        choices=[
            # lazy to the end, so the label is in the language of the page, not of start-up
            (d, _days_label(d))
            for d in COVERAGE_DAYS
        ],
        coerce=int,
        required=False,
        empty_value=90,
    )
    compare = forms.ChoiceField(
        label=_("Compare with"),
        choices=[
            (COMPARE_YEAR, _("the same dates a year earlier")),
            (COMPARE_SPAN, _("the same number of days just before")),
        ],
        required=False,
    )

    def __init__(self, data=None, *, workspace: Workspace, today: date | None = None):
        super().__init__(data or None)
        self.workspace = workspace
        self.fields["segment"].queryset = Segment.objects.for_workspace(workspace)
        self.default = default_period(workspace)
        if today is not None:
            self.default = Period(self.default.start, today)
        self.initial = {
            "start": self.default.start,
            "end": self.default.end,
            "days": 90,
            "compare": COMPARE_YEAR,
        }

    def clean(self):
        return period_clean(self, super().clean())

    def filters(self) -> DashboardFilters:
        """The chosen filters when the form is valid, the defaults otherwise."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return DashboardFilters(
                Period(data["start"], data["end"]),
                data["segment"],
                data["days"] or 90,
                data.get("compare") or COMPARE_YEAR,
            )
        return DashboardFilters(self.default, None, 90)
