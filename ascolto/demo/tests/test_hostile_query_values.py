"""No query value makes a 500 (test plan S12's second half, L04).

GIVEN the demo business (every kind of object exists, so pages with an id render for real)
WHEN every GET route is asked with a fixed set of hostile values (dates out of range, huge
     integers, NUL, a 10,000-character string, bidi overrides and other odd unicode) in every
     query parameter it reads, as the owner, a manager and an agent
THEN no answer is a 500: bad values get the form's message (400) or are ignored.

The parameters a route reads are found by asking it once with none and recording every key it
looks up in `request.GET`, so a new page, or a new filter on an old page, is covered without
touching this file. A new route with an id needs a line in `ARGS` of routes.py (the test says which).
"""

from __future__ import annotations

import itertools

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from ascolto.demo.tests.routes import (
    argument_sets,
    demo_workspace_complete,
    routes,
    url_with_fake_ids,
)
from ascolto.workspaces.models import Membership

pytestmark = pytest.mark.django_db

HOSTILE = [
    "0001-01-01",
    "9999-12-31",
    "99999999999999999999",
    "-1",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "\u202etxt.exe\u202c \U0001f600 e\u0301 \ufeff \ud7ff",
    "1_0",
    "٣",
    "' OR 1=1 --",
    "[]",
    "2025-02-30",
]
ALONE = ("0001-01-01", "9999-12-31", "99999999999999999999", "\x00")
# The key of the harmless first request (a view may read its filters only when the query
# string is not empty: `Form(request.GET or None)`).
PROBE = "_probe"
SEEN: set[str] = set()


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes every key the view looks up."""

    def __getitem__(self, key):
        SEEN.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        SEEN.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        SEEN.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        SEEN.add(key)
        return super().__contains__(key)


class RecordQueryKeys:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = RecordingQueryDict(request.META.get("QUERY_STRING", ""))
        return self.get_response(request)


@pytest.fixture
def demo_workspace(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.RecordQueryKeys"]
    return demo_workspace_complete()


def _query_sets(keys: list[str]):
    """Each hostile value in every key at once, then the out-of-range ones in each key alone
    (a missing partner key takes another path: `end` alone makes the start from it)."""
    for value in HOSTILE:
        yield dict.fromkeys(keys, value)
    for key, value in itertools.product(keys, ALONE):
        yield {key: value}


@pytest.mark.parametrize("role", ["owner", "manager", "agent"])
def test_no_query_value_answers_500(demo_workspace, role):
    member = Membership.objects.filter(workspace=demo_workspace, role=role).first()
    client = Client(raise_request_exception=False)
    client.force_login(member.user)
    unmapped, failures, asked = [], [], 0
    for name, pattern in routes():
        # The API answers 401 to a session; its own schema test (ascolto/api/tests) sends
        # generated values to every operation with a token.
        if name.startswith(("admin:", "api-v1:")):
            continue
        sets = argument_sets(name, pattern, demo_workspace)
        if sets is None:
            if client.get(url_with_fake_ids(name, pattern)).status_code != 405:
                unmapped.append(name)
            continue
        for kwargs in sets:
            url = reverse(name, kwargs=kwargs)
            SEEN.clear()
            if client.get(url, {PROBE: "1"}).status_code == 405:
                break
            keys = sorted(SEEN - {PROBE})
            if not keys:
                continue
            for query in _query_sets(keys):
                asked += 1
                response = client.get(url, query)
                if response.status_code >= 500:
                    failures.append((name, kwargs, {k: v[:20] for k, v in query.items()}))
    assert failures == [], "\n".join(map(str, failures))
    assert unmapped == [], "add these routes to ARGS in routes.py"
    # The walk really ran (an agent reaches fewer pages: exports and settings are not theirs).
    assert asked > (500 if role == "owner" else 300)
