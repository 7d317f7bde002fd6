"""The ceiling for `ascolto bench survey`: a bare view that does one INSERT.

Mounted only by `ascolto.bench.urls` (the settings of the server the bench starts); the
`bench_probe` table is created by the bench before the run and dropped after it.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def ceiling(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_probe (created_at, note) VALUES (%s, %s)",
            [timezone.now().isoformat(), request.POST.get("note", "")[:100]],
        )
    return HttpResponse("ok", content_type="text/plain")
