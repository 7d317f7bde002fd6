"""Endpoints for the operator's tools: Prometheus' `/metrics` and the readiness check `/ready/`
(the liveness check is `/health/`, in core). See docs/deployment.md."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from ascolto.ops.metrics import exposition

_migrated = False


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse("A bearer token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def migrations_pending() -> int:
    """How many migrations of the code are not applied to the database yet."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


@never_cache
def ready(request: HttpRequest) -> HttpResponse:
    """200 when this process can serve: the database answers and every migration of its code is
    applied (a new release started before `ascolto migrate` is not ready); 503 otherwise. The
    migrations are read once they are all applied, then only the database is asked."""
    global _migrated
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            pending = migrations_pending()
            if pending:
                return JsonResponse(
                    {"status": "not ready", "migrations_pending": pending}, status=503
                )
            _migrated = True
    except Exception:
        return JsonResponse({"status": "not ready", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ready"})
