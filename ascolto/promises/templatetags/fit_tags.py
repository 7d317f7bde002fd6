"""The fit check inside the fit panel of the customer page: the host passes the customer and
their needs; the catalogue is read once here."""

from __future__ import annotations

from django import template

from ascolto.promises import fit
from ascolto.promises.fit import FitResult, fit_check
from ascolto.promises.formatting import target_text
from ascolto.promises.forms_fit import ExpectationForm
from ascolto.promises.models import Promise

register = template.Library()


@register.simple_tag(takes_context=True)
def fit_result(context, customer, expectations) -> FitResult:
    expectations = list(expectations)
    if not expectations:  # nothing to check: spare the customer page a query
        return FitResult()
    workspace = context["request"].workspace
    promises = Promise.objects.for_workspace(workspace).filter(active=True)
    return fit_check(customer=customer, expectations=expectations, promises=list(promises))


@register.simple_tag(takes_context=True)
def expectation_form(context) -> ExpectationForm:
    return ExpectationForm(workspace=context["request"].workspace, auto_id="need_%s")


@register.filter
def need_target(need) -> str:
    """ "within 4 h", "monthly_price ≤ 300": a need's (or promise's) target in words."""
    return target_text(need)


@register.filter
def mismatch_explanation(record) -> str:
    """A `FitOverride`'s recorded mismatch, explained in the reader's language."""
    return fit.mismatch_explanation(record)
