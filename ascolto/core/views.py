from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from ascolto.core import help as help_pages
from ascolto.core import hooks
from ascolto.core.selectors import background_problems


def home(request: HttpRequest) -> HttpResponse:
    """The first response a registered `home_page` function gives, else the customer list (or
    the login page for a visitor)."""
    for response in hooks.home_page.call(request=request):
        if response is not None:
            return response
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


def help_index(request: HttpRequest) -> HttpResponse:
    """The list of help pages (public: they hold no business's data)."""
    return render(request, "help/index.html", {"topics": list(help_pages.TOPICS.items())})


def help_page(request: HttpRequest, topic: str) -> HttpResponse:
    """One help page, in the reader's language (Italian unless they read English)."""
    if topic not in help_pages.TOPICS:
        raise Http404
    language = "en" if (get_language() or "it").startswith("en") else "it"
    context = {"title": help_pages.TOPICS[topic], "body": f"help/{language}/{topic}.html"}
    return render(request, "help/page.html", context)
