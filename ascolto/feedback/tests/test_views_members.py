"""Member pages: roles, tenancy (another workspace's ids are 404), forms, QR codes."""

import pytest
from django.urls import reverse

from ascolto.customers.tests.factories import CustomerFactory
from ascolto.feedback import services
from ascolto.feedback.models import Invitation, OpenLink, Question, Survey
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_objects(workspace_b, mallory):
    survey = SurveyFactory(workspace=workspace_b, by=mallory)
    customer = CustomerFactory(workspace=workspace_b, account_owner=mallory)
    invitation = services.survey_invitation_create(
        survey=survey, customer=customer, by=mallory, channel="link"
    )
    link = services.open_link_create(survey=survey, by=mallory)
    question = survey.questions.get(role="why")
    return survey, customer, invitation, link, question


def test_outsider_gets_404_on_every_page_of_another_workspace(alice_client, b_objects):
    survey, customer, invitation, link, question = b_objects
    urls = [
        reverse("feedback:survey-detail", args=[survey.pk]),
        reverse("feedback:survey-update", args=[survey.pk]),
        reverse("feedback:survey-preview", args=[survey.pk]),
        reverse("feedback:question-create", args=[survey.pk]),
        reverse("feedback:question-update", args=[question.pk]),
        reverse("feedback:question-delete", args=[question.pk]),
        reverse("feedback:openlink-create", args=[survey.pk]),
        reverse("feedback:openlink-toggle", args=[link.pk]),
        reverse("feedback:openlink-qr", args=[link.pk]),
        reverse("feedback:invitation-create", args=[customer.pk]),
        reverse("feedback:invitation-detail", args=[invitation.pk]),
        reverse("feedback:invitation-qr", args=[invitation.pk]),
        reverse("feedback:invitation-resend", args=[invitation.pk]),
    ]
    for url in urls:
        for method in ("get", "post"):
            response = getattr(alice_client, method)(url, {"text_it": "x", "name": "x"})
            assert response.status_code in (404, 405), (url, method, response.status_code)
            if method == "post":
                assert response.status_code == 404, url
    assert Question.objects.filter(survey=survey).count() == 3
    assert OpenLink.objects.get(pk=link.pk).active
    assert Invitation.objects.count() == 1


def test_lists_do_not_show_another_workspace(alice_client, b_objects, survey_a):
    survey_b = b_objects[0]
    html = alice_client.get(reverse("feedback:survey-list")).content.decode()
    assert survey_a.name in html and survey_b.name not in html
    responses = alice_client.get(reverse("feedback:response-list"), {"survey": survey_b.pk})
    # The foreign id is not a valid choice: the form says so (400) and shows nothing of B.
    assert responses.status_code == 400
    assert survey_b.name not in responses.content.decode()


def test_invitation_form_rejects_a_survey_of_another_workspace(alice_client, b_objects, customer_a):
    survey_b = b_objects[0]
    url = reverse("feedback:invitation-create", args=[customer_a.pk])
    response = alice_client.post(url, {"survey": survey_b.pk, "channel": "email"})
    assert response.status_code == 422
    assert not Invitation.objects.filter(customer=customer_a).exists()


