"""The crisis panel on the customer page: what was promised and what happened, the checklist
ticked with htmx or plain forms, "handled", isolation and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.promises.models import Crisis, PromiseCheck
from ascolto.promises.services import crisis_step_tick, promise_create

pytestmark = pytest.mark.django_db


def _tp(workspace, code="intervento"):
    return Touchpoint.objects.get(workspace=workspace, code=code)


def _promise(workspace, by, **fields):
    values = {
        "name_it": "Intervento entro 24 ore",
        "name_en": "On site within 24 hours",
        "wording_it": "Un tecnico da lei entro 24 ore",
        "wording_en": "A technician with you within 24 hours",
        "dimension": "timeliness",
        "touchpoint": _tp(workspace),
        "target_type": "duration",
        "start_moment": "requested_at",
        "end_moment": "started_at",
        "limit": 24,
        "unit": "hours",
    }
    values.update(fields)
    return promise_create(workspace=workspace, by=by, **values)


def _late(customer, by, hours=31 + 20 / 60):
    asked = timezone.now() - timedelta(days=2)
    return interaction_record(
        customer=customer,
        by=by,
        touchpoint=_tp(customer.workspace),
        occurred_at=asked,
        requested_at=asked,
        started_at=asked + timedelta(hours=hours),
    )


@pytest.fixture
def crisis(workspace_a, alice, bob):
    _promise(workspace_a, alice)
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob, name="Bar Centrale")
    _late(customer, bob)
    return Crisis.objects.select_related("customer").get()


def _page(client, customer):
    return client.get(
        reverse("customers:customer-detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )


def test_customer_page_shows_the_red_card_with_promise_happening_and_checklist(bob_client, crisis):
    """GIVEN a visit 31 h 20 min after the call against "within 24 h" THEN the customer page
    shows the crisis card: the wording, the target, what happened and by how much, and the five
    steps, none ticked."""
    with translation.override("en"):
        html = _page(bob_client, crisis.customer).content.decode()
        took = gettext("took %(time)s") % {"time": "31 h 20 min"}
        over = gettext("%(time)s over the promised time") % {"time": "7 h 20 min"}
        target = gettext("within %(time)s") % {"time": "24 h"}
    assert f'id="crisis-{crisis.pk}"' in html
    assert "A technician with you within 24 hours" in html
    assert took in html and over in html and target in html
    assert "On-site repair" in html  # the touchpoint of what happened
    assert html.count('class="crisis-step"') == 5
    assert html.count('aria-pressed="false"') >= 5


def test_tick_and_untick_with_htmx_swap_the_panel(bob_client, bob, crisis):
    url = reverse("promises:crisis-step", args=[crisis.pk])
    response = bob_client.post(url, {"step": "call", "done": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="crisis-panel"')
    assert '<li class="crisis-step is-done" data-step="call">' in html
    assert bob.user.get_full_name() in html
    step = crisis.steps.get()
    assert (step.step, step.done_by_id) == ("call", bob.pk)
    assert 'data-done-at="' in html

    response = bob_client.post(url, {"step": "call", "done": "0"}, HTTP_HX_REQUEST="true")
    assert 'class="crisis-step is-done"' not in response.content.decode()
    assert not crisis.steps.exists()


def test_tick_without_javascript_redirects_to_the_crisis(bob_client, crisis):
    url = reverse("promises:crisis-step", args=[crisis.pk])
    response = bob_client.post(url, {"step": "apologise", "done": "1"})
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("customers:customer-detail", args=[crisis.customer_id]) + f"#crisis-{crisis.pk}"
    )
    assert list(crisis.steps.values_list("step", flat=True)) == ["apologise"]


@pytest.mark.parametrize(
    "data", [{"step": "dance", "done": "1"}, {"step": "call", "done": "maybe"}, {}]
)
def test_bad_step_is_a_400(bob_client, crisis, data):
    response = bob_client.post(reverse("promises:crisis-step", args=[crisis.pk]), data)
    assert response.status_code == 400
    assert response.content  # says why
    assert not crisis.steps.exists()


def test_mark_handled_with_notes(carol_client, carol, bob_client, crisis):
    response = carol_client.post(
        reverse("promises:crisis-close", args=[crisis.pk]),
        {"note": "Sconto del 10% offerto"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="crisis-{crisis.pk}"' not in response.content.decode()
    crisis.refresh_from_db()
    assert crisis.closed_at is not None and crisis.closed_by_id == carol.pk
    assert (crisis.note, crisis.withdrawn) == ("Sconto del 10% offerto", False)
    assert f'id="crisis-{crisis.pk}"' not in _page(bob_client, crisis.customer).content.decode()
    # ticking a handled crisis is refused
    response = bob_client.post(
        reverse("promises:crisis-step", args=[crisis.pk]), {"step": "call", "done": "1"}
    )
    assert response.status_code == 409
    assert not crisis.steps.exists()


def test_close_without_javascript_redirects_to_the_customer(carol_client, crisis):
    response = carol_client.post(reverse("promises:crisis-close", args=[crisis.pk]), {"note": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", args=[crisis.customer_id])


def test_get_is_not_allowed(bob_client, crisis):
    assert bob_client.get(reverse("promises:crisis-step", args=[crisis.pk])).status_code == 405
    assert bob_client.get(reverse("promises:crisis-close", args=[crisis.pk])).status_code == 405


def test_false_alarm_from_the_panel_withdraws_the_crisis(alice_client, alice, crisis):
    check = crisis.promise_check
    response = alice_client.post(
        reverse("promises:check-set", args=[check.pk]),
        {"outcome": "kept", "panel": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="crisis-{crisis.pk}"' not in response.content.decode()
    crisis.refresh_from_db()
    assert crisis.withdrawn and crisis.closed_by_id == alice.pk


def test_agent_gets_403_on_closing_a_crisis_and_on_withdrawing_it(bob_client, crisis):
    """Agents work through the checklist; marking the crisis handled, or the promise kept after
    all, is for managers and owners. The panel offers an agent neither."""
    response = bob_client.post(
        reverse("promises:crisis-close", args=[crisis.pk]),
        {"note": "Fatto"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    response = bob_client.post(
        reverse("promises:check-set", args=[crisis.promise_check_id]),
        {"outcome": "kept", "panel": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    crisis.refresh_from_db()
    assert crisis.is_open and not crisis.withdrawn and crisis.note == ""
    check = PromiseCheck.objects.get(pk=crisis.promise_check_id)
    assert (check.outcome, check.manual) == ("broken", False)
    html = _page(bob_client, crisis.customer).content.decode()
    assert f'id="crisis-{crisis.pk}"' in html
    assert reverse("promises:crisis-step", args=[crisis.pk]) in html
    assert reverse("promises:crisis-close", args=[crisis.pk]) not in html
    assert "crisis-false-alarm" not in html
    assert "crisis-close-by-manager" in html


def test_managers_see_the_close_and_withdraw_buttons(carol_client, crisis):
    html = _page(carol_client, crisis.customer).content.decode()
    assert reverse("promises:crisis-close", args=[crisis.pk]) in html
    assert "crisis-false-alarm" in html
    assert "crisis-close-by-manager" not in html


def test_flag_promise_is_settled_from_the_customer_page(bob_client, alice, bob, workspace_a):
    """GIVEN a flag promise "clean van" waiting for staff THEN the customer page offers kept /
    not kept; "not kept" opens the crisis in the panel at once."""
    _promise(
        workspace_a,
        alice,
        name_it="Furgone pulito",
        target_type="flag",
        start_moment="",
        end_moment="",
        limit=None,
        unit="",
    )
    customer = CustomerFactory(workspace=workspace_a)
    _late(customer, bob, hours=1)
    check = PromiseCheck.objects.get()
    html = _page(bob_client, customer).content.decode()
    assert f'id="waiting-check-{check.pk}"' in html
    response = bob_client.post(
        reverse("promises:check-set", args=[check.pk]),
        {"outcome": "broken", "panel": "1"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    crisis = Crisis.objects.get(promise_check=check)
    assert f'id="crisis-{crisis.pk}"' in html
    assert f'id="waiting-check-{check.pk}"' not in html


def test_other_workspace_cannot_touch_a_crisis(mallory_client, crisis):
    for name, data in (("crisis-step", {"step": "call", "done": "1"}), ("crisis-close", {})):
        response = mallory_client.post(reverse(f"promises:{name}", args=[crisis.pk]), data)
        assert response.status_code == 404
    crisis.refresh_from_db()
    assert crisis.is_open and not crisis.steps.exists()
    assert (
        mallory_client.get(
            reverse("customers:customer-detail", args=[crisis.customer_id])
        ).status_code
        == 404
    )


def test_other_workspace_page_never_shows_a_crisis_of_a(
    mallory_client, mallory, workspace_b, crisis
):
    customer_b = CustomerFactory(workspace=workspace_b)
    html = _page(mallory_client, customer_b).content.decode()
    assert "crisis-" + str(crisis.pk) not in html
    assert 'class="card crisis"' not in html


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_customer_page_queries_do_not_grow_with_crises(alice_client, alice, bob, workspace_a):
    """GIVEN one crisis, then four with ticked steps THEN the customer page costs the same."""
    _promise(workspace_a, alice)
    customer = CustomerFactory(workspace=workspace_a, account_owner=bob)
    url = reverse("customers:customer-detail", args=[customer.pk])
    _late(customer, bob)
    alice_client.get(url)
    one = _count(alice_client, url)
    for _ in range(3):
        _late(customer, bob)
    for crisis in Crisis.objects.all():
        crisis_step_tick(crisis=crisis, step="call", by=bob)
        crisis_step_tick(crisis=crisis, step="apologise", by=alice)
    many = _count(alice_client, url)
    assert alice_client.get(url).content.decode().count('class="card crisis"') == 4
    assert many == one


def test_flags_left_unrecorded_for_long_are_history_not_a_to_do(
    bob_client, alice, bob, workspace_a
):
    """GIVEN a flag promise with one recent and one two-month-old unrecorded check THEN the
    customer page asks only about the recent one."""
    _promise(
        workspace_a,
        alice,
        name_it="Furgone pulito",
        target_type="flag",
        start_moment="",
        end_moment="",
        limit=None,
        unit="",
    )
    customer = CustomerFactory(workspace=workspace_a)
    recent = _late(customer, bob, hours=1)
    old = interaction_record(
        customer=customer,
        by=bob,
        touchpoint=_tp(workspace_a),
        occurred_at=timezone.now() - timedelta(days=60),
    )
    html = _page(bob_client, customer).content.decode()
    assert f'id="waiting-check-{PromiseCheck.objects.get(interaction=recent).pk}"' in html
    assert f'id="waiting-check-{PromiseCheck.objects.get(interaction=old).pk}"' not in html
