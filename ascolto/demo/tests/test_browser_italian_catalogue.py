"""The Italian catalogue check: no English reaches an Italian page.

GIVEN the demo business (every kind of object exists) and its owner, with a browser in Italian
WHEN every page reachable from the home page is opened (links followed within the site, at most
     a few pages per route, the way a person clicks through)
THEN no page shows an English label of the interface: the list is every short English text of
     the catalogue (msgids) that the Italian catalogue translates differently. Customers' own
     words (comments, notes, names) are left out: they are in the language they were written in.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ascolto.feedback.models import Survey
from ascolto.feedback.services import open_link_create, survey_invitation_create
from ascolto.workspaces.models import Workspace

# Links a person does not "visit": downloads, switches, the way out.
SKIP = re.compile(r"/(export|report|logout|i18n|qr|static|media|admin|api)/|\.(pdf|csv|xlsx|svg)")
PER_ROUTE = 2  # pages opened per route shape ("/customers/<id>/")
MAX_PAGES = 160
# Page parts that hold what customers and staff wrote, not the interface's words.
USER_TEXT = (
    ".timeline-text, .survey-answers, .response-answers, .answer-text, .comment-text, "
    ".customer-notes, .notes, blockquote, [data-user-text], .ta-cues .cue-word, "
    "option, select, input, textarea, code, pre"
)
# English words that are also Italian, brand or technical words an Italian reads as they are.
SAME_IN_ITALIAN = {"NPS", "CSAT", "CES", "CSV", "XLSX", "PDF", "Email", "Dashboard", "Team", "QR"}
# Names Italian keeps in English ("Net Promoter Score" is the method's name).
NAMES = ("Net Promoter Score",)


def english_labels() -> set[str]:
    """Short English texts of the interface (one to four words, no placeholders) that the
    Italian catalogue translates into something else."""
    catalogue = polib.pofile(
        str(Path(settings.BASE_DIR, "locale", "it", "LC_MESSAGES", "django.po"))
    )
    labels = set()
    for entry in catalogue.translated_entries():
        text = entry.msgid.strip()
        if entry.msgid_plural or "%" in text or "{" in text or not entry.msgstr:
            continue
        words = text.split()
        if not 1 <= len(words) <= 4 or text == entry.msgstr.strip() or text in SAME_IN_ITALIAN:
            continue
        if len(words) == 1 and (len(text) < 5 or not text[0].isupper()):
            continue  # short or lower-case single words ("of", "kept") could be Italian or data
        labels.add(text)
    return labels


def _shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/<id>", re.sub(r"/[0-9a-f-]{20,}(?=/|$)", "/<token>", path))


@pytest.mark.slow  # about three minutes: runs in CI (CI=true) and with `make test SLOW=1`
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_english_on_italian_pages(page, live_server, artifacts_dir):
    live_server.thread.httpd.get_app().application.load_middleware()
    call_command("demo", "--customers", "15", "--years", "1", verbosity=0)
    workspace = Workspace.objects.get()
    assert workspace.language == "it"
    owner = workspace.memberships.filter(role="owner").select_related("user").first()
    client = Client()
    client.force_login(owner.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.set_extra_http_headers({"Accept-Language": "it-IT,it;q=0.9"})

    # The pages customers read are linked from no staff page: start from them too (a fresh
    # invitation and open link, the demo's tokens being stored only as hashes).
    survey = Survey.objects.filter(workspace=workspace, kind="nps", active=True).first()
    customer = workspace.customers.filter(status="active").exclude(email="").first()
    customer.preferred_language = "it"
    customer.save(update_fields=["preferred_language"])
    invitation = survey_invitation_create(
        survey=survey, customer=customer, by=owner, confirmed=True
    )
    link = open_link_create(survey=survey, by=owner, language="it")
    customer_pages = [
        reverse("survey:answer", args=[invitation.token]),
        reverse("survey:unsubscribe", args=[invitation.token]),
        reverse("survey:open", args=[link.token]),
        "/notifications/",
    ]

    labels = english_labels()
    assert len(labels) > 100, "the list of the interface's English words is built"
    patterns = [(label, re.compile(rf"(?<![\w]){re.escape(label)}(?![\w])")) for label in labels]
    seen_shapes: dict[str, int] = defaultdict(int)
    queue, visited, found = ["/", *customer_pages], set(), {}
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        shape = _shape(urlsplit(path).path)
        if path in visited or seen_shapes[shape] >= PER_ROUTE:
            continue
        visited.add(path)
        seen_shapes[shape] += 1
        response = page.goto(path)
        if (
            response is None
            or response.status >= 400
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        if page.locator("html").get_attribute("lang") != "it":
            continue  # a survey's preview in English, as its customers see it
        text = page.evaluate(
            """(selector) => {
                const body = document.body.cloneNode(true);
                body.querySelectorAll(selector).forEach(el => el.remove());
                body.querySelectorAll('[lang]:not([lang="it"])').forEach(el => el.remove());
                return body.innerText;
            }""",
            USER_TEXT,
        )
        for name in NAMES:
            text = text.replace(name, "")
        english = sorted({label for label, pattern in patterns if pattern.search(text)})
        if english:
            found[path] = english
        for href in page.eval_on_selector_all(
            "a[href]", "els => els.map(a => a.getAttribute('href'))"
        ):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(href):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in visited:
                queue.append(link)
    (artifacts_dir / "italian_catalogue_crawl.txt").write_text(
        "\n".join(sorted(visited)) + "\n\n" + "\n".join(f"{p}: {w}" for p, w in found.items()),
        encoding="utf-8",
    )
    assert len(visited) >= 40, f"the crawl reached only {len(visited)} pages"
    assert set(customer_pages) <= visited
    assert not found, f"English on Italian pages: {dict(list(found.items())[:15])}"
