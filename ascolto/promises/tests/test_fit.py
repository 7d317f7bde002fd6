"""The fit check: each need of a customer against the catalogue's promises.

The helpers `promise()` and `need()` are shared with the view tests of the fit check."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from ascolto.customers.models import Customer
from ascolto.customers.services import segment_get_or_create
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.promises.fit import fit_check, fit_check_for_customer
from ascolto.promises.models import Expectation, Promise
from ascolto.promises.services import expectation_create, promise_create

pytestmark = pytest.mark.django_db

PROMISE_VS_NEED = "You promise %(promised)s, they need %(needed)s."
NOTHING_PROMISED = "Nothing in your catalogue promises this."

DURATION = {"start_moment": "requested_at", "end_moment": "started_at"}


def touchpoint(workspace, code: str) -> Touchpoint:
    return Touchpoint.objects.get(workspace=workspace, code=code)


def promise(workspace, *, code: str = "intervento", **fields):
    values = {
        "name_it": fields.pop("name", "Promessa"),
        "wording_it": "Promessa al cliente",
        "touchpoint": touchpoint(workspace, code),
    }
    if fields.get("target_type") == "duration":
        values.update(DURATION)
    values.update(fields)
    return promise_create(workspace=workspace, by=_owner(workspace), **values)


def need(customer, *, code: str | None = None, **fields):
    values = {"text": fields.pop("text", "Ci serve"), **fields}
    if code:
        values["touchpoint"] = touchpoint(customer.workspace, code)
    return expectation_create(customer=customer, by=_owner(customer.workspace), **values)


def _owner(workspace):
    return workspace.memberships.filter(role="owner").order_by("pk").first()


def prospect(workspace, **fields) -> Customer:
    return CustomerFactory(workspace=workspace, status=Customer.Status.PROSPECT, **fields)


def _by_text(result) -> dict:
    return {item.expectation.text: item for item in result.needs}


def _says(promised: str, needed: str) -> str:
    return gettext(PROMISE_VS_NEED) % {"promised": promised, "needed": needed}


def test_durations_in_different_units_and_punctuality(workspace_a):
    """
    GIVEN a catalogue promising a repair within 24 h and deliveries on time ± 30 min
    WHEN a prospect needs a repair within 4 hours, any contact within 2 days, delivery within
         ± 15 min and within ± 60 min
    THEN the 4 h and ± 15 min needs do not fit, with the promise and the need in words; the
         others fit; the verdict lists the two mismatches.
    """
    promise(workspace_a, dimension="timeliness", target_type="duration", limit=24, unit="hours")
    promise(
        workspace_a,
        code="consegna",
        dimension="punctuality",
        target_type="punctuality",
        limit=30,
        unit="minutes",
    )
    customer = prospect(workspace_a)
    need(
        customer,
        text="4h",
        code="intervento",
        dimension="timeliness",
        target_type="duration",
        limit=4,
        unit="hours",
    )
    need(customer, text="2d", dimension="timeliness", target_type="duration", limit=2, unit="days")
    need(
        customer,
        text="15m",
        dimension="punctuality",
        target_type="punctuality",
        limit=15,
        unit="minutes",
    )
    need(
        customer,
        text="60m",
        dimension="punctuality",
        target_type="punctuality",
        limit=60,
        unit="minutes",
    )

    with translation.override("en"):
        result = fit_check_for_customer(workspace=workspace_a, customer=customer)
        items = _by_text(result)
        assert items["4h"].status == "misfit"
        assert items["4h"].explanation == _says("24 h", "4 h")
        assert items["2d"].status == "fits"
        assert items["15m"].status == "misfit"
        assert items["15m"].explanation == _says("± 30 min", "± 15 min")
        assert items["60m"].status == "fits"
    assert result.verdict == "misfit"
    assert {m.expectation.text for m in result.mismatches} == {"4h", "15m"}
    record = items["4h"].as_record()
    assert (record["need_limit"], record["promise_limit"]) == (240.0, 1440.0)
    assert record["their_words"] == "4h" and record["status"] == "misfit"


@pytest.mark.parametrize(
    ("need_cmp", "need_limit", "promise_cmp", "promise_limit", "status"),
    [
        ("at_most", 300, "at_most", 250, "fits"),
        ("at_most", 0, "at_most", 5, "misfit"),
        ("at_most", 300, "at_least", 100, "misfit"),
        ("at_most", 300, "equal", 300, "fits"),
        ("at_least", 24, "at_least", 36, "fits"),
        ("at_least", 24, "at_least", 12, "misfit"),
        ("equal", 2, "equal", 2, "fits"),
        ("equal", 2, "equal", 3, "misfit"),
        ("equal", 2, "at_most", 2, "misfit"),
    ],
)
def test_thresholds_with_each_comparison(
    workspace_a, need_cmp, need_limit, promise_cmp, promise_limit, status
):
    promise(
        workspace_a,
        dimension="price",
        target_type="threshold",
        measure="price_increase",
        comparison=promise_cmp,
        limit=promise_limit,
    )
    customer = prospect(workspace_a)
    need(
        customer,
        dimension="price",
        target_type="threshold",
        measure="price_increase",
        comparison=need_cmp,
        limit=need_limit,
    )
    with translation.override("en"):
        (item,) = fit_check_for_customer(workspace=workspace_a, customer=customer).needs
        assert item.status == status
        # The target as words, not the measure's code and a sign ("price_increase ≤ 0").
        words = {"at_most": "at most", "at_least": "at least", "equal": "exactly"}
        assert item.explanation == _says(
            f"a measured value of {words[promise_cmp]} {promise_limit}",
            f"a measured value of {words[need_cmp]} {need_limit}",
        )
        assert "price_increase" not in item.explanation


def test_flags_not_covered_and_other_measures(workspace_a):
    """
    GIVEN a flag promise on courtesy and a threshold on "defects"
    WHEN a prospect needs courtesy (flag), clear communication (flag, nothing promised) and a
         "monthly_price" limit (a measure nothing promises)
    THEN courtesy fits; the other two are not covered, explained as such, and are misfits.
    """
    promise(workspace_a, dimension="courtesy", target_type="flag")
    promise(
        workspace_a,
        dimension="quality",
        target_type="threshold",
        measure="defects",
        comparison="at_most",
        limit=0,
    )
    customer = prospect(workspace_a)
    need(customer, text="gentili", dimension="courtesy", target_type="flag")
    need(customer, text="chiari", dimension="communication", target_type="flag")
    need(
        customer,
        text="prezzo",
        dimension="quality",
        target_type="threshold",
        measure="monthly_price",
        comparison="at_most",
        limit=300,
    )
    with translation.override("en"):
        result = fit_check_for_customer(workspace=workspace_a, customer=customer)
        items = _by_text(result)
        assert items["gentili"].status == "fits"
        for text in ("chiari", "prezzo"):
            assert items[text].status == "not_covered"
            assert items[text].explanation == gettext(NOTHING_PROMISED)
            assert items[text].promise is None
    assert result.verdict == "misfit" and len(result.mismatches) == 2


def test_segment_specific_promises_and_other_touchpoints(workspace_a):
    """
    GIVEN a 2 h promise only for the "Edilizia" segment, and a 1 h promise on deliveries only
    WHEN a building-trade prospect and one without a segment both need a repair within 4 h
    THEN it fits the building-trade prospect only; the delivery promise is never used for a
         need on repairs, so the other prospect is not covered.
    """
    edilizia = segment_get_or_create(workspace=workspace_a, by=_owner(workspace_a), name="Edilizia")
    promise(
        workspace_a,
        dimension="timeliness",
        target_type="duration",
        limit=2,
        unit="hours",
        segment=edilizia,
    )
    promise(
        workspace_a,
        code="consegna",
        dimension="timeliness",
        target_type="duration",
        limit=1,
        unit="hours",
    )
    builder, other = prospect(workspace_a, segment=edilizia), prospect(workspace_a)
    for customer in (builder, other):
        need(
            customer,
            code="intervento",
            dimension="timeliness",
            target_type="duration",
            limit=4,
            unit="hours",
        )
    (builder_item,) = fit_check_for_customer(workspace=workspace_a, customer=builder).needs
    (other_item,) = fit_check_for_customer(workspace=workspace_a, customer=other).needs
    assert builder_item.status == "fits"
    assert builder_item.promise.segment_id == edilizia.pk
    assert other_item.status == "not_covered"


def test_inactive_promises_do_not_count_and_the_best_promise_is_chosen(workspace_a):
    promise(
        workspace_a,
        dimension="timeliness",
        target_type="duration",
        limit=1,
        unit="hours",
        active=False,
    )
    promise(workspace_a, dimension="timeliness", target_type="duration", limit=48, unit="hours")
    closest = promise(
        workspace_a, dimension="timeliness", target_type="duration", limit=8, unit="hours"
    )
    customer = prospect(workspace_a)
    need(customer, dimension="timeliness", target_type="duration", limit=4, unit="hours")
    (item,) = fit_check_for_customer(workspace=workspace_a, customer=customer).needs
    assert item.status == "misfit"
    assert item.promise == closest


def test_business_hours_promise_is_compared_as_equal_and_flagged(workspace_a):
    promise(
        workspace_a,
        dimension="timeliness",
        target_type="duration",
        limit=8,
        unit="hours",
        business_hours=True,
    )
    customer = prospect(workspace_a)
    need(customer, dimension="timeliness", target_type="duration", limit=1, unit="days")
    with translation.override("en"):
        (item,) = fit_check_for_customer(workspace=workspace_a, customer=customer).needs
        assert item.status == "fits"
        assert item.business_hours is True
        assert item.explanation == gettext(
            "You promise %(promised)s in business hours, they need %(needed)s "
            "(business hours compared as if they were clock hours)."
        ) % {"promised": "8 h", "needed": "24 h"}
    assert item.as_record()["business_hours"] is True


def test_no_needs_means_nothing_to_check_and_all_fitting_means_fits(workspace_a):
    customer = prospect(workspace_a)
    assert fit_check_for_customer(workspace=workspace_a, customer=customer).verdict == "nothing"
    promise(workspace_a, dimension="courtesy", target_type="flag")
    need(customer, dimension="courtesy", target_type="flag")
    result = fit_check_for_customer(workspace=workspace_a, customer=customer)
    assert result.verdict == "fits" and result.mismatches == []


def test_explanations_follow_the_active_language(workspace_a):
    promise(workspace_a, dimension="timeliness", target_type="duration", limit=24, unit="hours")
    customer = prospect(workspace_a)
    need(customer, dimension="timeliness", target_type="duration", limit=4, unit="hours")
    texts = {}
    for language in ("it", "en"):
        with translation.override(language):
            (item,) = fit_check_for_customer(workspace=workspace_a, customer=customer).needs
            texts[language] = item.explanation
            assert item.explanation == _says("24 h", "4 h")
    assert "24 h" in texts["it"] and "4 h" in texts["it"]


def test_the_check_reads_the_catalogue_once(workspace_a, django_assert_num_queries):
    promise(workspace_a, dimension="timeliness", target_type="duration", limit=24, unit="hours")
    customer = prospect(workspace_a)
    for hours in (1, 2, 3, 48):
        need(customer, dimension="timeliness", target_type="duration", limit=hours, unit="hours")
    with django_assert_num_queries(2):
        result = fit_check_for_customer(workspace=workspace_a, customer=customer)
        [item.explanation for item in result.needs]
    assert [i.status for i in result.needs].count("fits") == 1


def test_pure_check_needs_no_database(workspace_a, django_assert_num_queries):
    tp = Touchpoint.objects.get(workspace=workspace_a, code="intervento")
    customer = prospect(workspace_a)
    promises = [
        Promise(
            pk=1,
            workspace=workspace_a,
            touchpoint_id=tp.pk,
            dimension="timeliness",
            target_type="duration",
            limit=120,
            unit="hours",
            name_it="Entro 2 ore",
        )
    ]
    needs = [
        Expectation(
            pk=7,
            workspace=workspace_a,
            customer=customer,
            dimension="timeliness",
            target_type="duration",
            limit=60,
            unit="hours",
            text="entro un'ora",
        )
    ]
    with django_assert_num_queries(0):
        result = fit_check(customer=customer, expectations=needs, promises=promises)
    assert result.verdict == "misfit"


def test_another_workspace_promises_never_count(workspace_a, workspace_b):
    """
    GIVEN workspace B promises a repair within 1 h, workspace A promises nothing
    WHEN A's prospect needs a repair within 4 h
    THEN A's check says not covered: B's catalogue is not read.
    """
    promise(workspace_b, dimension="timeliness", target_type="duration", limit=1, unit="hours")
    customer = prospect(workspace_a)
    need(customer, dimension="timeliness", target_type="duration", limit=4, unit="hours")
    (item,) = fit_check_for_customer(workspace=workspace_a, customer=customer).needs
    assert item.status == "not_covered"
    customer_b = prospect(workspace_b)
    need(customer_b, dimension="timeliness", target_type="duration", limit=4, unit="hours")
    assert fit_check_for_customer(workspace=workspace_a, customer=customer_b).needs == []
