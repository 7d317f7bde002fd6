"""Every view that is not deliberately public goes through `member_required`.

A new view without the decorator fails here; a new public page must be named in PUBLIC, which
makes the decision visible in review (see docs/tenancy.md).
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open: the login and account-recovery flow, invitation links (the token is the
# credential), public survey pages (same), health and readiness probes, language switch, Django
# admin, the metrics (answered only with the operator's bearer token, ascolto/ops/views.py), and
# the inbound endpoint for reviews (another tool's source token is the credential).
# The REST API (`api-v1`) is guarded by its workspace tokens instead: every operation but the
# schema and its docs requires one (ascolto/api/tests/test_api_guards.py checks it).
PUBLIC_NAMESPACES = {"admin", "survey", "api-v1"}
PUBLIC = {
    "set_language",
    "core:home",
    "core:health",
    "ops:ready",
    "ops:metrics",
    "core:help-index",
    "core:help",
    "workspaces:login",
    "workspaces:logout",
    "workspaces:password-reset",
    "workspaces:password-reset-done",
    "workspaces:password-reset-confirm",
    "workspaces:password-reset-complete",
    "workspaces:invitation-accept",
    # a fresh install's first page (404 once any account exists), and starting one's own
    # business (any signed-in user: it creates a workspace, it shows none)
    "onboarding:first-run",
    "onboarding:workspace-new",
    "voice:inbound",
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield namespace, name, entry.callback


def test_every_private_view_requires_membership():
    unguarded = [
        name
        for namespace, name, view in _walk(get_resolver().url_patterns)
        if namespace.split(":")[0] not in PUBLIC_NAMESPACES
        and name not in PUBLIC
        and not hasattr(view, "required_role")
    ]
    assert unguarded == []


def test_the_public_list_names_real_routes():
    names = {name for _, name, _ in _walk(get_resolver().url_patterns)}
    assert PUBLIC <= names
