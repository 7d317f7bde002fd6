"""The route walker (test plan S01 and S12): every URL pattern, another workspace's ids.

GIVEN workspace A (the demo business, every kind of object) and workspace B (mallory owns it)
WHEN every URL pattern the resolver knows (web, admin, and the API's when it has some) is
     called with A's ids and tokens, with every method, by mallory and by someone logged out
THEN a route naming one of A's objects answers 404 or 405 to mallory and sends the logged-out
     visitor to the login; nothing in the database changes (row counts per table, and every row
     of A value by value); no page mallory sees shows a marker of A; every page carries the
     security headers; no unsafe method gets through without the CSRF token.

The walker reads the resolver, so a new route is walked the day it is added; a new route with an
id needs a line in `ARGS` of ascolto/demo/tests/routes.py (the test names it).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.demo.tests.routes import (
    admin_url,
    argument_sets,
    demo_workspace_complete,
    routes,
    takes_an_id,
)
from ascolto.workspaces.models import Membership, Workspace
from ascolto.workspaces.tests.factories import WorkspaceFactory

METHODS = ("get", "post", "put", "patch", "delete")
UNSAFE = ("post", "put", "patch", "delete")
# Tables a visit may legitimately write: sessions, the counters of login throttling and rate
# limits (a refused public answer is counted while it is checked, then given back).
VOLATILE_TABLES = {
    "django_session",
    "axes_accesslog",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "core_ratecounter",
    # The audit log records refused cross-workspace access and sign-ins: that is its job.
    "audit_auditentry",
    # One-click unsubscribe through a survey link: the link's token is the credential.
    "customers_consentevent",
}
# Routes whose argument is a credential (a survey link's or an invitation's token): anyone holding
# it may open the page, so the walker asks only that nothing changes and nothing fails.
TOKEN_NAMESPACES = {"survey"}
TOKEN_ROUTES = {"workspaces:password-reset-confirm", "workspaces:invitation-accept"}
LOGIN_PREFIXES = ("/account/login/", "/admin/login/")
# Public survey pages take no session and no cookie (the token in the link is the credential),
# so they are exempt from CSRF by design (feedback/public_views.py); every other route is not.
# The REST API (`api-v1`) takes no session either: only a workspace token in the Authorization
# header, which a browser never sends by itself, so a forged cross-site request carries none.
CSRF_EXEMPT_NAMESPACES = {"survey", "api-v1"}
# The inbound review feed takes a source's token, never a session (voice).
CSRF_EXEMPT_ROUTES = {"voice:inbound"}


@pytest.mark.django_db
def test_outsider_gets_404_on_customer_of_another_workspace(mallory_client, workspace_a):
    customer = CustomerFactory(workspace=workspace_a)
    response = mallory_client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 404


def _row_counts(own: Workspace | None) -> dict[str, int]:
    """Rows per table, leaving out the outsider's own workspace: a POST without an id acts on
    her workspace B (she owns it, "put the checklist away" is hers to do); what must not move is
    everything else."""
    counts = {}
    for model in apps.get_models():
        if model._meta.db_table in VOLATILE_TABLES or not model._meta.managed:
            continue
        rows = model._default_manager.all()
        if own is not None and "workspace" in {f.name for f in model._meta.get_fields()}:
            rows = rows.exclude(workspace=own)
        counts[model._meta.db_table] = rows.count()
    return counts


def _rows_of(workspace: Workspace) -> dict[str, list[dict]]:
    """Every row of every model that has a workspace, field by field."""
    snapshot = {}
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        if "workspace" in names and model._meta.db_table not in VOLATILE_TABLES:
            rows = model._default_manager.filter(workspace=workspace).order_by("pk")
            snapshot[model._meta.label] = [model_to_dict(row) for row in rows]
    snapshot["Workspace"] = [model_to_dict(workspace.__class__.objects.get(pk=workspace.pk))]
    return snapshot


def _markers(workspace: Workspace) -> list[str]:
    """Strings only workspace A's data contains: its name, customers, staff addresses."""
    markers = [workspace.name]
    for customer in Customer.objects.filter(workspace=workspace):
        markers += [customer.name, customer.email]
    markers += [m.user.email for m in Membership.objects.filter(workspace=workspace)]
    return [marker for marker in markers if marker and len(marker) > 5]


def _text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if not any(part in kind for part in ("text/", "json", "svg", "csv")):
        return ""
    return content.decode("utf-8", "replace")


def _check_headers(response, url: str) -> list[str]:
    problems = []
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: no X-Content-Type-Options: nosniff")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer"):
        problems.append(f"{url}: Referrer-Policy {response.get('Referrer-Policy')!r}")
    if response.get("Strict-Transport-Security", "").find("max-age=") != 0:
        problems.append(f"{url}: no HSTS")
    if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
        policy = response.get("Content-Security-Policy", "")
        if "frame-ancestors 'none'" not in policy or "unsafe-" in policy:
            problems.append(f"{url}: content security policy {policy!r}")
        if response.get("X-Frame-Options") != "DENY":
            problems.append(f"{url}: X-Frame-Options {response.get('X-Frame-Options')!r}")
    return problems


def _calls(workspace: Workspace):
    """(name, url, takes an id) for every route, with the workspace's real objects."""
    unmapped = []
    calls = []
    for name, pattern in routes():
        if name.startswith("admin:"):
            calls.append((name, admin_url(name, pattern), False))
            continue
        sets = argument_sets(name, pattern, workspace)
        if sets is None:
            unmapped.append(name)
            continue
        for kwargs in sets:
            calls.append((name, reverse(name, kwargs=kwargs), takes_an_id(pattern)))
    assert unmapped == [], "add these routes to ARGS in ascolto/demo/tests/routes.py"
    return calls


