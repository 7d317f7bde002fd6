"""Member pages for cadence rules: managers only, this workspace only, bad input saves nothing."""

from __future__ import annotations

from django.urls import reverse

from ascolto.feedback.models import CadenceRule
from ascolto.feedback.services.cadence import cadence_rule_create
from ascolto.feedback.tests.factories import SurveyFactory


def _post(survey, **extra):
    data = {
        "name": "Trimestrale",
        "survey": survey.pk,
        "active": "on",
        "customer_kind": "external",
        "every_days": "90",
        "fatigue_days": "30",
    }
    data.update(extra)
    return data


def test_manager_creates_and_edits_a_rule(carol_client, carol, survey_a, workspace_a):
    response = carol_client.post(reverse("feedback:cadence-create"), _post(survey_a))
    assert response.status_code == 302
    rule = CadenceRule.objects.get(workspace=workspace_a)
    assert (rule.every_days, rule.fatigue_days, rule.survey) == (90, 30, survey_a)

    page = carol_client.get(reverse("feedback:cadence-list"))
    assert "Trimestrale" in page.content.decode()
    assert (
        reverse("feedback:cadence-list")
        in carol_client.get(reverse("feedback:survey-list")).content.decode()
    )

    intervento = workspace_a.touchpoints.get(code="intervento")
    response = carol_client.post(
        reverse("feedback:cadence-update", args=[rule.pk]),
        _post(survey_a, every_days="", after_touchpoint=intervento.pk),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.every_days is None and rule.after_touchpoint == intervento


def test_agent_may_not_manage_rules(bob_client):
    assert bob_client.get(reverse("feedback:cadence-list")).status_code == 403
    assert bob_client.get(reverse("feedback:cadence-create")).status_code == 403


def test_bad_input_is_refused_with_a_message_and_saves_nothing(
    carol_client, survey_a, workspace_b, mallory
):
    survey_b = SurveyFactory(workspace=workspace_b, by=mallory)
    intervento_b = workspace_b.touchpoints.get(code="intervento")
    bad = [
        _post(survey_a, every_days="0"),
        _post(survey_a, every_days="-5"),
        _post(survey_a, every_days="abc"),
        _post(survey_a, fatigue_days="0"),
        _post(survey_a, every_days="99999999999999999999"),
        _post(survey_a, every_days="", days_before_renewal=""),
        _post(survey_b),
        _post(survey_a, after_touchpoint=intervento_b.pk),
        _post(survey_a, customer_kind="robot"),
        {"name": ""},
    ]
    for data in bad:
        response = carol_client.post(reverse("feedback:cadence-create"), data)
        assert response.status_code == 200, data
        assert 'class="errorlist' in response.content.decode(), data
    assert CadenceRule.objects.count() == 0


def test_rules_of_another_workspace_are_not_found(carol_client, alice_client, mallory, workspace_b):
    survey_b = SurveyFactory(workspace=workspace_b, by=mallory)
    rule_b = cadence_rule_create(
        workspace=workspace_b, by=mallory, survey=survey_b, name="B", every_days=30
    )
    url = reverse("feedback:cadence-update", args=[rule_b.pk])
    assert carol_client.get(url).status_code == 404
    assert carol_client.post(url, _post(survey_b, every_days="1")).status_code == 404
    assert "B" not in [r.name for r in CadenceRule.objects.exclude(workspace=workspace_b)]
    rule_b.refresh_from_db()
    assert rule_b.every_days == 30
    assert "B</a>" not in alice_client.get(reverse("feedback:cadence-list")).content.decode()
