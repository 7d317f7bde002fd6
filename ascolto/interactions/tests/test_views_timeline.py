"""Timeline pages: the staff signal (with and without htmx), "show older", interaction forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Interaction, StaffSignal
from ascolto.interactions.tests.factories import InteractionFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def italian(message: str) -> str:
    with translation.override("it"):
        return translation.gettext(message)


@pytest.fixture
def customer(workspace_a):
    return CustomerFactory(workspace=workspace_a, name="Edilizia Ferri")


def signal_url(customer) -> str:
    return reverse("interactions:signal-create", args=[customer.pk])


@pytest.mark.django_db
def test_signal_without_javascript_redirects_to_the_customer(bob_client, bob, customer):
    response = bob_client.post(
        signal_url(customer), {"text": "  Molto soddisfatto  ", "polarity": "positive"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer-detail", args=[customer.pk])
    signal = StaffSignal.objects.get(customer=customer)
    assert (signal.text, signal.polarity, signal.member) == ("Molto soddisfatto", "positive", bob)


@pytest.mark.django_db
def test_htmx_signal_returns_the_new_timeline_item(bob_client, customer):
    response = bob_client.post(
        signal_url(customer), {"text": "Sembrava infastidito", "polarity": "negative"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count('class="timeline-item') == 1
    assert "is-signal is-negative" in html
    assert "Sembrava infastidito" in html
    assert StaffSignal.objects.filter(customer=customer, polarity="negative").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "polarity": "negative"}, "Write what you noticed, then choose a button."),
        ({"text": "   ", "polarity": "neutral"}, "Write what you noticed, then choose a button."),
        ({"text": "Arrabbiato", "polarity": "furious"}, "Choose negative, neutral or positive."),
        ({"text": "Arrabbiato"}, "Choose negative, neutral or positive."),
    ],
)
def test_bad_signal_is_refused_with_a_message(bob_client, customer, data, message):
    expected = escape(italian(message))

    page = bob_client.post(signal_url(customer), data, follow=True)
    assert page.status_code == 200
    assert expected in page.content.decode()

    fragment = bob_client.post(signal_url(customer), data, **HTMX)
    assert fragment.status_code == 422
    assert fragment["HX-Retarget"] == "#signal-form"
    assert expected in fragment.content.decode()
    assert not StaffSignal.objects.exists()


@pytest.mark.django_db
def test_detail_page_has_the_quick_signal_form(bob_client, customer):
    html = bob_client.get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    assert f'hx-post="{signal_url(customer)}"' in html
    assert 'hx-target="#timeline-list"' in html and 'hx-swap="afterbegin"' in html
    assert html.count('name="polarity"') == 3
    for value in ("negative", "neutral", "positive"):
        assert f'name="polarity" value="{value}"' in html


@pytest.mark.django_db
def test_show_older_pages_through_the_whole_timeline(bob_client, customer):
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    texts = [f"Chiamata numero {n:03d}" for n in range(120)]
    for n, text in enumerate(texts):
        InteractionFactory(customer=customer, occurred_at=start + timedelta(minutes=n), text=text)

    detail = bob_client.get(
        reverse("customers:customer-detail", args=[customer.pk])
    ).content.decode()
    found = [t for t in texts if t in detail]
    assert found == texts[-50:]
    assert detail.index(texts[-1]) < detail.index(texts[-2])  # newest first

    url = _older_link(detail)
    while url:
        fragment = bob_client.get(url, **HTMX)
        assert fragment.status_code == 200
        html = fragment.content.decode()
        assert "<html" not in html
        page = [t for t in texts if t in html]
        assert not set(page) & set(found), "an entry came twice"
        found += page
        url = _older_link(html)
    assert sorted(found) == sorted(texts)

    # Without JavaScript the same link opens a whole page.
    full = bob_client.get(_older_link(detail))
    assert "<html" in full.content.decode() and texts[69] in full.content.decode()


def _older_link(html: str) -> str | None:
    marker = 'hx-get="'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")


@pytest.mark.django_db
def test_malformed_older_link_is_a_400(bob_client, customer):
    url = reverse("interactions:timeline", args=[customer.pk])
    assert bob_client.get(url + "?before=not-a-cursor").status_code == 400


@pytest.mark.django_db
def test_times_are_shown_in_the_workspace_time_zone(bob_client, customer, workspace_a):
    InteractionFactory(customer=customer, occurred_at=datetime(2025, 1, 10, 12, 0, tzinfo=UTC))
    url = reverse("customers:customer-detail", args=[customer.pk])
    assert "10/01/2025 13:00" in bob_client.get(url).content.decode()  # Europe/Rome
    workspace_a.time_zone = "Asia/Tokyo"
    workspace_a.save()
    assert "10/01/2025 21:00" in bob_client.get(url).content.decode()


def interaction_data(workspace, **overrides) -> dict:
    data = {
        "touchpoint": workspace.touchpoints.get(code="intervento").pk,
        "channel": "on_site",
        "occurred_at": "2025-02-03T10:30",
        "member": "",
        "text": "Sostituita la batteria",
        "requested_at": "2025-02-02T08:00",
        "scheduled_for": "",
        "started_at": "2025-02-03T09:00",
        "completed_at": "2025-02-03T10:30",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_interaction_is_recorded_in_the_workspace_time_zone(bob_client, bob, customer, workspace_a):
    response = bob_client.post(
        reverse("interactions:interaction-create", args=[customer.pk]),
        interaction_data(workspace_a),
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get(customer=customer)
    assert interaction.occurred_at == datetime(2025, 2, 3, 9, 30, tzinfo=UTC)  # 10:30 in Rome
    assert interaction.requested_at == datetime(2025, 2, 2, 7, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_interaction_form_groups_the_measured_times(bob_client, customer):
    html = bob_client.get(
        reverse("interactions:interaction-create", args=[customer.pk])
    ).content.decode()
    fieldset = html.split('<fieldset class="measured-times">', 1)[1].split("</fieldset>", 1)[0]
    assert escape(italian("Measured times")) in fieldset
    for name in ("requested_at", "scheduled_for", "started_at", "completed_at"):
        assert f'name="{name}"' in fieldset
    assert 'name="occurred_at"' not in fieldset


@pytest.mark.django_db
@pytest.mark.parametrize("touchpoint", ["999999", "abc", "foreign"])
def test_unknown_or_foreign_touchpoint_is_refused(
    bob_client, customer, workspace_a, workspace_b, touchpoint
):
    if touchpoint == "foreign":
        touchpoint = workspace_b.touchpoints.get(code="reclamo").pk
    response = bob_client.post(
        reverse("interactions:interaction-create", args=[customer.pk]),
        interaction_data(workspace_a, touchpoint=touchpoint),
    )
    assert response.status_code == 200
    assert (
        escape(italian("Select a valid choice. That choice is not one of the available choices."))
        in response.content.decode()
    )
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_completion_before_start_is_refused(bob_client, customer, workspace_a):
    response = bob_client.post(
        reverse("interactions:interaction-create", args=[customer.pk]),
        interaction_data(workspace_a, completed_at="2025-02-03T08:00"),
    )
    assert response.status_code == 200
    assert (
        escape(italian("Work cannot be completed before it started.")) in response.content.decode()
    )
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_editing_to_a_foreign_touchpoint_changes_nothing(
    bob_client, customer, workspace_a, workspace_b
):
    interaction = InteractionFactory(customer=customer, text="Prima")
    response = bob_client.post(
        reverse("interactions:interaction-update", args=[interaction.pk]),
        interaction_data(workspace_a, touchpoint=workspace_b.touchpoints.first().pk, text="Dopo"),
    )
    assert response.status_code == 200
    interaction.refresh_from_db()
    assert interaction.text == "Prima"
    assert interaction.touchpoint.workspace_id == workspace_a.pk


@pytest.mark.django_db
def test_staff_signal_text_is_stored_without_bidi_overrides(alice_client, workspace_a):
    from ascolto.customers.tests.factories import CustomerFactory
    from ascolto.interactions.models import StaffSignal

    customer = CustomerFactory(workspace=workspace_a)
    alice_client.post(
        reverse("interactions:signal-create", args=[customer.pk]),
        {"text": "Sembrava\u202e seccato\x07", "polarity": "negative"},
    )
    assert StaffSignal.objects.get(customer=customer).text == "Sembrava seccato"
