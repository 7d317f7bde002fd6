"""Promises in words: no measure codes ("price_increase ≤ 0", "Price increase:") on the pages,
and measured times in the unit a person reads ("50 h", not "3.000,0 minuti")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.promises.gaps import PromiseGap
from ascolto.promises.tests.test_fit import promise

pytestmark = pytest.mark.django_db


@pytest.fixture
def price_promise(workspace_a):
    return promise(
        workspace_a,
        code="consegna",
        name="Nessun rincaro a sorpresa",
        dimension="price",
        target_type="threshold",
        measure="price_increase",
        comparison="at_most",
        limit=0,
    )


def test_catalogue_and_gaps_write_the_target_as_a_sentence(alice_client, price_promise):
    for url in (reverse("promises:promise-list"), reverse("promises:gap-overview")):
        html = alice_client.get(url).content.decode()
        assert "price_increase" not in html, url
        assert "un valore misurato non oltre 0" in html, url


def test_interaction_form_names_the_measure_by_its_promise(
    alice_client, workspace_a, price_promise
):
    customer = CustomerFactory(workspace=workspace_a)
    html = alice_client.get(
        reverse("interactions:interaction-create", args=[customer.pk])
    ).content.decode()
    assert "Price increase" not in html and "price increase" not in html.lower()
    assert "«Nessun rincaro a sorpresa»" in html


def test_mean_measured_time_reads_in_hours(workspace_a):
    within_a_day = promise(
        workspace_a, dimension="timeliness", target_type="duration", limit=24, unit="minutes"
    )
    gap = PromiseGap(promise=within_a_day, target="", promised=None, unit="minutes")
    gap.measured_n, gap.measured_sum = 2, 6_000.0  # a mean of 3,000 minutes
    assert gap.mean_measured_text == "50 h"
