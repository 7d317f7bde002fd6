""" "No more surveys": the link at the foot of every survey email and its one-click header.

`GET /s/<token>/unsubscribe/` shows one button (a GET never unsubscribes: mail scanners
follow links); its POST, and the mail program's own one-click POST (RFC 8058:
`List-Unsubscribe=One-Click` in the body), record the wish. The invitation's token is the key,
whether or not the invitation has expired or been answered; no login. Unknown tokens get the
survey pages' 404. Like the survey pages, exempt from CSRF: no cookie is used, the token is the
secret, and a mail program's POST carries no CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from ascolto.customers.models import ConsentEvent
from ascolto.customers.services import customer_surveys_opt_out
from ascolto.feedback import selectors
from ascolto.feedback.public_views import _not_found, _public
from ascolto.lib.register import customer_language


@_public
@require_http_methods(["GET", "HEAD", "POST"])
def survey_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token)
    if invitation is None or invitation.customer_id is None:
        return _not_found(request)
    context = {"business": invitation.workspace.name, "done": False}
    language = customer_language(invitation.language, invitation.workspace.customer_address)
    with translation.override(language):
        if request.method == "POST":
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            customer_surveys_opt_out(
                customer=invitation.customer,
                source=ConsentEvent.Source.ONE_CLICK if one_click else ConsentEvent.Source.LINK,
            )
            context["done"] = True
        elif invitation.customer.surveys_opted_out_at is not None:
            context["done"] = True
        return render(request, "feedback/public_unsubscribe.html", context)
