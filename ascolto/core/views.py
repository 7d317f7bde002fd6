from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("customers:customer-list")
    return redirect("workspaces:login")


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
