"""Pages of the fit check: recording needs, taking a prospect on, and the report of customers
taken despite a misfit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from ascolto.customers.models import Customer
from ascolto.customers.services import lost_record_create
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback.models import Response
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.promises.models import Expectation, FitOverride, PromiseCheck
from ascolto.promises.services import customer_convert
from ascolto.promises.tests.test_fit import need, promise, prospect

pytestmark = pytest.mark.django_db


def _detail(customer) -> str:
    return reverse("customers:customer-detail", args=[customer.pk])


def _convert(customer) -> str:
    return reverse("promises:customer-convert", args=[customer.pk])


def _new_need(customer) -> str:
    return reverse("promises:expectation-create", args=[customer.pk])


GOOD_NEED = {
    "dimension": "timeliness",
    "text": "Qualcuno in cantiere entro 4 ore",
    "target_type": "duration",
    "limit": "4",
    "unit": "hours",
}


@pytest.fixture
def misfit_prospect(workspace_a):
    """A prospect needing a repair within 4 h, where the catalogue promises 24 h."""
    promise(workspace_a, dimension="timeliness", target_type="duration", limit=24, unit="hours")
    customer = prospect(workspace_a, name="Edilizia Ferri")
    need(customer, text="entro 4 ore", code="intervento", dimension="timeliness",
         target_type="duration", limit=4, unit="hours")  # fmt: skip
    return customer


@pytest.fixture
def fitting_prospect(workspace_a):
    promise(workspace_a, dimension="courtesy", target_type="flag")
    customer = prospect(workspace_a, name="Agricola Bianchi")
    need(customer, text="gentilezza", dimension="courtesy", target_type="flag")
    return customer


# --- needs ----------------------------------------------------------------------------------


def test_agent_records_a_need_in_hours_stored_in_minutes(bob_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)  # any customer, not only prospects
    tp = Touchpoint.objects.get(workspace=workspace_a, code="intervento")
    response = bob_client.post(_new_need(customer), {**GOOD_NEED, "touchpoint": tp.pk})
    assert response.status_code == 302
    saved = Expectation.objects.get(customer=customer)
    assert (saved.limit, saved.unit, saved.touchpoint_id) == (240, "hours", tp.pk)
    page = bob_client.get(_detail(customer))
    assert page.status_code == 200
    assert f'id="need-{saved.pk}"' in page.content.decode()
    assert "Qualcuno in cantiere entro 4 ore" in page.content.decode()


def test_threshold_and_punctuality_needs(bob_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    threshold = {
        "dimension": "price",
        "text": "Budget massimo 300 € al mese",
        "target_type": "threshold",
        "measure": "monthly_price",
        "comparison": "at_most",
        "limit": "300",
        "unit": "hours",  # ignored for a threshold
    }
    assert bob_client.post(_new_need(customer), threshold).status_code == 302
    punctual = {
        "dimension": "punctuality",
        "text": "Puntuali",
        "target_type": "punctuality",
        "limit": "15",
    }
    assert bob_client.post(_new_need(customer), punctual).status_code == 302
    flag = {"dimension": "courtesy", "text": "Gentili", "target_type": "flag", "limit": "9"}
    assert bob_client.post(_new_need(customer), flag).status_code == 302
    rows = {e.target_type: e for e in Expectation.objects.filter(customer=customer)}
    assert (rows["threshold"].measure, rows["threshold"].unit) == ("monthly_price", "")
    assert (rows["punctuality"].limit, rows["punctuality"].unit) == (15, "minutes")
    assert rows["flag"].limit is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"limit": "-4"}, "limit"),
        ({"unit": "weeks"}, "unit"),
        ({"unit": ""}, "unit"),
        ({"limit": ""}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"dimension": "vibes"}, "dimension"),
        ({"target_type": "punctuality", "unit": "hours"}, "unit"),
        ({"target_type": "threshold", "measure": "", "comparison": "at_most"}, "measure"),
        ({"target_type": "threshold", "measure": "x", "comparison": ""}, "comparison"),
        ({"text": ""}, "text"),
    ],
)
def test_bad_need_is_a_form_error_and_nothing_is_saved(bob_client, workspace_a, change, field):
    customer = CustomerFactory(workspace=workspace_a)
    response = bob_client.post(_new_need(customer), {**GOOD_NEED, **change})
    assert response.status_code == 200  # the form again, with its errors
    assert field in response.context["form"].errors
    assert not Expectation.objects.exists()


def test_touchpoint_of_another_workspace_is_refused(bob_client, workspace_a, workspace_b):
    customer = CustomerFactory(workspace=workspace_a)
    foreign = Touchpoint.objects.get(workspace=workspace_b, code="intervento")
    response = bob_client.post(_new_need(customer), {**GOOD_NEED, "touchpoint": foreign.pk})
    assert response.status_code == 200  # the form again, with its errors
    assert "touchpoint" in response.context["form"].errors
    assert not Expectation.objects.exists()


def test_manager_deletes_a_need_and_get_is_refused(carol_client, misfit_prospect):
    expectation = misfit_prospect.expectations.get()
    url = reverse("promises:expectation-delete", args=[expectation.pk])
    page = carol_client.get(reverse("customers:customer-detail", args=[misfit_prospect.pk]))
    assert url in page.content.decode()
    assert carol_client.get(url).status_code == 405
    assert carol_client.post(url).status_code == 302
    assert not Expectation.objects.filter(pk=expectation.pk).exists()


def test_agent_cannot_delete_a_need_and_does_not_see_the_button(bob_client, misfit_prospect):
    """Removing the need that does not fit would take the prospect past the fit check."""
    expectation = misfit_prospect.expectations.get()
    url = reverse("promises:expectation-delete", args=[expectation.pk])
    assert bob_client.post(url).status_code == 403
    assert Expectation.objects.filter(pk=expectation.pk).exists()
    page = bob_client.get(reverse("customers:customer-detail", args=[misfit_prospect.pk]))
    assert url not in page.content.decode()


def test_outsider_gets_404_on_every_fit_page(mallory_client, misfit_prospect):
    expectation = misfit_prospect.expectations.get()
    for url in (_new_need(misfit_prospect), _convert(misfit_prospect)):
        assert mallory_client.get(url).status_code == 404
        assert mallory_client.post(url, {**GOOD_NEED, "reason": "x"}).status_code == 404
    delete = reverse("promises:expectation-delete", args=[expectation.pk])
    assert mallory_client.post(delete).status_code == 404
    misfit_prospect.refresh_from_db()
    assert misfit_prospect.status == "prospect"
    assert Expectation.objects.filter(customer=misfit_prospect).count() == 1
    assert not FitOverride.objects.exists()


def test_panel_shows_the_verdict_and_mismatch_in_words(bob_client, misfit_prospect):
    bob_client.cookies["django_language"] = "en"
    page = bob_client.get(_detail(misfit_prospect)).content.decode()
    assert 'id="needs"' in page and 'data-verdict="misfit"' in page
    with translation.override("en"):
        expected = gettext("You promise %(promised)s, they need %(needed)s.") % {
            "promised": "24 h",
            "needed": "4 h",
        }
    assert expected in page
    assert _convert(misfit_prospect) in page
    assert reverse("promises:fit-report") not in page  # the report is for managers


def test_panel_of_an_active_customer_has_no_convert_button(carol_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    page = carol_client.get(_detail(customer)).content.decode()
    assert 'data-verdict="nothing"' in page
    assert _convert(customer) not in page
    assert reverse("promises:fit-report") in page


# --- conversion -----------------------------------------------------------------------------


def test_fitting_prospect_is_converted_directly_by_an_agent(bob_client, fitting_prospect):
    page = bob_client.get(_convert(fitting_prospect))
    assert page.context["fit"].verdict == "fits"
    assert bob_client.post(_convert(fitting_prospect)).status_code == 302
    fitting_prospect.refresh_from_db()
    assert fitting_prospect.status == Customer.Status.ACTIVE
    assert not FitOverride.objects.exists()


def test_misfit_without_reason_stays_a_prospect(carol_client, misfit_prospect):
    response = carol_client.post(_convert(misfit_prospect), {"reason": "   "})
    assert response.status_code == 200  # the form again, with its errors
    assert "reason" in response.context["form"].errors
    misfit_prospect.refresh_from_db()
    assert misfit_prospect.status == Customer.Status.PROSPECT
    assert not FitOverride.objects.exists()


def test_misfit_with_reason_converts_once_even_on_double_submit(
    carol_client, carol, misfit_prospect
):
    """
    GIVEN a prospect whose 4 h need the 24 h promise does not meet
    WHEN a manager converts them with a reason, and the form is sent twice
    THEN the customer is active and one override records the reason, the manager and the
         mismatch in words and as fields.
    """
    data = {"reason": "Cliente strategico: attiviamo la reperibilità"}
    assert carol_client.post(_convert(misfit_prospect), data).status_code == 302
    assert carol_client.post(_convert(misfit_prospect), data).status_code == 302
    misfit_prospect.refresh_from_db()
    assert misfit_prospect.status == Customer.Status.ACTIVE
    override = FitOverride.objects.get()
    assert (override.customer, override.decided_by, override.reason) == (
        misfit_prospect,
        carol,
        data["reason"],
    )
    (mismatch,) = override.mismatches
    assert mismatch["their_words"] == "entro 4 ore"
    assert (mismatch["status"], mismatch["need_limit"], mismatch["promise_limit"]) == (
        "misfit",
        240.0,
        1440.0,
    )
    assert "24 h" in mismatch["explanation"]


def test_service_refuses_a_second_conversion(carol, misfit_prospect):
    from ascolto.promises.services import ConversionRefused

    customer_convert(customer=misfit_prospect, by=carol, reason="Strategico")
    with pytest.raises(ConversionRefused):
        customer_convert(customer=misfit_prospect, by=carol, reason="Strategico")
    assert FitOverride.objects.count() == 1


def test_agent_cannot_override_a_misfit(bob_client, misfit_prospect):
    page = bob_client.get(_convert(misfit_prospect))
    assert page.status_code == 200
    assert 'id="ask-manager"' in page.content.decode()
    assert 'id="convert-form"' not in page.content.decode()
    assert bob_client.post(_convert(misfit_prospect), {"reason": "Ci provo"}).status_code == 403
    misfit_prospect.refresh_from_db()
    assert misfit_prospect.status == Customer.Status.PROSPECT
    assert not FitOverride.objects.exists()


# --- report ---------------------------------------------------------------------------------


@pytest.fixture
def report_data(workspace_a, workspace_b, alice, carol, mallory):
    """
    Three customers taken despite a misfit in A:
    - "Persa": lost on 2026-05-10, latest NPS 3 (detractor) after an earlier 10;
    - "Rotta": active, two broken promises after the decision and one before;
    - "Muta": active, no answer.
    Three other customers in A: active with a detractor answer, lost, and a prospect (which does
    not count). In B: one customer taken despite a misfit, lost, detractor.
    """
    p = promise(workspace_a, dimension="timeliness", target_type="duration", limit=24,
                unit="hours")  # fmt: skip
    survey = SurveyFactory(workspace=workspace_a)
    decided = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def taken(workspace, by, name):
        customer = prospect(workspace, name=name)
        need(customer, dimension="quality", target_type="flag", text="nothing promised")
        override = customer_convert(customer=customer, by=by, reason=f"Why {name}")
        FitOverride.objects.filter(pk=override.pk).update(decided_at=decided)
        return customer

    def answer(customer, score, band, when, on_survey=survey):
        Response.objects.create(workspace=customer.workspace, survey=on_survey,
                                customer=customer, score=score, band=band, submitted_at=when)  # fmt: skip

    def late_repair(customer, when):
        interaction_record(customer=customer, by=alice, touchpoint=p.touchpoint,
                           occurred_at=when, requested_at=when,
                           started_at=when + timedelta(hours=30))  # fmt: skip

    persa = taken(workspace_a, carol, "Persa")
    answer(persa, 10, "promoter", decided + timedelta(days=5))
    answer(persa, 3, "detractor", decided + timedelta(days=50))
    lost_record_create(customer=persa, by=carol, lost_on=date(2026, 5, 10),
                       reason=workspace_a.lost_reasons.get(code="prezzo"))  # fmt: skip
    rotta = taken(workspace_a, carol, "Rotta")
    late_repair(rotta, decided - timedelta(days=3))
    late_repair(rotta, decided + timedelta(days=3))
    late_repair(rotta, decided + timedelta(days=30))
    taken(workspace_a, carol, "Muta")

    unhappy = CustomerFactory(workspace=workspace_a, name="Altro scontento")
    answer(unhappy, 2, "detractor", decided)
    gone = CustomerFactory(workspace=workspace_a, name="Altro perso")
    lost_record_create(customer=gone, by=carol, lost_on=date(2026, 4, 1),
                       reason=workspace_a.lost_reasons.get(code="prezzo"))  # fmt: skip
    prospect(workspace_a, name="Ancora prospect")

    foreign = taken(workspace_b, mallory, "Straniero")
    answer(foreign, 0, "detractor", decided, on_survey=SurveyFactory(workspace=workspace_b))
    lost_record_create(customer=foreign, by=mallory, lost_on=date(2026, 4, 1),
                       reason=workspace_b.lost_reasons.get(code="prezzo"))  # fmt: skip
    return {"persa": persa, "rotta": rotta}


def test_report_figures(carol_client, report_data):
    response = carol_client.get(reverse("promises:fit-report"))
    assert response.status_code == 200
    taken, others = response.context["taken"], response.context["others"]
    assert (taken.total, taken.lost, taken.detractors) == (3, 1, 1)
    assert (others.total, others.lost, others.detractors) == (2, 1, 1)
    rows = {o.customer.name: o for o in response.context["overrides"]}
    assert set(rows) == {"Persa", "Rotta", "Muta"}
    persa = rows["Persa"]
    assert (persa.nps_score, persa.nps_band, persa.lost_on) == (3, "detractor", date(2026, 5, 10))
    assert persa.customer.status == "lost"
    assert rows["Rotta"].broken_since == 2
    assert (rows["Muta"].nps_score, rows["Muta"].broken_since) == (None, 0)
    assert PromiseCheck.objects.filter(customer=report_data["rotta"], outcome="broken").count() == 3
    page = response.content.decode()
    assert "Why Persa" in page and "Straniero" not in page
    assert 'id="summary-taken"' in page and 'data-lost="1"' in page


def test_report_needs_a_manager(bob_client, alice_client):
    url = reverse("promises:fit-report")
    assert bob_client.get(url).status_code == 403
    assert alice_client.get(url).status_code == 200


def test_report_queries_do_not_grow_with_rows(
    carol_client, carol, workspace_a, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            customer = prospect(workspace_a, name=f"Cliente {i}")
            need(customer, dimension="quality", target_type="flag", text="x")
            customer_convert(customer=customer, by=carol, reason="perché")

    add(1)
    url = reverse("promises:fit-report")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        carol_client.get(url)
    add(5)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = carol_client.get(url)
    assert len(response.context["overrides"]) == 6
    assert timezone.now() >= response.context["overrides"][0].decided_at


def test_panel_queries_do_not_grow_with_needs_or_promises(
    bob_client, workspace_a, django_assert_max_num_queries
):
    """
    GIVEN a prospect with one need and one promise
    WHEN they get eight more needs and the catalogue four more promises
    THEN the customer page makes no more queries than before.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = prospect(workspace_a)
    promise(workspace_a, dimension="timeliness", target_type="duration", limit=24, unit="hours")
    need(customer, dimension="timeliness", target_type="duration", limit=4, unit="hours")
    bob_client.get(_detail(customer))
    with CaptureQueriesContext(connection) as few:
        bob_client.get(_detail(customer))
    for hours in range(1, 5):
        promise(workspace_a, code="consegna", dimension="punctuality", target_type="punctuality",
                limit=hours * 10, unit="minutes")  # fmt: skip
    for hours in range(1, 9):
        need(customer, code="intervento", dimension="timeliness", target_type="duration",
             limit=hours, unit="hours")  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = bob_client.get(_detail(customer)).content.decode()
    assert page.count('data-status="misfit"') == 9


def test_report_explains_mismatches_in_the_readers_language(alice_client, carol, misfit_prospect):
    """GIVEN a prospect taken on in Italian despite a 4 h need against a 24 h promise
    WHEN the owner reads the report in English, then in Italian
    THEN the mismatch is explained in the page's language each time."""
    with translation.override("it"):
        customer_convert(customer=misfit_prospect, by=carol, reason="Strategico")
    alice_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = alice_client.get(reverse("promises:fit-report")).content.decode()
    assert "You promise 24 h, they need 4 h." in page
    assert "Promettiamo" not in page and "Prometti" not in page
    alice_client.post(reverse("set_language"), {"language": "it", "next": "/"})
    page = alice_client.get(reverse("promises:fit-report")).content.decode()
    with translation.override("it"):
        italian = gettext("You promise %(promised)s, they need %(needed)s.") % {
            "promised": "24 h",
            "needed": "4 h",
        }
    assert italian in page and "You promise" not in page
