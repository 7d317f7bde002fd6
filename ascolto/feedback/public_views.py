"""The public survey pages: no login, the link's token is the key.

Every unknown, forged, expired or inactive token gets the same 404 page. Responses carry
`Referrer-Policy: no-referrer` (the token must not leak to other sites), `Cache-Control: no-store`
and `X-Robots-Tag: noindex`. The page is shown in the invitation's language.

The views are exempt from CSRF checks, on purpose: with `no-referrer` the browser posts the form
with `Origin: null`, which Django's check refuses; and the check would protect nothing here,
because these views use no cookie or session (no ambient authority) and the invitation's
unguessable token in the URL is itself the secret a cross-site forger would need. Open links are
anonymous and rate-limited per client address (the same address as the login's lockout, so behind
the proxy of ASCOLTO_BEHIND_PROXY each respondent counts apart); only accepted answers count.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ascolto.feedback import selectors, services
from ascolto.feedback.models import Invitation, OpenLink, Question, Response, Submission, Survey
from ascolto.feedback.submissions.accept import submission_accept
from ascolto.feedback.submissions.answers import NO, YES, field_name, score_band
from ascolto.feedback.submissions.form import invitation_form_by_token
from ascolto.lib.register import customer_language
from ascolto.workspaces.security import client_ip


def _public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _speaking(workspace: Any, language: str) -> str:
    """The language of a customer's page: `language`, informal Italian when the business
    chose "tu" (ascolto/lib/register.py)."""
    return customer_language(language, workspace.customer_address)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/public_not_found.html", status=404)


def question_rows(
    survey: Survey, language: str, data: dict[str, str] | None, errors: dict[str, str]
) -> list[dict[str, Any]]:
    """What the template needs per question: its text, options, the value entered, its error."""
    rows = []
    for question in survey.questions.order_by("position", "pk"):
        name = field_name(question)
        value = (data or {}).get(name, "")
        row: dict[str, Any] = {
            "question": question,
            "name": name,
            "text": question.text(language),
            "value": value if isinstance(value, str) else "",
            "error": errors.get(name, ""),
        }
        if question.is_numeric:
            row["options"] = [str(n) for n in range(question.min_value, question.max_value + 1)]
            row["low_label"], row["high_label"] = question.end_labels(language, survey.kind)
        elif question.kind == Question.Kind.YESNO:
            row["choices"] = [(YES, _("Yes")), (NO, _("No"))]
            row["yesno"] = True
        elif question.kind == Question.Kind.CHOICE:
            row["choices"] = question.choice_list(language)
        rows.append(row)
    return rows


def _survey_page(
    request: HttpRequest,
    *,
    survey: Survey,
    language: str,
    action: str,
    data: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    preview: bool = False,
) -> HttpResponse:
    errors = errors or {}
    rows = question_rows(survey, language, data, errors)
    context = {
        "survey": survey,
        "business": survey.workspace.name,
        "title": survey.text("title", language),
        "intro": survey.text("intro", language),
        "rows": rows,
        "question_count": len(rows),
        "errors": errors,
        "action": action,
        "preview": preview,
        "max_text": services.MAX_TEXT_LENGTH,
    }
    return render(request, "feedback/public_survey.html", context, status=status)


def _thanks(
    request: HttpRequest,
    survey: Survey,
    language: str,
    detractor: bool,
    anonymous: bool = False,
) -> HttpResponse:
    """The thank-you page. It promises only what is true: a known customer who is unhappy
    will be called; an anonymous one cannot be, and is told how to get in touch."""
    thanks = survey.text("thanks", language)
    context = {
        "survey": survey,
        "business": survey.workspace.name,
        "thanks": thanks,
        # a thank-you text that thanks already: the heading does not say it twice
        "thanks_says_thanks": thanks.strip().lower().startswith(("grazie", "thank")),
        "detractor": detractor,
        "anonymous": anonymous,
    }
    return render(request, "feedback/public_thanks.html", context)


def _already(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    context = {"survey": invitation.survey, "business": invitation.workspace.name}
    return render(request, "feedback/public_already_answered.html", context)


def _live_invitation(token: str) -> Invitation | None:
    invitation = selectors.invitation_by_token(token)
    if invitation is None or not invitation.survey.active:
        return None
    return invitation


def _answered(invitation: Invitation) -> bool:
    """Answered, or answered a moment ago and waiting for the worker to store it."""
    return invitation.answered_at is not None or _submission(invitation) is not None


def _submission(invitation: Invitation) -> Submission | None:
    return Submission.objects.filter(invitation=invitation).only("score").first()


def _form_data(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST.get(key, "") for key in request.POST if key.startswith("q")}


@_public
@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _answer_post(request, token)
    invitation = _live_invitation(token)
    if invitation is None:
        return _not_found(request)
    language = invitation.language
    with translation.override(_speaking(invitation.workspace, language)):
        if _answered(invitation):
            return _already(request, invitation)
        if invitation.is_expired:
            return _not_found(request)
        services.survey_invitation_open(invitation=invitation)
        return _survey_page(request, survey=invitation.survey, language=language, action="")


def _answer_post(request: HttpRequest, token: str) -> HttpResponse:
    """The submission: one read (invitation, survey, questions), validation, then one INSERT
    of the pending submission, which the worker files as the response (`feedback.submissions`);
    success is a redirect to the thank-you page, which renders nothing here. The rarer outcomes
    (already answered, bad input) load the full objects to render their page."""
    form = invitation_form_by_token(token)
    if form is None or (form.expired and not form.answered):
        return _not_found(request)
    with translation.override(customer_language(form.language, form.customer_address)):
        if not form.answered:
            data = _form_data(request)
            try:
                submission_accept(target=form.target, questions=form.questions, data=data)
            except services.AlreadyAnswered:
                pass
            except ValidationError as exc:
                invitation = _live_invitation(token)
                if invitation is None:
                    return _not_found(request)
                errors = {k: str(v[0]) for k, v in exc.message_dict.items()}
                return _survey_page(
                    request,
                    survey=invitation.survey,
                    language=form.language,
                    action="",
                    data=data,
                    errors=errors,
                    status=422,
                )
            else:
                # The thank-you page is this page's "thanks/" (see public_urls).
                return HttpResponseRedirect(f"{request.path}thanks/")
        invitation = _live_invitation(token)
        if invitation is None:
            return _not_found(request)
        return _already(request, invitation)


@_public
@require_http_methods(["GET", "HEAD"])
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _live_invitation(token)
    if invitation is None:
        return _not_found(request)
    if invitation.answered_at is None:
        submission = _submission(invitation)
        if submission is None:
            return redirect("survey:answer", token=token)
        band = score_band(invitation.survey.kind, submission.score)
    else:
        response = getattr(invitation, "response", None)
        band = response.band if response is not None else ""
    with translation.override(_speaking(invitation.workspace, invitation.language)):
        return _thanks(
            request,
            invitation.survey,
            invitation.language,
            detractor=band == Response.Band.DETRACTOR,
        )


@_public
@require_http_methods(["GET", "HEAD", "POST"])
def survey_open(request: HttpRequest, token: str) -> HttpResponse:
    open_link: OpenLink | None = selectors.open_link_by_token(token)
    if open_link is None:
        return _not_found(request)
    language = open_link.language
    survey = open_link.survey
    with translation.override(_speaking(survey.workspace, language)):
        if request.method != "POST":
            return _survey_page(request, survey=survey, language=language, action="")
        data = _form_data(request)
        address, now = client_ip(request) or "", timezone.now()
        decision = services.open_link_hit(open_link=open_link, address=address, now=now)
        if not decision.allowed:
            response = render(
                request,
                "feedback/public_rate_limited.html",
                {"business": survey.workspace.name},
                status=429,
            )
            response["Retry-After"] = str(decision.retry_after)
            return response
        try:
            result = services.response_submit(
                survey=survey, data=data, language=language, open_link=open_link
            )
        except ValidationError as exc:
            # Only accepted answers count against the address's hourly quota.
            services.open_link_hit_undo(open_link=open_link, address=address, now=now)
            errors = {k: str(v[0]) for k, v in exc.message_dict.items()}
            return _survey_page(
                request,
                survey=survey,
                language=language,
                action="",
                data=data,
                errors=errors,
                status=422,
            )
        return _thanks(request, survey, language, detractor=result.is_detractor, anonymous=True)
