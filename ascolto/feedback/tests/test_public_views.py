"""The public survey page: no login, one response per invitation, bad input stores nothing.

A valid answer is accepted as a pending submission, which the worker stores as the response
(`submissions_store_all()` here does what the worker's thread does)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from ascolto.feedback import services
from ascolto.feedback.models import Answer, Invitation, Response, Submission
from ascolto.feedback.submissions.filing import submissions_store_all
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(survey_a, customer_a, alice):
    return services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)


def _fields(survey):
    return {q.role: f"q{q.pk}" for q in survey.questions.all()}


def _url(invitation, name="survey:answer"):
    return reverse(name, args=[invitation.token])


def test_page_shows_business_and_question_and_marks_opened(client, invitation, workspace_a):
    response = client.get(_url(invitation))
    assert response.status_code == 200
    html = response.content.decode()
    assert workspace_a.name in html
    assert "Quanto è probabile che consiglieresti" in html
    assert '<fieldset class="survey-question' in html and "<legend>" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_page_is_in_the_invitation_language(client, survey_a, customer_a, alice):
    customer_a.preferred_language = "en"
    customer_a.save()
    invitation = services.survey_invitation_create(survey=survey_a, customer=customer_a, by=alice)
    html = client.get(_url(invitation)).content.decode()
    assert "How likely are you to recommend" in html
    assert '<html lang="en">' in html


def test_answer_shows_thanks_and_stores_one_response(client, invitation, survey_a):
    f = _fields(survey_a)
    response = client.post(
        _url(invitation), {f["main"]: "9", f["why"]: "Puntuali", f["improve"]: ""}
    )
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Grazie" in thanks.content.decode()
    assert submissions_store_all() == 1
    stored = Response.objects.get()
    assert stored.score == 9 and stored.invitation == invitation
    assert stored.customer == invitation.customer
    assert Answer.objects.get(response=stored, question__role="why").text == "Puntuali"


def test_detractor_is_told_someone_will_contact_them(client, invitation, survey_a):
    f = _fields(survey_a)
    response = client.post(
        _url(invitation), {f["main"]: "2", f["why"]: "Sempre in ritardo"}, follow=True
    )
    html = response.content.decode()
    with translation.override(invitation.language):
        expected = gettext(
            "We are sorry it did not go as it should. Someone from %(business)s will contact you "
            "soon to hear how we can put it right."
        ) % {"business": invitation.customer.workspace.name}
    assert escape(expected) in html  # told before the worker has stored the answer
    assert not Notification.objects.exists()
    submissions_store_all()
    assert Notification.objects.filter(kind="detractor").count() == 1
    again = client.get(_url(invitation, "survey:thanks"))  # and after it
    assert escape(expected) in again.content.decode()


def test_second_submission_shows_already_answered(client, invitation, survey_a):
    f = _fields(survey_a)
    client.post(_url(invitation), {f["main"]: "8"})
    pending = client.post(_url(invitation), {f["main"]: "0", f["why"]: "cambiato idea"})
    assert pending.status_code == 200  # before the worker has stored the first answer
    assert Submission.objects.count() == 1
    already = client.get(_url(invitation)).content.decode()
    submissions_store_all()
    again = client.post(_url(invitation), {f["main"]: "1"})  # and after
    assert again.status_code == 200
    assert Response.objects.count() == 1 and Response.objects.get().score == 8
    assert not Submission.objects.exists()
    for html in (pending.content.decode(), again.content.decode(), already):
        assert reverse("survey:answer", args=[invitation.token]) not in html
        assert 'name="q' not in html  # the "already answered" page, not the form


# Each message in Italian (once translated) or in the English source.
RANGE = ("da 0 a 10", "from 0 to 10")
BAD = [
    ({"main": "11"}, RANGE),
    ({"main": "-1"}, RANGE),
    ({"main": "abc"}, RANGE),
    ({"main": "7.5"}, RANGE),
    ({}, ("punteggio", "choose a score")),
    ({"main": "5", "why": "x" * 100_000}, ("5.000", "5,000")),
]


@pytest.mark.parametrize(("fields", "message"), BAD)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    client, invitation, survey_a, fields, message, settings
):
    settings.LANGUAGE_CODE = "it"
    f = _fields(survey_a)
    data = {f[role]: value for role, value in fields.items()}
    data.setdefault(f["improve"], "testo da conservare")
    response = client.post(_url(invitation), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert any(m in html for m in message), html[:3000]
    assert "testo da conservare" in html  # entered text is kept
    assert not Submission.objects.exists() and not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def _without_csrf(html: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


def test_forged_expired_and_unknown_tokens_get_the_same_404(client, invitation, survey_a):
    forged = invitation.token[:-2] + ("AA" if not invitation.token.endswith("AA") else "BB")
    f = _fields(survey_a)
    pages = []
    for token in [forged, "x", "a" * 300, "a-b_c"]:
        response = client.post(reverse("survey:answer", args=[token]), {f["main"]: "5"})
        assert response.status_code == 404
        pages.append(_without_csrf(response.content.decode()))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    expired = client.post(_url(invitation), {f["main"]: "5"})
    assert expired.status_code == 404
    assert _without_csrf(expired.content.decode()) == pages[0]
    assert expired["Cache-Control"] == "no-store"
    assert not Submission.objects.exists() and not Response.objects.exists()


def test_token_of_an_inactive_survey_is_404(client, invitation, survey_a):
    survey_a.active = False
    survey_a.save()
    assert client.get(_url(invitation)).status_code == 404


def test_question_ids_of_another_survey_are_ignored(client, invitation, survey_a, workspace_b):
    other = SurveyFactory(workspace=workspace_b)
    foreign = {f"q{q.pk}": "3" for q in other.questions.all()}
    response = client.post(_url(invitation), foreign)
    assert response.status_code == 422
    assert not Submission.objects.exists() and not Response.objects.exists()


def test_open_link_is_anonymous_and_rate_limited(client, survey_a, alice):
    link = services.open_link_create(survey=survey_a, by=alice)
    url = reverse("survey:open", args=[link.token])
    f = _fields(survey_a)
    assert client.get(url).status_code == 200
    for _ in range(services.OPEN_LINK_SUBMITS_PER_HOUR):
        assert client.post(url, {f["main"]: "7"}).status_code == 200
    limited = client.post(url, {f["main"]: "7"})
    assert limited.status_code == 429 and limited["Retry-After"]
    assert Response.objects.filter(open_link=link, customer=None).count() == (
        services.OPEN_LINK_SUBMITS_PER_HOUR
    )
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.post(url, {f["main"]: "7"}).status_code == 200


def test_inactive_open_link_is_404(client, survey_a, alice):
    link = services.open_link_create(survey=survey_a, by=alice)
    services.open_link_set_active(open_link=link, by=alice, active=False)
    assert client.get(reverse("survey:open", args=[link.token])).status_code == 404


def test_submission_reads_once_and_writes_one_row(client, invitation, survey_a):
    """GIVEN an invitation link
    WHEN a valid answer is posted
    THEN the request reads with one SELECT (invitation, survey and questions) and writes one
    INSERT, the pending submission; the worker then stores the response, its answers and the
    claim on the invitation, with the time of the submission."""
    f = _fields(survey_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            _url(invitation), {f["main"]: "10", f["why"]: "Puntuali", f["improve"]: "Orari"}
        )
    assert response.status_code == 302
    assert response["Location"] == _url(invitation, "survey:thanks")
    statements = [
        q["sql"].split()[0].upper() for q in queries.captured_queries if "feedback_" in q["sql"]
    ]
    assert statements == ["SELECT", "INSERT"], statements
    assert not Response.objects.exists()
    submitted_at = Submission.objects.get(invitation=invitation).submitted_at
    assert submissions_store_all() == 1
    stored = Response.objects.get()
    assert (stored.score, stored.band, stored.kind, stored.all_good) == (
        10,
        "promoter",
        "nps",
        False,
    )
    assert stored.customer_id == invitation.customer_id and stored.workspace == survey_a.workspace
    assert stored.language == invitation.language
    texts = dict(Answer.objects.filter(response=stored).values_list("question__role", "text"))
    assert texts == {"main": "", "why": "Puntuali", "improve": "Orari"}
    invitation.refresh_from_db()
    assert invitation.answered_at == stored.submitted_at == invitation.closed_at == submitted_at
    assert not Submission.objects.exists()


def test_top_score_with_nothing_to_improve_is_recorded_as_all_good(client, invitation, survey_a):
    """GIVEN an NPS invitation
    WHEN the customer gives 9 and leaves "what could be better" empty
    THEN the response carries the "all good" signal."""
    f = _fields(survey_a)
    client.post(_url(invitation), {f["main"]: "9", f["why"]: "Tutto bene", f["improve"]: " "})
    submissions_store_all()
    assert Response.objects.get().all_good is True


def test_answered_link_past_its_expiry_still_says_already_answered(client, invitation, survey_a):
    """GIVEN an invitation answered, whose link has expired since
    WHEN the form is posted again
    THEN the page says "already answered" (not 404) and nothing changes."""
    f = _fields(survey_a)
    assert client.post(_url(invitation), {f["main"]: "8"}).status_code == 302
    submissions_store_all()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    again = client.post(_url(invitation), {f["main"]: "3"})
    assert again.status_code == 200
    submissions_store_all()
    assert Response.objects.get().score == 8


def test_post_to_an_inactive_survey_is_404_and_stores_nothing(client, invitation, survey_a):
    """GIVEN an invitation whose survey was deactivated
    WHEN a valid answer is posted
    THEN 404, and no response is stored."""
    survey_a.active = False
    survey_a.save()
    f = _fields(survey_a)
    assert client.post(_url(invitation), {f["main"]: "9"}).status_code == 404
    assert not Response.objects.exists()


def test_choice_and_scale_questions_are_checked_and_stored(client, invitation, survey_a, alice):
    """GIVEN a survey with a single-choice question and a 1–5 rating scale added
    WHEN a customer posts a choice that is not offered, then valid answers
    THEN the first post gets 422 and stores nothing; the second stores the choice and the rating."""
    channel = services.question_add(
        survey=survey_a,
        by=alice,
        kind="choice",
        text_it="Come ci ha contattato?",
        choices=[{"value": "phone", "it": "Telefono"}, {"value": "mail", "it": "Email"}],
    )
    rating = services.question_add(
        survey=survey_a, by=alice, kind="scale", text_it="Cortesia", min_value=1, max_value=5
    )
    f = _fields(survey_a)
    bad = client.post(
        _url(invitation), {f["main"]: "8", f"q{channel.pk}": "fax", f"q{rating.pk}": "6"}
    )
    assert bad.status_code == 422
    assert not Response.objects.exists()
    good = client.post(
        _url(invitation), {f["main"]: "8", f"q{channel.pk}": "mail", f"q{rating.pk}": "4"}
    )
    assert good.status_code == 302
    submissions_store_all()
    answers = Answer.objects.filter(response=Response.objects.get())
    assert answers.get(question=channel).choice == "mail"
    assert answers.get(question=rating).number == 4


def test_open_link_behind_the_proxy_counts_each_respondent_apart(survey_a, alice, settings):
    """GIVEN Ascolto behind its documented reverse proxy (every request comes from the proxy's
    address) WHEN one respondent uses up the hour's answers THEN another respondent, whom the
    proxy names in X-Forwarded-For, can still answer."""
    settings.BEHIND_PROXY = True
    link = services.open_link_create(survey=survey_a, by=alice)
    url = reverse("survey:open", args=[link.token])
    f = _fields(survey_a)
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    for _ in range(services.OPEN_LINK_SUBMITS_PER_HOUR):
        assert proxy.post(url, {f["main"]: "7"}, **first).status_code == 200
    assert proxy.post(url, {f["main"]: "7"}, **first).status_code == 429
    second = {"HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    assert proxy.post(url, {f["main"]: "8"}, **second).status_code == 200
    # A client-written entry further left does not make a new respondent.
    forged = {"HTTP_X_FORWARDED_FOR": "10.0.0.1, 203.0.113.7"}
    assert proxy.post(url, {f["main"]: "7"}, **forged).status_code == 429


def test_open_link_counts_only_accepted_answers(client, survey_a, alice):
    """Invalid answers get their message and do not use up the respondent's quota."""
    link = services.open_link_create(survey=survey_a, by=alice)
    url = reverse("survey:open", args=[link.token])
    f = _fields(survey_a)
    for _ in range(services.OPEN_LINK_SUBMITS_PER_HOUR + 5):
        assert client.post(url, {f["main"]: "eleven"}).status_code == 422
    for _ in range(services.OPEN_LINK_SUBMITS_PER_HOUR):
        assert client.post(url, {f["main"]: "7"}).status_code == 200
    assert client.post(url, {f["main"]: "7"}).status_code == 429
    assert Response.objects.filter(open_link=link).count() == services.OPEN_LINK_SUBMITS_PER_HOUR


