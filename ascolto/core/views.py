from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from ascolto.core.selectors import background_problems


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("customers:customer-list")
    return redirect("workspaces:login")


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitors: 200 when the database answers and background work
    flows; 503 with the reasons otherwise (see docs/tasks.md)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        problems = background_problems()
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    if problems:
        return JsonResponse({"status": "degraded", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})