def test_agent_invites_a_customer_and_gets_the_link_and_qr(bob_client, survey_a, customer_a):
    url = reverse("feedback:invitation-create", args=[customer_a.pk])
    response = bob_client.post(url, {"survey": survey_a.pk, "channel": "link"})
    invitation = Invitation.objects.get(customer=customer_a)
    assert response.status_code == 302
    detail = bob_client.get(response["Location"]).content.decode()
    assert services.survey_link(invitation.token) in detail
    qr = bob_client.get(reverse("feedback:invitation-qr", args=[invitation.pk]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_agent_cannot_create_or_edit_surveys(bob_client, survey_a):
    assert (
        bob_client.post(reverse("feedback:survey-create"), {"name": "x", "kind": "nps"}).status_code
        == 403
    )
    assert bob_client.get(reverse("feedback:survey-update", args=[survey_a.pk])).status_code == 403
    assert Survey.objects.count() == 1


def test_manager_creates_a_survey_and_adds_a_dimension_question(carol_client, workspace_a):
    response = carol_client.post(
        reverse("feedback:survey-create"), {"name": "CSAT consegne", "kind": "csat"}
    )
    survey = Survey.objects.get(name="CSAT consegne")
    assert response.status_code == 302 and survey.kind == "csat"
    url = reverse("feedback:question-create", args=[survey.pk])
    bad = carol_client.post(
        url, {"kind": "scale", "text_it": "Puntualità", "min_value": 1, "max_value": 11}
    )
    assert bad.status_code == 200 and survey.questions.count() == 3
    good = carol_client.post(
        url,
        {
            "kind": "scale",
            "text_it": "Puntualità",
            "text_en": "Timeliness",
            "min_value": 1,
            "max_value": 5,
            "dimension": "timeliness",
        },
    )
    assert good.status_code == 302
    question = survey.questions.get(text_it="Puntualità")
    assert question.role == "dimension" and question.dimension == "timeliness"


def test_preview_in_both_languages(alice_client, survey_a):
    url = reverse("feedback:survey-preview", args=[survey_a.pk])
    assert "Quanto è probabile" in alice_client.get(url).content.decode()
    assert "How likely" in alice_client.get(url, {"lang": "en"}).content.decode()


def test_response_list_filters_by_band(alice_client, survey_a, customer_a, alice):
    main = survey_a.questions.get(role="main")
    for score in (2, 10):
        services.response_submit(survey=survey_a, data={f"q{main.pk}": str(score)}, language="it")
    html = alice_client.get(
        reverse("feedback:response-list"), {"band": "detractor"}
    ).content.decode()
    assert html.count('id="response-') == 1


def test_response_list_query_count_does_not_grow(
    alice_client, survey_a, django_assert_max_num_queries
):
    main = survey_a.questions.get(role="main")
    for score in range(11):
        services.response_submit(survey=survey_a, data={f"q{main.pk}": str(score)}, language="it")
    with django_assert_max_num_queries(12):
        assert alice_client.get(reverse("feedback:response-list")).status_code == 200


def test_member_sees_only_own_notifications_and_marks_read(
    alice_client, bob_client, alice, bob, survey_a, customer_a
):
    main = survey_a.questions.get(role="main")
    invitation = services.survey_invitation_create(
        survey=survey_a, customer=customer_a, by=alice, channel="link"
    )
    services.response_submit(
        survey=survey_a, data={f"q{main.pk}": "1"}, language="it", invitation=invitation
    )
    note = Notification.objects.get(recipient=alice)
    assert (
        note.title in alice_client.get(reverse("notifications:notification-list")).content.decode()
    )
    assert (
        note.title
        not in bob_client.get(reverse("notifications:notification-list")).content.decode()
    )
    assert (
        bob_client.post(reverse("notifications:notification-read", args=[note.pk])).status_code
        == 404
    )
    note.refresh_from_db()
    assert note.read_at is None
    alice_client.post(reverse("notifications:notification-read", args=[note.pk]))
    note.refresh_from_db()
    assert note.read_at is not None


def test_response_is_on_the_customer_timeline(alice_client, survey_a, customer_a, alice):
    invitation = services.survey_invitation_create(
        survey=survey_a, customer=customer_a, by=alice, channel="link"
    )
    f = {q.role: f"q{q.pk}" for q in survey_a.questions.all()}
    services.response_submit(
        survey=survey_a,
        data={f["main"]: "6", f["why"]: "Il tecnico è arrivato tardi"},
        language="it",
        invitation=invitation,
    )
    html = alice_client.get(
        reverse("customers:customer-detail", args=[customer_a.pk])
    ).content.decode()
    assert "Il tecnico è arrivato tardi" in html
    assert reverse("feedback:invitation-create", args=[customer_a.pk]) in html


@pytest.mark.parametrize("refusal", ["open_invitation", "lost", "no_email"])
def test_invitation_the_service_refuses_is_a_form_message(
    alice, alice_client, survey_a, customer_a, refusal
):
    """GIVEN a customer the survey service will not invite (an invitation is already open, the
    customer is lost, or email is chosen and there is no address) WHEN an invitation is asked
    for THEN the form shows the reason (422, in Italian) and nothing is saved."""
    from ascolto.customers.models import Customer

    expected = {
        "open_invitation": "ha già un invito aperto",
        "lost": "è segnato come perso",
        "no_email": "non ha un indirizzo email",
    }[refusal]
    if refusal == "open_invitation":
        services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    elif refusal == "lost":
        Customer.objects.filter(pk=customer_a.pk).update(status=Customer.Status.LOST)
    else:
        Customer.objects.filter(pk=customer_a.pk).update(email="")
    before = Invitation.objects.count()
    url = reverse("feedback:invitation-create", args=[customer_a.pk])
    response = alice_client.post(
        url, {"survey": survey_a.pk, "channel": "email"}, HTTP_ACCEPT_LANGUAGE="it"
    )
    assert response.status_code == 422
    assert expected in response.content.decode()
    assert Invitation.objects.count() == before
