"""Every URL pattern of the project, and how to call each with a real object of one workspace.

Shared by the route walker (workspaces/tests/test_tenancy.py: another workspace's ids, every
method) and the hostile query values test (demo/tests/test_hostile_query_values.py). Both read
the resolver, so a new route is walked the day it is added; a new route with an id needs a
line in `ARGS` (the tests say which).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ascolto.api.models import ApiToken, WebhookDelivery, WebhookSubscription
from ascolto.api.services.tokens import api_token_create
from ascolto.api.services.webhooks import webhook_event_emit, webhook_subscription_create
from ascolto.cases.models import Case, CaseCategory, Remedy, ReplyTemplate
from ascolto.cases.services import case_open, case_remedy_grant, reply_template_set
from ascolto.customers.models import Contract, Customer
from ascolto.dashboards.tables import EXPORTS
from ascolto.feedback.models import (
    BulkSend,
    CadenceRule,
    Invitation,
    OpenLink,
    Question,
    Response,
    Survey,
)
from ascolto.feedback.services import open_link_create
from ascolto.interactions.models import Interaction
from ascolto.notifications.models import Notification
from ascolto.promises.models import Crisis, Expectation, Promise, PromiseCheck
from ascolto.promises.services import expectation_create
from ascolto.textanalysis.models import TextAnalysis
from ascolto.voice.models import ReplyTemplate, Review, Source
from ascolto.voice.services import source_create
from ascolto.workspaces.models import MemberInvitation, Membership, Workspace
from ascolto.workspaces.services import member_invite


def routes(patterns=None, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(namespaced name, pattern) of every named URL pattern, includes followed."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def _first(model, workspace: Workspace, **filters) -> int:
    return model.objects.filter(workspace=workspace, **filters).order_by("pk").first().pk


def _open_invitation(workspace: Workspace) -> Invitation:
    return Invitation.objects.filter(
        workspace=workspace, answered_at__isnull=True, closed_at__isnull=True
    ).first()


# How to build each route's arguments from a workspace made by `demo_workspace_complete`.
ARGS: dict[str, Callable[[Workspace], list[dict]]] = {
    "customers:customer-detail": lambda ws: [{"pk": _first(Customer, ws)}],
    "customers:customer-update": lambda ws: [{"pk": _first(Customer, ws)}],
    "customers:customer-delete": lambda ws: [{"pk": _first(Customer, ws)}],
    "customers:contract-update": lambda ws: [{"pk": _first(Contract, ws)}],
    "interactions:interaction-update": lambda ws: [{"pk": _first(Interaction, ws)}],
    "interactions:interaction-delete": lambda ws: [{"pk": _first(Interaction, ws)}],
    "textanalysis:analysis-correct": lambda ws: [{"pk": _first(TextAnalysis, ws)}],
    "voice:review-detail": lambda ws: [{"pk": _first(Review, ws)}],
    "voice:review-reply": lambda ws: [{"pk": _first(Review, ws)}],
    "voice:review-match": lambda ws: [{"pk": _first(Review, ws)}],
    "voice:source-import": lambda ws: [{"pk": _first(Source, ws)}],
    "voice:source-delete": lambda ws: [{"pk": _first(Source, ws)}],
    "voice:source-token-revoke": lambda ws: [{"pk": _first(Source, ws, kind="inbound")}],
    "voice:reply-template-edit": lambda ws: [{"pk": _first(ReplyTemplate, ws)}],
    "feedback:survey-detail": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:survey-update": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:survey-preview": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:question-create": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:openlink-create": lambda ws: [{"pk": _first(Survey, ws)}],
    "feedback:question-update": lambda ws: [
        {"pk": Question.objects.filter(survey__workspace=ws).order_by("pk").first().pk}
    ],
    "feedback:question-delete": lambda ws: [
        {"pk": Question.objects.filter(survey__workspace=ws).order_by("pk").first().pk}
    ],
    "feedback:openlink-qr": lambda ws: [{"pk": _first(OpenLink, ws)}],
    "feedback:openlink-toggle": lambda ws: [{"pk": _first(OpenLink, ws)}],
    "feedback:invitation-detail": lambda ws: [{"pk": _first(Invitation, ws)}],
    "feedback:invitation-qr": lambda ws: [{"pk": _first(Invitation, ws)}],
    "feedback:invitation-resend": lambda ws: [{"pk": _first(Invitation, ws)}],
    "feedback:cadence-update": lambda ws: [{"pk": _first(CadenceRule, ws)}],
    "notifications:notification-read": lambda ws: [{"pk": _first(Notification, ws)}],
    "promises:promise-update": lambda ws: [{"pk": _first(Promise, ws)}],
    "promises:promise-activate": lambda ws: [{"pk": _first(Promise, ws)}],
    "promises:promise-checks": lambda ws: [{"pk": _first(Promise, ws)}],
    "promises:check-set": lambda ws: [{"pk": _first(PromiseCheck, ws)}],
    "promises:crisis-step": lambda ws: [{"pk": _first(Crisis, ws)}],
    "promises:crisis-close": lambda ws: [{"pk": _first(Crisis, ws)}],
    "promises:expectation-delete": lambda ws: [{"pk": _first(Expectation, ws)}],
    "promises:gap-customer": lambda ws: [{"pk": _first(Customer, ws)}],
    "workspaces:member-role": lambda ws: [{"pk": _first(Membership, ws, role="agent")}],
    "workspaces:member-remove": lambda ws: [{"pk": _first(Membership, ws, role="agent")}],
    "workspaces:invitation-revoke": lambda ws: [{"pk": _first(MemberInvitation, ws)}],
    "workspaces:invitation-resend": lambda ws: [{"pk": _first(MemberInvitation, ws)}],
    "core:help": lambda ws: [{"topic": "nps"}],
    "cases:case-detail": lambda ws: [{"pk": _first(Case, ws)}],
    "cases:case-status": lambda ws: [{"pk": _first(Case, ws)}],
    "cases:case-take": lambda ws: [{"pk": _first(Case, ws)}],
    "cases:case-note": lambda ws: [{"pk": _first(Case, ws)}],
    "cases:case-acknowledge": lambda ws: [{"pk": _first(Case, ws)}],
    "cases:case-remedy": lambda ws: [{"pk": _first(Case, ws)}],
    "cases:remedy-decide": lambda ws: [{"pk": _first(Remedy, ws)}],
    "cases:settings-save": lambda ws: [
        {"section": section} for section in ("categories", "sla", "remedies", "budgets", "general")
    ],
    "cases:reply-template-remove": lambda ws: [{"pk": _first(ReplyTemplate, ws)}],
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
    "customers:customer-consent": lambda ws: [{"pk": _first(Customer, ws)}],
    "survey:unsubscribe": lambda ws: [{"token": _open_invitation(ws).token}],
    "privacy:person-detail": lambda ws: [{"pk": _first(Customer, ws)}],
    "privacy:person-export": lambda ws: [{"pk": _first(Customer, ws)}],
    "privacy:person-erase": lambda ws: [{"pk": _first(Customer, ws)}],
    "privacy:data-request-done": lambda ws: [{"pk": 1}],
    "workspaces:password-reset-confirm": lambda ws: [{"uidb64": "MQ", "token": "set-password"}],
    "workspaces:invitation-accept": lambda ws: [{"token": "unknown"}],
    "api:token-revoke": lambda ws: [{"pk": _first(ApiToken, ws)}],
    "api:webhook-detail": lambda ws: [{"pk": _first(WebhookSubscription, ws)}],
    "api:webhook-delete": lambda ws: [{"pk": _first(WebhookSubscription, ws)}],
    "api:webhook-delivery-resend": lambda ws: [{"pk": _first(WebhookDelivery, ws)}],
    # The REST API: A's ids (a session without a token gets 401 whatever the id).
    "api-v1:customer_get": lambda ws: [{"customer_id": _first(Customer, ws)}],
    "api-v1:customer_patch": lambda ws: [{"customer_id": _first(Customer, ws)}],
    "api-v1:contract_get": lambda ws: [{"contract_id": _first(Contract, ws)}],
    "api-v1:contract_patch": lambda ws: [{"contract_id": _first(Contract, ws)}],
    "api-v1:interaction_get": lambda ws: [{"interaction_id": _first(Interaction, ws)}],
    "api-v1:interaction_patch": lambda ws: [{"interaction_id": _first(Interaction, ws)}],
    "api-v1:invitation_get": lambda ws: [{"invitation_id": _first(Invitation, ws)}],
    "api-v1:response_get": lambda ws: [{"response_id": _first(Response, ws)}],
    "api-v1:promise_get": lambda ws: [{"promise_id": _first(Promise, ws)}],
    "api-v1:case_get": lambda ws: [{"case_id": _first(Case, ws)}],
    "api-v1:case_status": lambda ws: [{"case_id": _first(Case, ws)}],
    "api-v1:remedy_list": lambda ws: [{"case_id": _first(Case, ws)}],
    "api-v1:remedy_grant": lambda ws: [{"case_id": _first(Case, ws)}],
    "api-v1:customer_health": lambda ws: [{"customer_id": _first(Customer, ws)}],
    "api-v1:review_get": lambda ws: [{"review_id": _first(Review, ws)}],
    "api-v1:review_reply": lambda ws: [{"review_id": _first(Review, ws)}],
    "feedback:bulk-detail": lambda ws: [{"pk": _bulk_send(ws).pk}],
}


def _bulk_send(workspace: Workspace) -> BulkSend:
    survey = Survey.objects.filter(workspace=workspace).order_by("pk").first()
    return BulkSend.objects.create(workspace=workspace, survey=survey, customer_ids=[], total=0)


def argument_sets(name: str, pattern: URLPattern, workspace: Workspace) -> list[dict] | None:
    """The kwargs to call the route with; None when the route has arguments nobody mapped."""
    converters = pattern.pattern.converters
    if not converters:
        return [{}]
    if name in ARGS:
        return ARGS[name](workspace)
    if set(converters) == {"customer_pk"}:
        return [{"customer_pk": _first(Customer, workspace)}]
    return None


def takes_an_id(pattern: URLPattern) -> bool:
    """True when the route names an object by its primary key (`pk`, `<entity>_pk`)."""
    return any(key == "pk" or key.endswith("_pk") for key in pattern.pattern.converters)


def url_with_fake_ids(name: str, pattern: URLPattern) -> str:
    fake = {"int": 999_999_999, "str": "x", "slug": "x", "path": "x"}
    kwargs = {}
    for key, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        kwargs[key] = fake.get(kind, "x")
    return reverse(name, kwargs=kwargs)


ADMIN_VALUES = {
    "object_id": "1",
    "id": "1",
    "pk": "1",
    "content_type_id": "1",
    "app_label": "customers",
}


def admin_url(name: str, pattern: URLPattern) -> str:
    """An admin route with the first row's id: every admin page sits behind the admin's staff
    check, and any existing object shows whether that check holds."""
    keys = list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex)
    return reverse(name, kwargs={key: ADMIN_VALUES[key] for key in keys})


def demo_workspace_complete() -> Workspace:
    """The demo business, plus the few kinds of object the demo does not make (an open link,
    a prospect's need, a pending member invitation, a case, an API token, an inbound review source, a webhook and one
    delivery), so every route has a real object."""
    call_command("demo", "--customers", "12", "--years", "1", "--today", "2025-06-16", verbosity=0)
    workspace = Workspace.objects.get()
    owner = workspace.memberships.filter(role="owner").order_by("pk").first()
    open_link_create(survey=Survey.objects.filter(workspace=workspace).first(), by=owner)
    expectation_create(
        customer=Customer.objects.filter(workspace=workspace).order_by("pk").first(),
        by=owner,
        text="Entro un giorno",
        dimension="timeliness",
        target_type="duration",
        limit=48,
        unit="hours",
        touchpoint=workspace.touchpoints.order_by("pk").first(),
    )
    member_invite(workspace=workspace, by=owner, email="nuovo.collega@example.com", role="agent")
    case = case_open(
        customer=Customer.objects.filter(workspace=workspace).order_by("pk").first(),
        by=owner,
        category=CaseCategory.objects.filter(workspace=workspace).order_by("pk").first(),
        description="Il tecnico è arrivato con due giorni di ritardo",
    )
    api_token_create(workspace=workspace, by=owner, name="Gestionale")
    source_create(workspace=workspace, by=owner, name="CRM", kind="inbound")
    webhook_subscription_create(
        workspace=workspace,
        by=owner,
        url="http://127.0.0.1:9/hook",
        events=["customer.lost"],
        allow_private=True,
    )
    webhook_event_emit(workspace_id=workspace.pk, event="customer.lost", data={})
    agent = workspace.memberships.filter(role="agent").order_by("pk").first()
    case_remedy_grant(case=case, by=agent, kind="refund", amount="500", why="Da approvare")
    reply_template_set(
        workspace=workspace, by=owner, language="it", subject="Ci scusi", body="Gentile {name}"
    )
    return workspace
