"""Surveys, invitations and responses through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.models import Answer, Invitation, Question, Response, Survey
from ascolto.feedback.selectors import all_good_responses, invitation_by_token
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _answers(survey, score=None, why="", improve=""):
    data = {}
    for q in survey.questions.all():
        if q.role == Question.Role.MAIN and score is not None:
            data[f"q{q.pk}"] = str(score)
        elif q.role == Question.Role.WHY:
            data[f"q{q.pk}"] = why
        elif q.role == Question.Role.IMPROVE:
            data[f"q{q.pk}"] = improve
    return data


def test_nps_template_has_three_questions_in_both_languages(survey_a, workspace_a):
    questions = list(survey_a.questions.order_by("position"))
    assert [q.role for q in questions] == ["main", "why", "improve"]
    assert questions[0].text_it == (
        f"Quanto è probabile che consiglierebbe {workspace_a.name} a un amico o collega?"
    )
    assert questions[0].text_en.startswith("How likely are you to recommend")
    assert (questions[0].min_value, questions[0].max_value) == (0, 10)
    assert all(q.text_en for q in questions)


@pytest.mark.parametrize(
    ("kind", "low", "high"), [(Survey.Kind.CSAT, 1, 5), (Survey.Kind.CES, 1, 7)]
)
def test_csat_and_ces_ranges_and_improve_question(workspace_a, kind, low, high):
    survey = SurveyFactory(workspace=workspace_a, kind=kind)
    main = survey.questions.get(role="main")
    assert (main.min_value, main.max_value) == (low, high)
    assert survey.questions.filter(role="improve").exists()


def test_custom_survey_also_asks_what_could_be_better(workspace_a):
    survey = SurveyFactory(workspace=workspace_a, kind=Survey.Kind.CUSTOM)
    assert survey.questions.filter(role="improve").count() == 1


def test_invitation_token_is_long_random_and_only_hashed(survey_a, customer_a, alice):
    invitation = services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    token = invitation.token
    assert len(token) >= 22  # ≥ 128 bits in URL-safe base64
    assert token not in invitation.token_hash and token not in invitation.token_salt
    assert invitation_by_token(token) == invitation
    assert invitation_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    other = services.survey_invitation_create(
        survey=survey_a, customer=CustomerFactory(workspace=survey_a.workspace), by=alice
    )
    assert other.token != token


def test_one_open_invitation_per_customer_and_survey(survey_a, customer_a, alice):
    first = services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    with pytest.raises(ValidationError):
        services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    # once expired, a new invitation replaces it
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(days=1))
    second = services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    first.refresh_from_db()
    assert first.closed_at is not None and second.closed_at is None


def test_lost_customer_and_customer_without_email_are_refused(survey_a, workspace_a, alice):
    lost = CustomerFactory(workspace=workspace_a, status=Customer.Status.LOST)
    no_email = CustomerFactory(workspace=workspace_a, email="")
    with pytest.raises(ValidationError):
        services.survey_invitation_create(survey=survey_a, customer=lost, by=alice)
    with pytest.raises(ValidationError):
        services.survey_invitation_create(survey=survey_a, customer=no_email, by=alice)
    link = services.survey_invitation_create(
        survey=survey_a, customer=no_email, by=alice, channel="link"
    )
    assert link.state == "done"
    internal = CustomerFactory(workspace=workspace_a, kind=Customer.Kind.INTERNAL)
    assert services.survey_invitation_create(survey=survey_a, customer=internal, by=alice)
    assert Invitation.objects.count() == 2


def test_customer_of_another_workspace_is_refused(survey_a, workspace_b, alice):
    foreign = CustomerFactory(workspace=workspace_b)
    with pytest.raises(ValidationError):
        services.survey_invitation_create(survey=survey_a, customer=foreign, by=alice)
    assert not Invitation.objects.exists()


def test_detractor_alerts_the_account_owner(
    survey_a, customer_a, alice, django_capture_on_commit_callbacks
):
    invitation = services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    with django_capture_on_commit_callbacks(execute=False):
        response = services.response_submit(
            survey=survey_a,
            data=_answers(survey_a, 3, why="Consegna in ritardo"),
            language="it",
            invitation=invitation,
        )
    assert response.band == "detractor" and response.customer == customer_a
    note = Notification.objects.get()
    assert note.recipient == alice and note.customer == customer_a
    assert "Edil Bianchi" in note.title and "Consegna in ritardo" in note.body
    assert note.state == "pending"  # its email is queued


def test_top_score_with_nothing_to_improve_is_all_good(survey_a, customer_a, alice):
    invitation = services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    response = services.response_submit(
        survey=survey_a, data=_answers(survey_a, 10), language="it", invitation=invitation
    )
    assert response.all_good and response.band == "promoter"
    assert list(all_good_responses(workspace=survey_a.workspace, customer=customer_a)) == [response]
    assert not Notification.objects.exists()


def test_top_score_with_a_suggestion_is_not_all_good(survey_a, customer_a, alice):
    invitation = services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    response = services.response_submit(
        survey=survey_a,
        data=_answers(survey_a, 9, improve="Orari più lunghi"),
        language="it",
        invitation=invitation,
    )
    assert not response.all_good


def test_second_submission_changes_nothing(survey_a, customer_a, alice):
    invitation = services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    services.response_submit(
        survey=survey_a, data=_answers(survey_a, 8), language="it", invitation=invitation
    )
    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(
            survey=survey_a, data=_answers(survey_a, 2), language="it", invitation=invitation
        )
    assert Response.objects.get().score == 8
    assert Answer.objects.filter(number=2).count() == 0


@pytest.mark.parametrize(
    "raw",
    ["11", "-1", "abc", "", "7.5", "1e1", "1_0", "0010", "07", "+7", "٣", "۷", "７", "\u0667"],
)
def test_bad_scores_are_refused(survey_a, raw):
    main = survey_a.questions.get(role="main")
    with pytest.raises(ValidationError) as info:
        services.response_submit(survey=survey_a, data={f"q{main.pk}": raw}, language="it")
    assert f"q{main.pk}" in info.value.message_dict
    assert not Response.objects.exists()


def test_stored_text_has_no_control_characters_or_bidi_overrides(survey_a):
    data = _answers(survey_a, 8, why="Tutto\u202e bene\x00\x1b[0m\r\nma il\u2066 ritardo\u2069")
    response = services.response_submit(survey=survey_a, data=data, language="it")
    text = Answer.objects.get(response=response, text__gt="").text
    assert text == "Tutto bene[0m\nma il ritardo"


def test_long_text_is_refused(survey_a):
    data = _answers(survey_a, 8, why="x" * 100_000)
    with pytest.raises(ValidationError):
        services.response_submit(survey=survey_a, data=data, language="it")
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("kind", "score", "band"),
    [
        ("nps", 0, "detractor"),
        ("nps", 6, "detractor"),
        ("nps", 7, "passive"),
        ("nps", 9, "promoter"),
        ("csat", 2, "detractor"),
        ("csat", 4, "promoter"),
        ("ces", 1, "promoter"),
        ("ces", 5, "detractor"),
    ],
)
def test_score_bands(kind, score, band):
    assert services.score_band(kind, score) == band
