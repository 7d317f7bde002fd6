"""The interactions app's hook lists and timeline registry: what the higher apps register at
start-up, that the hooks run inside the service's transaction, and that a new source joins the
timeline and its pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions import hooks, services
from ascolto.interactions.forms import MEASURE_PREFIX, InteractionForm
from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.interactions.selectors import (
    TimelineCursor,
    staff_signal_list_for_customer,
    timeline_for_customer,
)
from ascolto.interactions.tests.factories import InteractionFactory, StaffSignalFactory
from ascolto.interactions.timeline import TimelineSource, timeline_sources

pytestmark = pytest.mark.django_db


def _names(hook_list) -> list[str]:
    return [f"{f.__module__}.{f.__name__}" for f in hook_list]


def test_the_higher_apps_fill_the_hooks_at_start_up_in_layer_order():
    assert _names(hooks.interaction_saved) == [
        "ascolto.textanalysis.services.interaction_text_analyse",
        "ascolto.promises.services.promise_checks_for_interaction",
    ]
    assert _names(hooks.staff_signal_recorded) == [
        "ascolto.textanalysis.services.staff_signal_text_analyse"
    ]
    assert _names(hooks.interaction_measures) == [
        "ascolto.promises.selectors.promise_measure_names"
    ]
    assert [(s.kind, s.rank) for s in timeline_sources] == [
        ("interaction", 2),
        ("signal", 1),
        ("lost", 0),
        ("response", 3),
        ("review", 7),
    ]


@pytest.fixture
def extra_hook():
    added = []

    def add(hook_list, function):
        hook_list.register(function)
        added.append((hook_list, function))
        return function

    yield add
    for hook_list, function in added:
        hook_list.unregister(function)


def test_a_failing_hook_rolls_the_interaction_back(workspace_a, bob, extra_hook):
    """GIVEN a hook that fails WHEN an interaction is recorded THEN the error reaches the
    caller and nothing is saved: the hooks run in the service's transaction."""
    seen = []

    def broken(*, interaction):
        seen.append(interaction.pk)
        raise RuntimeError("analysis unavailable")

    extra_hook(hooks.interaction_saved, broken)
    customer = CustomerFactory(workspace=workspace_a)
    with pytest.raises(RuntimeError):
        services.interaction_record(
            customer=customer, by=bob, touchpoint=workspace_a.touchpoints.get(code="telefonata")
        )
    assert len(seen) == 1 and seen[0] is not None
    assert not Interaction.objects.exists()


def test_hooks_get_the_saved_interaction_and_signal(workspace_a, bob, extra_hook):
    seen = []
    extra_hook(hooks.interaction_saved, lambda *, interaction: seen.append(interaction))
    extra_hook(hooks.staff_signal_recorded, lambda *, signal: seen.append(signal))
    customer = CustomerFactory(workspace=workspace_a)
    interaction = services.interaction_record(
        customer=customer, by=bob, touchpoint=workspace_a.touchpoints.get(code="telefonata")
    )
    services.interaction_update(interaction=interaction, by=bob, text="Richiamato")
    signal = services.staff_signal_record(
        customer=customer, by=bob, text="Sembrava contento", polarity="positive"
    )
    assert seen == [interaction, interaction, signal]
    assert Interaction.objects.get().text == "Richiamato" and StaffSignal.objects.count() == 1


def test_measures_of_every_app_reach_the_interaction_form(workspace_a, extra_hook):
    extra_hook(hooks.interaction_measures, lambda *, workspace: {"minuti_attesa": ["Attesa"]})
    form = InteractionForm(workspace=workspace_a)
    assert form.measure_names == {"minuti_attesa": ["Attesa"]}
    assert MEASURE_PREFIX + "minuti_attesa" in form.fields


def test_a_source_needs_one_date_field_and_a_free_kind_and_rank():
    rows = staff_signal_list_for_customer
    with pytest.raises(ValueError):
        TimelineSource(kind="note", rank=9, template="x.html", rows=rows)
    with pytest.raises(ValueError):
        TimelineSource(kind="note-2", rank=9, template="x.html", rows=rows, at_field="created_at")
    with pytest.raises(ValueError, match="registered already"):
        timeline_sources.register(
            TimelineSource(
                kind="signal", rank=9, template="x.html", rows=rows, at_field="created_at"
            )
        )
    with pytest.raises(ValueError, match="taken"):
        timeline_sources.register(
            TimelineSource(kind="note", rank=1, template="x.html", rows=rows, at_field="created_at")
        )
    same = timeline_sources.get("signal")
    assert timeline_sources.register(same) is same  # registering again changes nothing


@pytest.fixture
def note_source():
    """A higher app's records on the timeline: here the staff signals again, as "note"."""
    source = timeline_sources.register(
        TimelineSource(
            kind="note",
            rank=5,
            template="interactions/_timeline_signal.html",
            rows=staff_signal_list_for_customer,
            at_field="created_at",
        )
    )
    yield source
    timeline_sources.unregister("note")


def test_a_registered_source_joins_the_timeline_and_its_pages(
    workspace_a, note_source, alice_client
):
    """GIVEN a new source with a higher rank than the signals WHEN the timeline is read page by
    page THEN its entries come in rank order at equal times, and no entry is skipped or
    repeated across pages."""
    customer = CustomerFactory(workspace=workspace_a)
    at = datetime(2025, 3, 1, 9, tzinfo=UTC)
    for i in range(4):
        signal = StaffSignalFactory(customer=customer)
        StaffSignal.objects.filter(pk=signal.pk).update(created_at=at - timedelta(hours=i))
        InteractionFactory(customer=customer, occurred_at=at - timedelta(hours=i))
    seen = []
    cursor = None
    while True:
        entries, cursor = timeline_for_customer(
            workspace=workspace_a, customer=customer, before=cursor, limit=5
        )
        seen += [(e.kind, e.obj.pk) for e in entries]
        if cursor is None:
            break
        cursor = TimelineCursor.from_token(cursor.token)
    assert len(seen) == len(set(seen)) == 12
    assert [kind for kind, _pk in seen[:3]] == ["note", "interaction", "signal"]
    token = TimelineCursor(at=at + timedelta(minutes=1), kind="note", pk=10**9).token
    url = reverse("interactions:timeline", args=[customer.pk])
    response = alice_client.get(url, {"before": token})
    assert response.status_code == 200
    assert response.content.decode().count('class="timeline-item') == 12