@pytest.fixture
def two_workspaces(settings):
    settings.SECURE_HSTS_SECONDS = 3600
    workspace_a = demo_workspace_complete()
    workspace_b = WorkspaceFactory(name="Concorrenza Srl")
    mallory = workspace_b.memberships.get(role="owner")
    return workspace_a, mallory


def _is_token_route(name: str) -> bool:
    return name.split(":")[0] in TOKEN_NAMESPACES or name in TOKEN_ROUTES


@pytest.mark.django_db
def test_route_walker_outsider_every_method(two_workspaces):
    workspace_a, mallory = two_workspaces
    calls = _calls(workspace_a)
    markers = _markers(workspace_a)
    counts, rows = _row_counts(mallory.workspace), _rows_of(workspace_a)
    all_counts = _row_counts(own=None)

    outsider = Client(raise_request_exception=False)
    anonymous = Client(raise_request_exception=False)
    csrf_checked = Client(raise_request_exception=False, enforce_csrf_checks=True)
    outsider.force_login(mallory.user)
    csrf_checked.force_login(mallory.user)

    failures: list[str] = []
    requests = 0
    for method in METHODS:
        if method == "post":
            # GET and HEAD change nothing at all, in any workspace (test plan S12).
            assert _row_counts(own=None) == all_counts, "a GET changed the database"
        for name, url, with_id in calls:
            # As mallory, logged in to her own workspace B.
            response = getattr(outsider, method)(url, secure=True)
            requests += 1
            status = response.status_code
            if status >= 500:
                failures.append(f"{method.upper()} {url} ({name}) as outsider: {status}")
            elif with_id and not _is_token_route(name) and status not in (404, 405):
                failures.append(f"{method.upper()} {url} ({name}) as outsider: {status}")
            if method == "get":
                failures += _check_headers(response, url)
            text = _text(response) if status == 200 and not _is_token_route(name) else ""
            failures += [
                f"{method.upper()} {url} ({name}): shows A's {marker!r}"
                for marker in markers
                if marker in text
            ]
            if "_auth_user_id" not in outsider.session:  # a logout route did its job
                outsider.force_login(mallory.user)

            # Logged out: private pages send to the login, nothing else happens.
            response = getattr(anonymous, method)(url, secure=True)
            requests += 1
            status = response.status_code
            if status >= 500:
                failures.append(f"{method.upper()} {url} ({name}) logged out: {status}")
            elif _is_token_route(name) or name.startswith("admin:"):
                pass
            elif status in (301, 302):
                location = response["Location"]
                if with_id and not location.startswith(LOGIN_PREFIXES):
                    failures.append(f"{method.upper()} {url} logged out: sent to {location}")
            elif with_id and status != 405:
                failures.append(f"{method.upper()} {url} ({name}) logged out: {status}")
            if name.startswith("admin:") and status == 200 and name not in {"admin:login"}:
                failures.append(f"{method.upper()} {url} ({name}) logged out: 200")

            # Without the CSRF token no unsafe method reaches any view.
            if (
                method in UNSAFE
                and name.split(":")[0] not in CSRF_EXEMPT_NAMESPACES
                and name not in CSRF_EXEMPT_ROUTES
            ):
                response = getattr(csrf_checked, method)(url)
                requests += 1
                if response.status_code != 403:
                    failures.append(
                        f"{method.upper()} {url} ({name}) without CSRF token: "
                        f"{response.status_code}"
                    )

    assert failures == [], "\n".join(failures)
    assert _row_counts(mallory.workspace) == counts
    assert _rows_of(workspace_a) == rows
    # The walk really ran: every route, every method.
    assert len({name for name, _, _ in calls}) > 60
    assert requests > 12 * len(calls)


@pytest.mark.django_db
def test_route_walker_outsider_posts_a_members_data(two_workspaces):
    """The same routes, POSTed by mallory with the data a member of A would send (each id
    route's own form filled from A's objects is beyond a generic walker; this sends every field
    name any form of A uses, with A's ids), so a refusal comes from tenancy, not bad data."""
    workspace_a, mallory = two_workspaces
    calls = [call for call in _calls(workspace_a) if call[2] and not _is_token_route(call[0])]
    customer = Customer.objects.filter(workspace=workspace_a).order_by("pk").first()
    payload = {
        "name": "Rinominato",
        "email": "intruso@example.com",
        "customer": customer.pk,
        "role": "owner",
        "text": "scritto da fuori",
        "outcome": "kept",
        "step": "call",
        "active": "1",
        "notes": "cambiato",
        "touchpoint": workspace_a.touchpoints.first().pk,
        "occurred_at": "2025-06-01T10:00",
        "channel": "phone",
        "polarity": "negative",
        "status": "active",
        "kind": "external",
    }
    counts, rows = _row_counts(mallory.workspace), _rows_of(workspace_a)
    client = Client(raise_request_exception=False)
    client.force_login(mallory.user)
    wrong = []
    for name, url, _ in calls:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            status = client.post(url, payload, **headers).status_code
            if status not in (404, 405):
                wrong.append(f"POST {url} ({name}) {headers}: {status}")
    assert wrong == []
    assert _row_counts(mallory.workspace) == counts
    assert _rows_of(workspace_a) == rows
