"""No query value makes a 500 (test plan S12's second half, L04).

GIVEN the demo business (every kind of object exists, so pages with an id render for real)
WHEN every GET route is asked with a fixed set of hostile values (dates out of range, huge
     integers, NUL, a 10,000-character string, bidi overrides and other odd unicode) in every
     query parameter it reads, as the owner and as an agent
THEN no answer is a 500: bad values get the form's message (400) or are ignored.

The parameters a route reads are found by asking it once with none and recording every key it
looks up in `request.GET`, so a new page, or a new filter on an old page, is covered without
touching this file. A new route with an id needs a line in `ARGS` below (the test says which).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ascolto.customers.models import Contract, Customer
from ascolto.dashboards.tables import EXPORTS
from ascolto.feedback.models import BulkSend, CadenceRule, Invitation, OpenLink, Question, Survey
from ascolto.feedback.services import open_link_create
from ascolto.interactions.models import Interaction
from ascolto.promises.models import Promise
from ascolto.textanalysis.models import TextAnalysis
from ascolto.workspaces.models import Membership, Workspace

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


def _routes(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from _routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def _first(model, workspace: Workspace, **filters) -> int:
    return model.objects.filter(workspace=workspace, **filters).order_by("pk").first().pk


# How to build each route's arguments from the demo business. POST-only routes need none (a
# GET is 405 whatever the id).
ARGS: dict[str, Callable[[Workspace], list[dict]]] = {
    "customers:customer-detail": lambda ws: [{"pk": _first(Customer, ws)}],
    "customers:customer-update": lambda ws: [{"pk": _first(Customer, ws)}],
    "customers:customer-delete": lambda ws: [{"pk": _first(Customer, ws)}],
    "customers:contract-update": lambda ws: [{"pk": _first(Contract, ws)}],
    "interactions:interaction-update": lambda ws: [{"pk": _first(Interaction, ws)}],
    "interactions:interaction-delete": lambda ws: [{"pk": _first(Interaction, ws)}],
    "textanalysis:analysis-correct": lambda ws: [{"pk": _first(TextAnalysis, ws)}],
    "feedback:survey-detail": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:survey-update": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:survey-preview": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:question-create": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:openlink-create": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:question-update": lambda ws: [
        {"pk": Question.objects.filter(survey__workspace=ws).order_by("pk").first().pk}
    ],
    "feedback:openlink-qr": lambda ws: [{"pk": _first(OpenLink, ws)}],
    "feedback:invitation-detail": lambda ws: [{"pk": _first(Invitation, ws)}],
    "feedback:invitation-qr": lambda ws: [{"pk": _first(Invitation, ws)}],
    "feedback:cadence-update": lambda ws: [{"pk": _first(CadenceRule, ws)}],
    "promises:promise-update": lambda ws: [{"pk": _first(Promise, ws)}],
    "promises:promise-checks": lambda ws: [{"pk": _first(Promise, ws)}],
    "promises:gap-customer": lambda ws: [{"pk": _first(Customer, ws)}],
    "dashboards:survey-detail": lambda ws: [{"pk": _first(Survey, ws)}],
    "dashboards:export": lambda ws: [
        # One form filters every table: three of them are enough (and one is the full list).
        {"table": table, "fmt": "csv"}
        for table in EXPORTS
        if table in {"summary", "trend-month", "silent"}
    ],
    "dashboards:report-pdf": lambda ws: [{"month": "2025-05"}],
    "survey:open": lambda ws: [{"token": OpenLink.objects.filter(workspace=ws).first().token}],
    "survey:answer": lambda ws: [{"token": _open_invitation(ws).token}],
    "survey:thanks": lambda ws: [{"token": _open_invitation(ws).token}],
    "workspaces:password-reset-confirm": lambda ws: [{"uidb64": "MQ", "token": "set-password"}],
    "workspaces:invitation-accept": lambda ws: [{"token": "unknown"}],
    "core:help": lambda ws: [{"topic": "nps"}],
    "feedback:bulk-detail": lambda ws: [{"pk": _bulk_send(ws).pk}],
}


def _bulk_send(workspace: Workspace) -> BulkSend:
    survey = Survey.objects.filter(workspace=workspace).order_by("pk").first()
    return BulkSend.objects.create(workspace=workspace, survey=survey, customer_ids=[], total=0)


def _open_invitation(workspace: Workspace) -> Invitation:
    return Invitation.objects.filter(
        workspace=workspace, answered_at__isnull=True, closed_at__isnull=True
    ).first()


def _argument_sets(name: str, pattern: URLPattern, workspace: Workspace) -> list[dict] | None:
    """The kwargs to call the route with; None when the route has arguments nobody mapped."""
    converters = pattern.pattern.converters
    if not converters:
        return [{}]
    if name in ARGS:
        return ARGS[name](workspace)
    if set(converters) == {"customer_pk"}:
        return [{"customer_pk": _first(Customer, workspace)}]
    return None


@pytest.fixture
def demo_workspace(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.RecordQueryKeys"]
    call_command("demo", "--customers", "12", "--years", "1", "--today", "2025-06-16", verbosity=0)
    workspace = Workspace.objects.get()
    owner = workspace.memberships.filter(role="owner").first()
    open_link_create(survey=Survey.objects.filter(workspace=workspace).first(), by=owner)
    return workspace


def _query_sets(keys: list[str]):
    """Each hostile value in every key at once, then the out-of-range ones in each key alone
    (a missing partner key takes another path: `end` alone makes the start from it)."""
    for value in HOSTILE:
        yield dict.fromkeys(keys, value)
    for key, value in itertools.product(keys, ALONE):
        yield {key: value}


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_no_query_value_answers_500(demo_workspace, role):
    member = Membership.objects.filter(workspace=demo_workspace, role=role).first()
    client = Client(raise_request_exception=False)
    client.force_login(member.user)
    unmapped, failures, asked = [], [], 0
    for name, pattern in _routes():
        if name.startswith("admin:"):
            continue
        argument_sets = _argument_sets(name, pattern, demo_workspace)
        if argument_sets is None:
            if client.get(_url_with_fake_ids(name, pattern)).status_code != 405:
                unmapped.append(name)
            continue
        for kwargs in argument_sets:
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
    assert unmapped == [], "add these routes to ARGS"
    # The walk really ran (an agent reaches fewer pages: exports and settings are not theirs).
    assert asked > (500 if role == "owner" else 300)


def _url_with_fake_ids(name: str, pattern: URLPattern) -> str:
    fake = {"int": 999_999_999, "str": "x", "slug": "x"}
    kwargs = {}
    for key, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        kwargs[key] = fake.get(kind, "x")
    return reverse(name, kwargs=kwargs)
