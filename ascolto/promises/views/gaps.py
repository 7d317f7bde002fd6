"""The gap pages: promised, delivered, perceived and expected for each promise, for the whole
workspace (or one segment) and for one customer. Read-only, for every member."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ascolto.customers.models import Customer, Segment
from ascolto.lib.periods import DateInput, Period, default_period, period_clean
from ascolto.promises import charts
from ascolto.promises.gaps import BUCKET_LABELS, LOW_N, Scope, customers_differing, gaps_for_scope
from ascolto.workspaces.models import Role
from ascolto.workspaces.tenancy import get_for_workspace, member_required


@dataclass(frozen=True)
class GapFilters:
    period: Period
    segment: Segment | None

    def query(self) -> str:
        params = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        if self.segment is not None:
            params["segment"] = str(self.segment.pk)
        return urlencode(params)


class GapFilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
    segment = forms.ModelChoiceField(
        label=gettext_lazy("Segment"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=gettext_lazy("All segments"),
    )

    def __init__(self, data=None, *, workspace, with_segment: bool = True):
        super().__init__(data or None)
        self.default = default_period(workspace)
        self.initial = {"start": self.default.start, "end": self.default.end}
        if with_segment:
            self.fields["segment"].queryset = Segment.objects.for_workspace(workspace)
        else:
            del self.fields["segment"]

    def clean(self):
        return period_clean(self, super().clean())

    def filters(self) -> GapFilters:
        """The chosen filters when the form is valid, the defaults otherwise."""
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            return GapFilters(Period(data["start"], data["end"]), data.get("segment"))
        return GapFilters(self.default, None)


def _page(request: HttpRequest, *, customer: Customer | None = None) -> HttpResponse:
    form = GapFilterForm(request.GET, workspace=request.workspace, with_segment=customer is None)
    filters = form.filters()
    status = 400 if form.is_bound and not form.is_valid() else 200
    scope = Scope(request.workspace, filters.period, segment=filters.segment, customer=customer)
    gaps = gaps_for_scope(scope)
    cards = [
        {
            "gap": gap,
            "sparkline": charts.sparkline_svg(
                gap.trend,
                label=_("Share of checks kept per month: %(promise)s")
                % {"promise": gap.promise.label},
            ),
            "distribution": charts.distribution_svg(
                gap.distribution,
                label=_("Measured values against the limit: %(promise)s")
                % {"promise": gap.promise.label},
            )
            if gap.distribution_total
            else None,
        }
        for gap in gaps
    ]
    context = {
        "form": form,
        "filters": filters,
        "query": filters.query(),
        "customer": customer,
        "cards": cards,
        "gaps": gaps,
        "chart": charts.gaps_svg(
            gaps, label=_("Promised, delivered and perceived, per promise, in percent")
        )
        if gaps
        else None,
        "differing": customers_differing(scope, promises={g.promise.pk: g.promise for g in gaps})
        if customer is None
        else [],
        "low_n": LOW_N,
        "bucket_labels": [str(label) for label in BUCKET_LABELS],
        "bucket_colours": charts.BUCKET_COLOURS,
    }
    return render(request, "promises/gaps.html", context, status=status)


@member_required(Role.AGENT)
def gap_overview(request: HttpRequest) -> HttpResponse:
    return _page(request)


@member_required(Role.AGENT)
def gap_customer(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_workspace(request, Customer, pk)
    return _page(request, customer=customer)
