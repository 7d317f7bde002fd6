"""One register for customers: new surveys speak to them with "Lei" unless the workspace chose
"tu" (they mixed "La tua opinione" and "Risponda qui"); the survey page counts its questions
("Tre domande, meno di un minuto" was shown on a seven-question survey)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ascolto.feedback import services
from ascolto.feedback.models import Survey

pytestmark = pytest.mark.django_db

TU = re.compile(r"\b(tua|tuo|tue|tuoi|ti|te|sei|consiglieresti|dicci)\b", re.IGNORECASE)


def _texts(survey: Survey) -> list[str]:
    return [survey.title_it, survey.intro_it, survey.thanks_it] + [
        q.text_it for q in survey.questions.all()
    ]


@pytest.mark.parametrize("kind", Survey.Kind.values)
def test_new_surveys_say_lei_by_default(workspace_a, alice, kind):
    survey = services.survey_create(workspace=workspace_a, by=alice, name="S", kind=kind)
    for text in _texts(survey):
        assert not TU.search(text), text


def test_a_workspace_on_first_name_terms_gets_tu(workspace_a, alice):
    workspace_a.customer_address = "tu"
    workspace_a.save()
    survey = services.survey_create(workspace=workspace_a, by=alice, name="S", kind="nps")
    assert "La tua opinione" in survey.title_it
    assert "consiglieresti" in survey.questions.get(role="main").text_it


def test_owner_chooses_the_register_on_the_workspace_page(alice_client, workspace_a):
    page = alice_client.get(reverse("workspaces:workspace-settings")).content.decode()
    assert 'name="customer_address"' in page


def test_survey_page_counts_its_questions(client, workspace_a, alice):
    survey = services.survey_create(workspace=workspace_a, by=alice, name="S", kind="nps")
    for n in range(4):
        services.question_add(
            survey=survey, by=alice, kind="text", text_it=f"Domanda {n}", text_en=f"Q {n}"
        )
    link = services.open_link_create(survey=survey, by=alice)
    html = client.get(reverse("survey:open", args=[link.token])).content.decode()
    assert "7 domande" in html
    assert "Tre domande" not in html
