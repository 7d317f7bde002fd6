"""The interaction form shows which times each promise of the touchpoint reads and asks for
the missing ones; a promise that cannot be measured on a saved interaction says so on the
timeline line itself (a delivery logged with only "scheduled" and "completed" against a
promise reading scheduled → started raised no alarm and said nothing)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Interaction
from ascolto.promises.models import PromiseCheck
from ascolto.promises.tests.test_fit import promise, touchpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def punctual_delivery(workspace_a):
    return promise(
        workspace_a,
        code="consegna",
        name="Consegna puntuale",
        dimension="timeliness",
        target_type="punctuality",
        limit=30,
        unit="minutes",
        start_moment="scheduled_for",
        end_moment="started_at",
    )


def _post(workspace, customer, **times):
    data = {
        "touchpoint": touchpoint(workspace, "consegna").pk,
        "channel": "on_site",
        "occurred_at": "2026-12-06T11:00",
        "member": "",
        "text": "Consegna",
        "requested_at": "",
        "scheduled_for": "",
        "started_at": "",
        "completed_at": "",
    }
    data.update(times)
    return data


def test_form_lists_the_times_each_promise_reads(alice_client, workspace_a, punctual_delivery):
    customer = CustomerFactory(workspace=workspace_a)
    page = alice_client.get(reverse("interactions:interaction-create", args=[customer.pk]))
    html = page.content.decode()
    assert 'id="promise-times"' in html
    assert "«Consegna puntuale»" in html
    with translation.override("it"):
        scheduled = capfirst(Interaction._meta.get_field("scheduled_for").verbose_name)
        started = capfirst(Interaction._meta.get_field("started_at").verbose_name)
    assert f"{scheduled} → {started}" in html


def test_form_asks_for_the_missing_time_and_saves_nothing(
    alice_client, workspace_a, punctual_delivery
):
    customer = CustomerFactory(workspace=workspace_a)
    url = reverse("interactions:interaction-create", args=[customer.pk])
    response = alice_client.post(
        url,
        _post(
            workspace_a, customer, scheduled_for="2026-12-04T09:00", completed_at="2026-12-06T11:00"
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="missing_times_ok"' in html
    assert "«Consegna puntuale»" in html
    assert not Interaction.objects.filter(customer=customer).exists()


def test_saved_without_the_time_the_timeline_line_says_not_measurable(
    alice_client, workspace_a, punctual_delivery
):
    customer = CustomerFactory(workspace=workspace_a)
    url = reverse("interactions:interaction-create", args=[customer.pk])
    response = alice_client.post(
        url,
        _post(
            workspace_a,
            customer,
            scheduled_for="2026-12-04T09:00",
            completed_at="2026-12-06T11:00",
            missing_times_ok="on",
        ),
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get(customer=customer)
    check = PromiseCheck.objects.get(interaction=interaction)
    assert check.outcome == PromiseCheck.Outcome.NOT_MEASURABLE
    page = alice_client.get(reverse("customers:customer-detail", args=[customer.pk]))
    html = page.content.decode()
    with translation.override("it"):
        started = str(Interaction._meta.get_field("started_at").verbose_name)
    line = html[html.index(f'id="interaction-{interaction.pk}"') :]
    line = line[: line.index("</li>\n</ul>") if "</li>\n</ul>" in line else len(line)]
    assert "check-not-measurable" in line
    assert f"«{started}»" in line


def test_with_every_time_the_form_saves_at_once(alice_client, workspace_a, punctual_delivery):
    customer = CustomerFactory(workspace=workspace_a)
    url = reverse("interactions:interaction-create", args=[customer.pk])
    response = alice_client.post(
        url,
        _post(
            workspace_a,
            customer,
            scheduled_for="2026-12-04T09:00",
            started_at="2026-12-06T10:00",
            completed_at="2026-12-06T11:00",
        ),
    )
    assert response.status_code == 302
    check = PromiseCheck.objects.get(interaction__customer=customer)
    assert check.outcome == PromiseCheck.Outcome.BROKEN
