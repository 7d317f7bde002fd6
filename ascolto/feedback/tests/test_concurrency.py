"""Twenty simultaneous submissions of one invitation store exactly one response (R07), and
workers storing submissions at the same time store each once."""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from django.urls import reverse

from ascolto.feedback import services
from ascolto.feedback.models import Answer, Response, Submission
from ascolto.feedback.submissions.filing import submissions_store_all


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# pytest-django's SQLite test database lives in memory with a shared cache, where concurrent
# writers get "table is locked" at once instead of waiting out the busy timeout as they do on
# the real WAL file. The same guarantee on SQLite is covered serially in test_public_views.
needs_real_concurrency = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="in-memory SQLite test database cannot wait for locks"
)


@needs_real_concurrency
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_store_one_response(live_server, survey_a, customer_a, alice):
    """GIVEN an invitation link opened once (CSRF cookie and token in hand)
    WHEN twenty threads post different scores at the same moment
    THEN one response is stored and every other request gets "already answered" (200)."""
    invitation = services.survey_invitation_create(
        survey=survey_a, customer=customer_a, by=alice, channel="link"
    )
    url = live_server.url + reverse("survey:answer", args=[invitation.token])
    with urllib.request.urlopen(url, timeout=10) as first:  # noqa: S310 (live test server)
        page = first.read().decode()
        cookie = first.headers["Set-Cookie"].split(";", 1)[0]
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    main = survey_a.questions.get(role="main")
    barrier = threading.Barrier(20)
    results: list[tuple[int, str]] = []

    def submit(score: int) -> None:
        barrier.wait()
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, f"q{main.pk}": score % 11})
        request = urllib.request.Request(  # noqa: S310 (live test server)
            url, data=body.encode(), headers={"Cookie": cookie, "Referer": url}
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=60) as reply:
                results.append((reply.status, reply.read().decode()))
        except urllib.error.HTTPError as exc:
            results.append((exc.code, exc.read().decode()))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(code for code, _text in results)
    errors = [text[:300] for code, text in results if code >= 400]
    assert codes.count(302) == 1, (codes, errors)
    assert codes.count(200) == 19, codes
    assert Submission.objects.count() == 1
    submissions_store_all()  # what the worker does
    assert Response.objects.count() == 1 and not Submission.objects.exists()
    assert Answer.objects.filter(question=main).count() == 1
