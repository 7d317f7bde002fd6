"""The customer page's panels registry: what the apps register at start-up, the order the page
shows them in, and a new app's panel plugging in the same way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ascolto.customers.panels import SLOTS, CustomerPanel, customer_panels
from ascolto.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_every_app_s_panels_are_registered_in_their_slots():
    assert {slot: [p.name for p in customer_panels.in_slot(slot)] for slot in SLOTS} == {
        "actions": ["interactions-add", "promises-gaps", "cases-add", "privacy-person"],
        "top": ["cases-open", "promises-crisis"],
        "main": ["interactions-signal", "interactions-timeline"],
        "aside": [
            "health-score",
            "customers-details",
            "textanalysis-voice",
            "customers-contracts",
            "customers-lost",
            "customers-consent",
            "feedback-ask",
            "promises-fit",
        ],
    }


def test_a_panel_needs_a_known_slot_and_a_free_name():
    with pytest.raises(ValueError):
        CustomerPanel(name="cases-open", slot="footer", order=1, template="x.html")
    with pytest.raises(ValueError, match="registered already"):
        customer_panels.register(
            CustomerPanel(name="promises-crisis", slot="aside", order=1, template="x.html")
        )
    with pytest.raises(ValueError):
        customer_panels.in_slot("footer")


def test_the_page_shows_the_panels_in_slot_order(alice_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    html = alice_client.get(reverse("customers:customer-detail", args=[customer.pk])).content
    html = html.decode()
    marks = [
        f'href="{reverse("interactions:interaction-create", args=[customer.pk])}"',
        f'id="gap-link-{customer.pk}"',
        'id="crisis-panel"',
        'id="signal-heading"',
        'id="timeline-heading"',
        'id="facts-heading"',
        'id="their-words"',
        'id="contracts-heading"',
        'id="ask-feedback"',
        'id="needs"',
    ]
    positions = [html.index(mark) for mark in marks]
    assert positions == sorted(positions)


@pytest.fixture
def cases_panel():
    """A higher app's panel, as the cases app will register one: its own data, or nothing."""
    calls = []

    def context(*, request, customer):
        calls.append((request.workspace.pk, customer.pk))
        if customer.name.startswith("Senza"):
            return None
        return {"customer_name_shout": customer.name.upper()}

    panel = customer_panels.register(
        CustomerPanel(
            name="tests-shout",
            slot="top",
            order=5,
            template="customers/tests_panel.html",
            context=context,
        )
    )
    yield calls
    customer_panels.unregister(panel.name)


def test_a_new_panel_plugs_in_with_its_own_data(
    alice_client, workspace_a, cases_panel, tmp_path, settings
):
    (tmp_path / "customers").mkdir()
    (tmp_path / "customers" / "tests_panel.html").write_text(
        '<section id="shout">{{ customer_name_shout }} · {{ customer.pk }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    shown = CustomerFactory(workspace=workspace_a, name="Edil <Bianchi>")
    hidden = CustomerFactory(workspace=workspace_a, name="Senza pannello")
    html = alice_client.get(reverse("customers:customer-detail", args=[shown.pk])).content
    html = html.decode()
    assert f'<section id="shout">EDIL &lt;BIANCHI&gt; · {shown.pk}</section>' in html
    assert html.index('id="shout"') < html.index('id="crisis-panel"')  # order 5 before 10
    html = alice_client.get(reverse("customers:customer-detail", args=[hidden.pk])).content
    assert 'id="shout"' not in html.decode()
    assert cases_panel == [(workspace_a.pk, shown.pk), (workspace_a.pk, hidden.pk)]
