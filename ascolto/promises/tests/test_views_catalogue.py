"""The catalogue pages, each promise's checks and the measured values on the interaction form:
roles, workspace isolation and bad input."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from ascolto.customers.tests.factories import CustomerFactory, SegmentFactory
from ascolto.feedback.models import Question
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.interactions.models import Interaction, Touchpoint
from ascolto.interactions.services import interaction_record
from ascolto.promises.models import Crisis, Promise, PromiseCheck
from ascolto.promises.services import promise_create

pytestmark = pytest.mark.django_db


def _tp(workspace, code="intervento"):
    return Touchpoint.objects.get(workspace=workspace, code=code)


def _promise(workspace, by, **fields):
    values = {
        "name_it": "Intervento entro 24 ore",
        "name_en": "On site within 24 hours",
        "wording_it": "Un tecnico da lei entro 24 ore",
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


def _visit(customer, by, hours, days_ago=2):
    asked = timezone.now() - timedelta(days=days_ago)
    return interaction_record(
        customer=customer,
        by=by,
        touchpoint=_tp(customer.workspace),
        occurred_at=asked,
        requested_at=asked,
        started_at=asked + timedelta(hours=hours),
    )


def form_data(workspace, **overrides):
    data = {
        "name_it": "Consegna puntuale",
        "name_en": "Delivery on time",
        "wording_it": "Consegniamo all'ora concordata",
        "wording_en": "We deliver at the agreed time",
        "kind": "explicit",
        "dimension": "timeliness",
        "touchpoint": _tp(workspace, "consegna").pk,
        "segment": "",
        "target_type": "duration",
        "start_moment": "requested_at",
        "end_moment": "completed_at",
        "limit": "2",
        "unit": "days",
        "measure": "",
        "comparison": "",
        "question": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def history(workspace_a, alice, bob):
    promise = _promise(workspace_a, alice)
    customer = CustomerFactory(workspace=workspace_a, name="Bar Centrale")
    kept = [_visit(customer, bob, 3), _visit(customer, bob, 5)]
    broken = _visit(customer, bob, 30)
    old = _visit(customer, bob, 40, days_ago=120)  # outside the 90 days
    return {"promise": promise, "customer": customer, "kept": kept, "broken": broken, "old": old}


# --- list -----------------------------------------------------------------------------------


def test_everyone_reads_the_catalogue_with_target_and_share_kept(
    bob_client, history, workspace_b, mallory
):
    """GIVEN 2 kept and 1 broken check in the last 90 days (and an older broken one) THEN the
    list shows 67% kept, the target in words, and no promise of another workspace."""
    _promise(workspace_b, mallory, name_it="Promessa di B")
    with translation.override("en"):
        response = bob_client.get(reverse("promises:promise-list"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    promise = history["promise"]
    assert f'data-promise="{promise.pk}"' in html
    assert 'data-kept-share="67"' in html
    assert "(2/3)" in html
    assert "On-site repair" in html
    assert "Promessa di B" not in html
    assert html.count("data-promise=") == 1
    # agents see no management links
    assert reverse("promises:promise-update", args=[promise.pk]) not in html
    assert reverse("promises:promise-create") not in html


def test_managers_see_the_management_links(carol_client, history):
    html = carol_client.get(reverse("promises:promise-list")).content.decode()
    assert reverse("promises:promise-update", args=[history["promise"].pk]) in html
    assert reverse("promises:promise-create") in html


def test_list_queries_do_not_grow_with_promises(
    alice_client, alice, workspace_a, django_assert_max_num_queries
):
    for i in range(12):
        _promise(workspace_a, alice, name_it=f"Promessa {i}")
    with django_assert_max_num_queries(9):  # 8, and the navigation's unread count
        response = alice_client.get(reverse("promises:promise-list"))
    assert response.content.decode().count("data-promise=") == 12


# --- create / edit --------------------------------------------------------------------------


def test_manager_creates_a_promise_and_its_recheck_is_queued(
    carol_client, workspace_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = carol_client.post(reverse("promises:promise-create"), form_data(workspace_a))
    assert response.status_code == 302
    promise = Promise.objects.get(workspace=workspace_a)
    assert (promise.limit, promise.unit, promise.limit_in_unit) == (2880, "days", 2)
    assert DBTaskResult.objects.filter(
        task_path="ascolto.promises.tasks.promise_recheck_task", args_kwargs__args=[promise.pk]
    ).exists()


def test_agent_cannot_create_or_edit_promises(bob_client, workspace_a, history):
    url = reverse("promises:promise-create")
    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, form_data(workspace_a)).status_code == 403
    edit = reverse("promises:promise-update", args=[history["promise"].pk])
    assert bob_client.post(edit, form_data(workspace_a)).status_code == 403
    active = reverse("promises:promise-activate", args=[history["promise"].pk])
    assert bob_client.post(active, {"active": "0"}).status_code == 403
    assert Promise.objects.count() == 1
    assert Promise.objects.get().active


def test_edit_form_shows_the_limit_in_the_unit_entered(carol_client, history):
    response = carol_client.get(reverse("promises:promise-update", args=[history["promise"].pk]))
    html = response.content.decode()
    assert re.search(r'name="limit" value="24"', html)
    assert re.search(r'name="unit" value="hours"', html)


def test_edit_changes_the_target_and_rechecks(
    carol_client, workspace_a, history, django_capture_on_commit_callbacks
):
    from ascolto.core.testing import run_pending_tasks

    promise = history["promise"]
    data = form_data(
        workspace_a,
        name_it=promise.name_it,
        touchpoint=promise.touchpoint_id,
        start_moment="requested_at",
        end_moment="started_at",
        limit="2",
        unit="days",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = carol_client.post(reverse("promises:promise-update", args=[promise.pk]), data)
    assert response.status_code == 302
    run_pending_tasks()
    promise.refresh_from_db()
    assert promise.limit == 2 * 24 * 60
    # 30 h is within two days now: the broken check is kept and its crisis withdrawn
    check = PromiseCheck.objects.get(interaction=history["broken"])
    assert check.outcome == "kept"
    assert Crisis.objects.get(promise_check=check).withdrawn


def test_threshold_and_flag_promises_from_the_form(carol_client, workspace_a):
    question = Question.objects.filter(
        survey=SurveyFactory(workspace=workspace_a), kind__in=["score", "scale"]
    ).first()
    data = form_data(
        workspace_a,
        name_it="Nessun difetto",
        target_type="threshold",
        measure="defects",
        comparison="at_most",
        limit="0",
        unit="pezzi",
        start_moment="requested_at",  # ignored for a threshold
        business_hours="on",  # ignored too
        question=question.pk,
    )
    assert carol_client.post(reverse("promises:promise-create"), data).status_code == 302
    threshold = Promise.objects.get(name_it="Nessun difetto")
    assert (threshold.measure, threshold.comparison, threshold.limit, threshold.unit) == (
        "defects",
        "at_most",
        Decimal(0),
        "pezzi",
    )
    assert (threshold.start_moment, threshold.business_hours, threshold.question) == (
        "",
        False,
        question,
    )
    html = carol_client.get(reverse("promises:promise-list")).content.decode()
    assert question.text_it[:40] in html  # the question that measures perception
    data = form_data(workspace_a, name_it="Furgone pulito", target_type="flag", limit="", unit="")
    assert carol_client.post(reverse("promises:promise-create"), data).status_code == 302
    flag = Promise.objects.get(name_it="Furgone pulito")
    assert (flag.limit, flag.unit, flag.start_moment) == (None, "", "")


def _foreign_ids(workspace_b, mallory):
    survey = SurveyFactory(workspace=workspace_b)
    return {
        "touchpoint": _tp(workspace_b, "consegna").pk,
        "question": Question.objects.filter(survey=survey, kind="score").first().pk,
        "segment": SegmentFactory(workspace=workspace_b).pk,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("limit", "-5"),
        ("limit", "abc"),
        ("limit", ""),
        ("unit", "weeks"),
        ("unit", ""),
        ("target_type", "forever"),
        ("start_moment", "yesterday"),
        ("comparison", "about"),
        ("touchpoint", "foreign"),
        ("question", "foreign"),
        ("segment", "foreign"),
        ("question", "text-question"),
        ("touchpoint", "999999"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(
    carol_client, workspace_a, workspace_b, mallory, field, value
):
    if value == "foreign":
        value = _foreign_ids(workspace_b, mallory)[field]
    elif value == "text-question":
        survey = SurveyFactory(workspace=workspace_a)
        value = Question.objects.filter(survey=survey, kind="text").first().pk
    before = Promise.objects.count()
    response = carol_client.post(
        reverse("promises:promise-create"), form_data(workspace_a, **{field: value})
    )
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert Promise.objects.count() == before


def test_bad_threshold_needs_measure_and_comparison(carol_client, workspace_a):
    data = form_data(workspace_a, target_type="threshold", measure="", comparison="", unit="")
    response = carol_client.post(reverse("promises:promise-create"), data)
    assert response.status_code == 422
    assert {"measure", "comparison"} <= set(response.context["form"].errors)
    assert not Promise.objects.exists()


def test_bad_edit_changes_nothing(carol_client, workspace_a, history):
    promise = history["promise"]
    url = reverse("promises:promise-update", args=[promise.pk])
    response = carol_client.post(url, form_data(workspace_a, limit="-1", name_it="Cambiato"))
    assert response.status_code == 422
    promise.refresh_from_db()
    assert (promise.name_it, promise.limit) == ("Intervento entro 24 ore", 24 * 60)


def test_deactivate_and_activate(carol_client, history):
    promise = history["promise"]
    url = reverse("promises:promise-activate", args=[promise.pk])
    assert carol_client.get(url).status_code == 405
    carol_client.post(url, {"active": "0"})
    promise.refresh_from_db()
    assert not promise.active
    carol_client.post(url, {"active": "1"})
    promise.refresh_from_db()
    assert promise.active


# --- isolation ------------------------------------------------------------------------------


def test_other_workspace_gets_404_on_every_promise_page(mallory_client, history):
    promise = history["promise"]
    check = PromiseCheck.objects.get(interaction=history["broken"])
    for url in (
        reverse("promises:promise-update", args=[promise.pk]),
        reverse("promises:promise-checks", args=[promise.pk]),
    ):
        assert mallory_client.get(url).status_code == 404
    assert (
        mallory_client.post(
            reverse("promises:promise-activate", args=[promise.pk]), {"active": "0"}
        ).status_code
        == 404
    )
    assert (
        mallory_client.post(
            reverse("promises:check-set", args=[check.pk]), {"outcome": "kept"}
        ).status_code
        == 404
    )
    check.refresh_from_db()
    promise.refresh_from_db()
    assert check.outcome == "broken" and not check.manual and promise.active


def test_other_workspace_lists_show_nothing_of_a(mallory_client, history):
    html = mallory_client.get(reverse("promises:promise-list")).content.decode()
    assert "data-promise=" not in html
    assert history["promise"].name_it not in html


# --- checks page and manual checks ----------------------------------------------------------


def test_checks_page_lists_recent_checks_and_filters_by_outcome(bob_client, history):
    url = reverse("promises:promise-checks", args=[history["promise"].pk])
    html = bob_client.get(url).content.decode()
    assert html.count('data-outcome="kept"') == 2
    assert html.count('data-outcome="broken"') == 2
    html = bob_client.get(url, {"outcome": "broken"}).content.decode()
    assert html.count('data-outcome="broken"') == 2
    assert 'data-outcome="kept"' not in html
    # an unknown filter value is ignored, not a 500
    assert bob_client.get(url, {"outcome": "maybe"}).status_code == 200


def test_manager_overrides_a_check_without_javascript(carol_client, carol, history):
    check = PromiseCheck.objects.get(interaction=history["broken"])
    url = reverse("promises:promise-checks", args=[history["promise"].pk])
    response = carol_client.post(
        reverse("promises:check-set", args=[check.pk]), {"outcome": "kept", "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    check.refresh_from_db()
    assert (check.outcome, check.manual, check.set_by_id) == ("kept", True, carol.pk)
    assert Crisis.objects.get(promise_check=check).withdrawn
    # an outside "next" is not followed
    response = carol_client.post(
        reverse("promises:check-set", args=[check.pk]),
        {"outcome": "broken", "next": "https://evil.example/"},
    )
    assert response["Location"] == url


def test_manager_overrides_a_check_with_htmx_and_sees_who_set_it(carol_client, carol, history):
    check = PromiseCheck.objects.get(interaction=history["kept"][0])
    response = carol_client.post(
        reverse("promises:check-set", args=[check.pk]),
        {"outcome": "broken"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="check-{check.pk}" data-outcome="broken">')
    assert "check-set-by" in html and carol.user.get_full_name() in html
    assert Crisis.objects.filter(promise_check=check, closed_at__isnull=True).exists()
    # a manager may correct it again: the buttons stay
    assert 'class="inline-form check-set"' in html


@pytest.mark.parametrize(("which", "outcome"), [("broken", "kept"), ("kept", "broken")])
def test_agent_cannot_override_a_measured_check(bob_client, history, which, outcome):
    """Turning an automatic "broken" into "kept" would withdraw its crisis for good: an agent
    gets 403 and nothing changes, and the checks page offers them no such button."""
    interaction = history["broken"] if which == "broken" else history["kept"][0]
    check = PromiseCheck.objects.get(interaction=interaction)
    open_crises = Crisis.objects.filter(closed_at__isnull=True).count()
    response = bob_client.post(reverse("promises:check-set", args=[check.pk]), {"outcome": outcome})
    assert response.status_code == 403
    check.refresh_from_db()
    assert (check.outcome, check.manual, check.set_by_id) == (which, False, None)
    assert Crisis.objects.filter(closed_at__isnull=True).count() == open_crises
    html = bob_client.get(
        reverse("promises:promise-checks", args=[history["promise"].pk])
    ).content.decode()
    assert 'data-outcome="broken"' in html
    assert "check-set" not in html


def test_agent_records_a_check_nothing_measured(bob_client, bob, history):
    """A repair not started yet cannot be measured: an agent may record what happened."""
    asked = timezone.now() - timedelta(hours=2)
    waiting = interaction_record(
        customer=history["customer"],
        by=bob,
        touchpoint=_tp(history["customer"].workspace),
        occurred_at=asked,
        requested_at=asked,
    )
    check = PromiseCheck.objects.get(interaction=waiting)
    assert check.outcome == "not_measurable"
    url = reverse("promises:promise-checks", args=[history["promise"].pk])
    html = bob_client.get(url).content.decode()
    assert html.count('class="inline-form check-set"') == 1
    assert reverse("promises:check-set", args=[check.pk]) in html
    response = bob_client.post(
        reverse("promises:check-set", args=[check.pk]), {"outcome": "kept"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    check.refresh_from_db()
    assert (check.outcome, check.manual, check.set_by_id) == ("kept", True, bob.pk)
    # once it has a result, changing it again is an override
    assert 'class="inline-form check-set"' not in response.content.decode()
    response = bob_client.post(
        reverse("promises:check-set", args=[check.pk]), {"outcome": "broken"}
    )
    assert response.status_code == 403
    check.refresh_from_db()
    assert check.outcome == "kept"


@pytest.mark.parametrize("outcome", ["", "maybe"])
def test_bad_outcome_is_a_400_and_changes_nothing(bob_client, history, outcome):
    check = PromiseCheck.objects.get(interaction=history["broken"])
    response = bob_client.post(reverse("promises:check-set", args=[check.pk]), {"outcome": outcome})
    assert response.status_code == 400
    check.refresh_from_db()
    assert (check.outcome, check.manual) == ("broken", False)


# --- measured values on the interaction form -------------------------------------------------


def test_interaction_form_records_measured_values_for_threshold_promises(
    bob_client, alice, workspace_a
):
    _promise(
        workspace_a,
        alice,
        name_it="Nessun difetto",
        touchpoint=_tp(workspace_a, "consegna"),
        target_type="threshold",
        start_moment="",
        end_moment="",
        measure="defects",
        comparison="at_most",
        limit=0,
        unit="",
    )
    customer = CustomerFactory(workspace=workspace_a)
    url = reverse("interactions:interaction-create", args=[customer.pk])
    html = bob_client.get(url).content.decode()
    assert 'name="measure__defects"' in html
    data = {
        "touchpoint": _tp(workspace_a, "consegna").pk,
        "channel": Interaction._meta.get_field("channel").choices[0][0],
        "occurred_at": "2026-03-02T10:00",
        "text": "",
        "measure__defects": "2",
    }
    assert bob_client.post(url, data).status_code == 302
    interaction = Interaction.objects.get(customer=customer)
    assert interaction.measures == {"defects": 2}
    assert PromiseCheck.objects.get(interaction=interaction).outcome == "broken"

    # not a number: a form error, nothing saved
    for bad in ("due", "NaN", "Infinity"):
        response = bob_client.post(url, {**data, "measure__defects": bad})
        assert response.status_code == 200
        assert "measure__defects" in response.context["form"].errors
    assert Interaction.objects.filter(customer=customer).count() == 1

    # editing keeps other values and removes an emptied one
    interaction.measures = {"defects": 2, "other": 5}
    interaction.save()
    edit = reverse("interactions:interaction-update", args=[interaction.pk])
    assert 'value="2"' in bob_client.get(edit).content.decode()
    assert bob_client.post(edit, {**data, "measure__defects": ""}).status_code == 302
    interaction.refresh_from_db()
    assert interaction.measures == {"other": 5}
    with translation.override("en"):
        assert gettext("Measured values")