def test_anonymous_detractor_is_told_the_truth_and_the_alert_says_nobody_to_call(
    client, survey_a, alice
):
    """An open link's answer is anonymous: the thank-you page promised a callback ("La
    contatterà presto") and the alert said "da ricontattare" though nobody was known."""
    link = services.open_link_create(survey=survey_a, by=alice)
    f = _fields(survey_a)
    response = client.post(
        reverse("survey:open", args=[link.token]), {f["main"]: "2", f["why"]: "Lenti"}
    )
    html = response.content.decode()
    with translation.override(link.language):
        callback = gettext(
            "We are sorry it did not go as it should. Someone from %(business)s will contact you "
            "soon to hear how we can put it right."
        ) % {"business": survey_a.workspace.name}
    assert escape(callback) not in html
    assert "anonim" in html.lower()
    submissions_store_all()
    alert = Notification.objects.get(kind="detractor")
    with translation.override(survey_a.workspace.language):
        please_call = gettext("%(who)s gave %(score)s in “%(survey)s”: please get in touch.")
    assert please_call.split(":")[-1].strip() not in alert.title
    assert "anonim" in (alert.title + alert.body).lower()


def test_thanks_page_says_thank_you_once(client, invitation, survey_a):
    f = _fields(survey_a)
    response = client.post(_url(invitation), {f["main"]: "9"}, follow=True)
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", " ", html[html.index("<main") :])
    assert text.count("Grazie") == 1, text
