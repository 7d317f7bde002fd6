"""The broken-promise crisis in a real browser: the red card, the checklist, handled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.promises.models import Crisis
from ascolto.promises.services import promise_create
from ascolto.workspaces.tests.factories import PASSWORD


def _login(page, membership) -> None:
    page.goto("/account/login/")
    page.fill("input[name=username]", membership.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_crisis_checklist_ticked_kept_after_reload_and_handled(page, alice, bob, artifacts_dir):
    """
    GIVEN a customer whose technician arrived 31 h 20 min after the call, against "within 24 h"
    WHEN alice opens the customer page, ticks two steps, reloads
    THEN the red card shows both steps with their time and who ticked them; on a phone it fits
    the screen; marking it handled removes the card.
    """
    workspace = alice.workspace
    touchpoint = Touchpoint.objects.get(workspace=workspace, code="intervento")
    promise_create(
        workspace=workspace,
        by=alice,
        name_it="Intervento entro 24 ore",
        wording_it="Un tecnico da lei entro 24 ore dalla chiamata",
        dimension="timeliness",
        touchpoint=touchpoint,
        target_type="duration",
        start_moment="requested_at",
        end_moment="started_at",
        limit=24,
        unit="hours",
    )
    customer = CustomerFactory(workspace=workspace, name="Bar Centrale", account_owner=bob)
    asked = timezone.now() - timedelta(days=2)
    interaction_record(
        customer=customer,
        by=bob,
        touchpoint=touchpoint,
        occurred_at=asked,
        requested_at=asked,
        started_at=asked + timedelta(hours=31, minutes=20),
    )
    crisis = Crisis.objects.get()

    _login(page, alice)
    page.goto(f"/customers/{customer.pk}/")
    card = page.locator(f"#crisis-{crisis.pk}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Un tecnico da lei entro 24 ore dalla chiamata")
    expect(card).to_contain_text("31 h 20 min")
    # unmistakably red: the card's border is the danger colour
    border = card.evaluate("el => getComputedStyle(el).borderTopColor")
    assert border == "rgb(179, 38, 30)"

    for step in ("call", "apologise"):
        card.locator(f"[data-step={step}] button.crisis-line").click()
        expect(page.locator(f"#crisis-{crisis.pk} [data-step={step}]")).to_have_class(
            "crisis-step is-done"
        )
    page.reload()
    card = page.locator(f"#crisis-{crisis.pk}")
    for step in ("call", "apologise"):
        done = card.locator(f"[data-step={step}] .crisis-step-done")
        expect(done).to_be_visible()
        expect(done).to_contain_text(alice.user.get_full_name())
        assert done.get_attribute("data-done-at")
    expect(card.locator(".crisis-step.is-done")).to_have_count(2)
    assert list(crisis.steps.order_by("step").values_list("step", "done_by")) == [
        ("apologise", alice.pk),
        ("call", alice.pk),
    ]
    page.screenshot(path=str(artifacts_dir / "crisis_desktop.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    card = page.locator(f"#crisis-{crisis.pk}")
    expect(card).to_be_visible()
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts_dir / "crisis_phone.png"), full_page=True)

    card.locator("textarea[name=note]").fill("Sconto del 10% sulla prossima fattura")
    card.locator(".crisis-close button[type=submit]").click()
    expect(page.locator(f"#crisis-{crisis.pk}")).to_have_count(0)
    crisis.refresh_from_db()
    assert crisis.closed_at is not None and crisis.closed_by_id == alice.pk
    assert crisis.note == "Sconto del 10% sulla prossima fattura"
    page.reload()
    expect(page.locator(".crisis")).to_have_count(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_promise_form_shows_the_fields_of_the_chosen_target(page, carol, artifacts_dir):
    """
    GIVEN a manager on the new-promise form
    WHEN she chooses a flag, then a measured value
    THEN only the fields that kind of target reads are shown, and the promise is saved.
    """
    from ascolto.promises.models import Promise

    _login(page, carol)
    page.goto("/promises/new/")
    limit = page.locator("[data-target-types] input[name=limit]")
    measure = page.locator("[data-target-types] input[name=measure]")
    expect(limit).to_be_visible()  # a duration is the first choice
    expect(measure).to_be_hidden()
    page.select_option("select[name=target_type]", "flag")
    expect(limit).to_be_hidden()
    page.select_option("select[name=target_type]", "threshold")
    expect(measure).to_be_visible()
    expect(page.locator("input[name=business_hours]")).to_be_hidden()
    page.fill("input[name=name_it]", "Consegna senza difetti")
    page.fill("input[name=wording_it]", "Merce consegnata senza difetti")
    page.select_option(
        "select[name=touchpoint]",
        str(Touchpoint.objects.get(workspace=carol.workspace, code="consegna").pk),
    )
    page.fill("input[name=measure]", "defects")
    page.select_option("select[name=comparison]", "at_most")
    page.fill("input[name=limit]", "0")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts_dir / "promise_form_phone.png"), full_page=True)
    page.locator("#promise-form button[type=submit]").click()
    expect(page.locator("#promise-table")).to_contain_text("Consegna senza difetti")
    promise = Promise.objects.get()
    assert (promise.target_type, promise.measure, promise.comparison) == (
        "threshold",
        "defects",
        "at_most",
    )
    page.screenshot(path=str(artifacts_dir / "promise_list_phone.png"), full_page=True)
