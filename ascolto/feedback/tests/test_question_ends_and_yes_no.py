"""A rating says what its ends mean; a yes/no question is answered yes or no and counted as
such on the survey's dashboard and in its export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.models import Answer, Question, Response
from ascolto.feedback.submissions.filing import submissions_store_all

pytestmark = pytest.mark.django_db

ON_TIME = "Le consegne arrivano all'ora concordata?"


def _url(invitation):
    return reverse("survey:answer", args=[invitation.token])


def _main(survey) -> str:
    return f"q{survey.questions.get(role='main').pk}"


@pytest.fixture
def questions(survey_a, alice):
    rating = services.question_add(
        survey=survey_a, by=alice, kind="scale", text_it="Cortesia", min_value=1, max_value=5
    )
    on_time = services.question_add(
        survey=survey_a, by=alice, kind="yesno", text_it=ON_TIME, text_en="On time?"
    )
    return rating, on_time


def _invite(survey, alice, language="it", **fields):
    customer = CustomerFactory(workspace=survey.workspace, preferred_language=language, **fields)
    return services.survey_invitation_create(survey=survey, customer=customer, by=alice)


def test_a_rating_shows_what_its_ends_mean_in_the_customers_language(
    client, survey_a, alice, questions
):
    """GIVEN a 1–5 rating without words of its own, and the main 0–10 score
    WHEN an Italian and an English customer open the survey
    THEN each end is named in their language: the rating's defaults, the NPS's own."""
    rating, _on_time = questions
    html = client.get(_url(_invite(survey_a, alice))).content.decode()
    with translation.override("it"):
        very_poor, excellent = gettext("Very poor"), gettext("Excellent")
        unlikely = gettext("Not at all likely")
    assert f"1 = {very_poor}" in html and f"5 = {excellent}" in html
    assert f"0 = {unlikely}" in html
    english = client.get(_url(_invite(survey_a, alice, "en"))).content.decode()
    assert "1 = Very poor" in english and "5 = Excellent" in english
    assert "0 = Not at all likely" in english


def test_the_ends_are_the_questions_own_words_when_given(client, survey_a, alice, questions):
    rating, _on_time = questions
    services.question_update(
        question=rating, by=alice, low_label_it="Scortese", high_label_it="Gentilissimi"
    )
    html = client.get(_url(_invite(survey_a, alice))).content.decode()
    assert "1 = Scortese" in html and "5 = Gentilissimi" in html
    english = client.get(_url(_invite(survey_a, alice, "en"))).content.decode()
    assert "Scortese" not in english and "1 = Very poor" in english  # no Italian on it


def test_a_yes_no_question_is_answered_yes_or_no(client, survey_a, alice, questions):
    """GIVEN a yes/no question WHEN a customer answers "forse", then "yes"
    THEN the first is refused with a clear message and nothing stored; the second stores 1."""
    _rating, on_time = questions
    invitation = _invite(survey_a, alice)
    page = client.get(_url(invitation)).content.decode()
    assert escape(ON_TIME) in page
    assert (
        f'name="q{on_time.pk}" value="yes"' in page and f'name="q{on_time.pk}" value="no"' in page
    )
    bad = client.post(_url(invitation), {_main(survey_a): "9", f"q{on_time.pk}": "forse"})
    assert bad.status_code == 422
    with translation.override("it"):
        assert gettext("Answer yes or no.") in bad.content.decode()
    assert not Response.objects.exists()
    good = client.post(_url(invitation), {_main(survey_a): "9", f"q{on_time.pk}": "yes"})
    assert good.status_code == 302
    submissions_store_all()
    assert Answer.objects.get(question=on_time).number == 1


def _answer(client, survey, alice, on_time, value):
    invitation = _invite(survey, alice)
    response = client.post(_url(invitation), {_main(survey): "8", f"q{on_time.pk}": value})
    assert response.status_code == 302


def test_dashboard_and_export_count_yes_and_no(client, alice_client, survey_a, alice, questions):
    """GIVEN two yes and one no to the yes/no question
    WHEN the owner opens the survey's dashboard and downloads its questions
    THEN the page says 2 yes, 1 no (67 % yes) and the export has the counts in their columns."""
    _rating, on_time = questions
    for value in ("yes", "yes", "no"):
        _answer(client, survey_a, alice, on_time, value)
    assert submissions_store_all() == 3
    page = alice_client.get(reverse("dashboards:survey-detail", args=[survey_a.pk]))
    html = page.content.decode()
    assert 'data-kind="yesno" data-n="3" data-yes="2" data-no="1"' in html
    assert "Sì 2, no 1 (67% sì)" in html
    export = alice_client.get(
        reverse("dashboards:export", args=[f"questions-{survey_a.pk}", "csv"]) + "?csv=en"
    )
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    header = rows[0]
    line = next(r for r in rows if r[0] == ON_TIME)
    assert line[header.index("Sì")] == "2" and line[header.index("No")] == "1"
    assert line[header.index("Sì (%)")] == "66.67"


def test_the_question_export_of_another_workspace_is_404(mallory_client, survey_a):
    url = reverse("dashboards:export", args=[f"questions-{survey_a.pk}", "csv"])
    assert mallory_client.get(url).status_code == 404


def test_timeline_shows_yes_in_words(alice_client, survey_a, alice, questions, client):
    _rating, on_time = questions
    invitation = _invite(survey_a, alice)
    client.post(_url(invitation), {_main(survey_a): "9", f"q{on_time.pk}": "no"})
    submissions_store_all()
    page = alice_client.get(reverse("customers:customer-detail", args=[invitation.customer_id]))
    html = page.content.decode()
    assert escape(ON_TIME) in html
    answer_line = html[html.index(escape(ON_TIME)) :][:200]
    assert "</span> No" in answer_line


def test_manager_adds_a_yes_no_question_and_labels_too_long_are_refused(carol_client, survey_a):
    url = reverse("feedback:question-create", args=[survey_a.pk])
    before = Question.objects.filter(survey=survey_a).count()
    bad = carol_client.post(
        url,
        {
            "kind": "scale",
            "text_it": "Cortesia",
            "min_value": 1,
            "max_value": 5,
            "low_label_it": "x" * 61,
        },  # fmt: skip
    )
    assert bad.status_code == 200
    assert "errorlist" in bad.content.decode()
    assert Question.objects.filter(survey=survey_a).count() == before
    good = carol_client.post(url, {"kind": "yesno", "text_it": ON_TIME})
    assert good.status_code == 302
    question = Question.objects.get(survey=survey_a, text_it=ON_TIME)
    assert question.kind == "yesno" and question.min_value is None
