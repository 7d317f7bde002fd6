"""The at-risk list and the customer page's health card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ascolto.customers.tests.factories import ContractFactory, CustomerFactory
from ascolto.health.models import HealthScore
from ascolto.health.services import health_scores_compute
from ascolto.health.tests import fixtures as f

URL = reverse("health:at-risk")


@pytest.fixture
def scored(workspace_a, workspace_b, bob):
    now = timezone.now()
    risky = CustomerFactory(
        workspace=workspace_a,
        name="Rossi Noleggi",
        account_owner=bob,
        created_at=now - timedelta(400),
    )
    f.nps(risky, 9, now - timedelta(days=60))
    f.nps(risky, 3, now - timedelta(days=2))
    f.interaction(risky, now - timedelta(days=3), code="reclamo")
    ContractFactory(
        customer=risky, renewal_date=(now + timedelta(days=20)).date(), yearly_value=5000
    )
    fine = CustomerFactory(
        workspace=workspace_a, name="Bianchi Srl", created_at=now - timedelta(400)
    )
    f.nps(fine, 10, now - timedelta(days=5))
    f.interaction(fine, now - timedelta(days=5))
    other = CustomerFactory(
        workspace=workspace_b, name="Segreto Spa", created_at=now - timedelta(400)
    )
    f.nps(other, 0, now - timedelta(days=1))
    f.interaction(other, now - timedelta(days=1), code="reclamo")
    # Yesterday's score too, so the card has a history to draw.
    health_scores_compute(workspace=workspace_a, now=now - timedelta(days=1))
    health_scores_compute(workspace=workspace_a, now=now)
    health_scores_compute(workspace=workspace_b, now=now)
    return risky, fine, other


def test_at_risk_list_shows_why_and_what_to_do(scored, bob_client):
    risky, fine, _other = scored
    response = bob_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rossi Noleggi" in html and "Bianchi Srl" not in html
    assert "Segreto Spa" not in html
    assert f'data-customer="{risky.pk}"' in html
    row = HealthScore.objects.filter(customer=risky).latest("day")
    assert f"<strong>{row.score}</strong>" in html
    assert "−" in html  # the points each reason took away


def test_at_risk_list_in_english_names_the_reasons(scored, bob_client):
    bob_client.cookies["django_language"] = "en"
    html = bob_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Last recommendation score: 3 out of 10." in html
    assert "Call them" in html


def test_filters_and_sorts(scored, bob_client, bob, alice):
    assert "Rossi Noleggi" in bob_client.get(URL, {"owner": bob.pk}).content.decode()
    assert "Rossi Noleggi" not in bob_client.get(URL, {"owner": alice.pk}).content.decode()
    assert "Rossi Noleggi" not in bob_client.get(URL, {"level": "watch"}).content.decode()
    for sort in ("score", "value", "renewal", "name"):
        assert bob_client.get(URL, {"sort": sort}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"owner": "abc"},
        {"owner": "9" * 40},
        {"segment": "-1"},
        {"level": "<script>"},
        {"sort": "customer__email"},
        {"page": "x"},
    ],
)
def test_hostile_query_values_are_ignored(scored, bob_client, query):
    response = bob_client.get(URL, query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_outsider_sees_only_their_own(scored, mallory_client):
    html = mallory_client.get(URL).content.decode()
    assert "Segreto Spa" in html and "Rossi Noleggi" not in html


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302


def test_list_queries_do_not_grow_with_rows(
    scored, bob_client, workspace_a, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(15):
        c = CustomerFactory(
            workspace=workspace_a, name=f"Cliente {i}", created_at=now - timedelta(400)
        )
        f.nps(c, 2, now - timedelta(days=1))
        f.interaction(c, now - timedelta(days=1), code="reclamo")
    health_scores_compute(workspace=workspace_a, now=now)
    with django_assert_max_num_queries(12):
        response = bob_client.get(URL)
    assert response.content.decode().count('class="at-risk-row') == 16


def test_customer_page_shows_the_health_card(scored, bob_client):
    risky, _fine, _other = scored
    html = bob_client.get(reverse("customers:customer-detail", args=[risky.pk])).content.decode()
    assert 'id="health-panel"' in html
    assert "chart-health-history" in html
    score = HealthScore.objects.filter(customer=risky).latest("day")
    assert f'<strong class="health-number">{score.score}</strong>' in html


def test_customer_without_score_says_so(workspace_a, bob_client):
    customer = CustomerFactory(workspace=workspace_a)
    html = bob_client.get(reverse("customers:customer-detail", args=[customer.pk])).content.decode()
    assert 'id="health-panel"' in html and "chart-health-history" not in html


SETTINGS = reverse("health:settings")
BACKTEST = reverse("health:backtest")


def _settings_post(**changes):
    from ascolto.health.measures import DEFAULT_BANDS, DEFAULT_WEIGHTS

    data = {f"w_{k}": v for k, v in DEFAULT_WEIGHTS.items()}
    data.update({f"b_{k}": v for k, v in DEFAULT_BANDS.items()})
    data.update(changes)
    return data


def test_manager_changes_weights_and_the_history_marks_it(carol_client, workspace_a):
    from ascolto.health.selectors import health_config

    response = carol_client.post(SETTINGS, _settings_post(w_feedback=23, w_renewal=0))
    assert response.status_code == 302
    config = health_config(workspace=workspace_a)
    assert config.weights["feedback"] == 23 and config.weights["renewal"] == 0
    assert config.version == 2


def test_weights_that_do_not_add_up_are_refused_in_italian(carol_client, workspace_a):
    from ascolto.health.models import HealthSettings

    response = carol_client.post(SETTINGS, _settings_post(w_feedback=50))
    assert response.status_code == 200
    assert "100" in response.content.decode()
    assert not HealthSettings.objects.filter(workspace=workspace_a).exists()
    response = carol_client.post(SETTINGS, _settings_post(w_feedback="tanti"))
    assert response.status_code == 200
    assert not HealthSettings.objects.filter(workspace=workspace_a).exists()


def test_agent_may_not_change_settings(bob_client, bob, workspace_a):
    assert bob_client.get(SETTINGS).status_code == 403
    assert bob_client.post(SETTINGS, _settings_post()).status_code == 403
    from django.core.exceptions import PermissionDenied

    from ascolto.health.services import health_settings_update

    with pytest.raises(PermissionDenied):
        health_settings_update(workspace=workspace_a, by=bob, weights={}, bands={})


def test_settings_service_refuses_unknown_names(alice, workspace_a):
    from django.core.exceptions import ValidationError

    from ascolto.health.services import health_settings_update

    with pytest.raises(ValidationError):
        health_settings_update(workspace=workspace_a, by=alice, weights={"mood": 5}, bands={})


def test_backtest_page_in_words(scored, bob_client):
    response = bob_client.get(BACKTEST, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="backtest"' in html and 'id="learned-card"' in html
    # no adopt button for an agent, and adopting is refused
    assert 'name="adopt"' not in html
    assert bob_client.post(BACKTEST, {"adopt": "1"}).status_code == 403


def test_adopting_without_a_card_says_why(scored, carol_client):
    response = carol_client.post(BACKTEST, {"adopt": "1"}, follow=True)
    assert response.status_code == 200
