"""A person seeded in every app, through the apps' own services where they have one."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ascolto.api.models import WebhookDelivery, WebhookSubscription
from ascolto.cases.models import CaseCategory
from ascolto.cases.services import case_note_add, case_open
from ascolto.core.testing import run_pending_tasks
from ascolto.customers.models import Customer, LostRecord
from ascolto.customers.tests.factories import ContractFactory, CustomerFactory
from ascolto.feedback.models import Invitation, Question
from ascolto.feedback.services import response_submit, survey_invitation_create
from ascolto.feedback.tests.factories import SurveyFactory
from ascolto.health.services import health_score_refresh
from ascolto.interactions.services import staff_signal_record
from ascolto.promises.models import Crisis, Expectation, FitOverride, PromiseCheck
from ascolto.promises.tests.test_services_checks import late_visit, make_promise
from ascolto.voice.models import Review

NAME = "Giulia Ferraresi"
EMAIL = "giulia.ferraresi@example.it"
PHONE = "+39 347 555 0192"
PHONE_DIGITS = "393475550192"


@dataclass
class Seeded:
    customer: Customer
    other: Customer
    invitation: Invitation


def _answers(survey, score, why):
    data = {}
    for q in survey.questions.all():
        if q.role == Question.Role.MAIN:
            data[f"q{q.pk}"] = str(score)
        elif q.role == Question.Role.WHY:
            data[f"q{q.pk}"] = why
    return data


def seed_person(*, workspace, owner, agent, capture, name=NAME, email=EMAIL, phone=PHONE) -> Seeded:
    """GIVEN a customer named in every app: their record and notes, a contract, an
    interaction that broke a promise (check, crisis with notes, alerts), a staff signal, a
    need and a fit decision, a survey emailed to them (the saved copy of the mail) and answered
    with a detractor comment naming them (response, answer, text analysis, alert), a lost
    record, a failed task's traceback and a mail error naming them, and the admin's history;
    a complaint (case) with a note, a health score; another customer whose notes mention
    them."""
    customer = CustomerFactory(
        workspace=workspace,
        name=name,
        email=email,
        phone=phone,
        company=f"Studio {name}",
        notes=f"Chiamare {name} al {phone} dopo le 18",
        account_owner=owner,
    )
    other = CustomerFactory(
        workspace=workspace, notes=f"Cugina di {name}, scrive da {email}", account_owner=owner
    )
    ContractFactory(customer=customer, workspace=workspace, title=f"Contratto {name}")
    make_promise(workspace, owner)
    with capture(execute=True):
        visit = late_visit(customer, agent, hours=30, text=f"{name} ha chiamato dal {phone}")
        staff_signal_record(
            customer=customer, by=agent, text=f"{name} sembrava seccata", polarity="negative"
        )
    check = PromiseCheck.objects.get(interaction=visit)
    Crisis.objects.filter(promise_check=check).update(note=f"Scuse a {name} per telefono")
    Expectation.objects.create(
        workspace=workspace,
        customer=customer,
        dimension="timeliness",
        text=f"{name} vuole il tecnico in giornata",
        target_type="flag",
    )
    FitOverride.objects.create(
        workspace=workspace, customer=customer, reason=f"{name} è amica del titolare"
    )
    survey = SurveyFactory(workspace=workspace, by=owner)
    with capture(execute=True):
        invitation = survey_invitation_create(
            survey=survey, customer=customer, by=owner, confirmed=True
        )
    run_pending_tasks()
    invitation.refresh_from_db()
    with capture(execute=True):
        response_submit(
            survey=survey,
            data=_answers(survey, 3, f"Sono {name}, scrivetemi a {email} o al {phone}"),
            language="it",
            invitation=invitation,
        )
    run_pending_tasks()
    case = case_open(
        customer=customer,
        by=agent,
        category=CaseCategory.objects.filter(workspace=workspace).first(),
        description=f"{name} ({phone}) lamenta il ritardo",
    )
    case_note_add(case=case, by=agent, note=f"Richiamata {name} su {email}")
    health_score_refresh(workspace_id=workspace.pk, customer_id=customer.pk)
    LostRecord.objects.create(
        workspace=workspace,
        customer=customer,
        lost_on=timezone.localdate() - timedelta(days=1),
        reason=workspace.lost_reasons.first(),
        details=f"{name} passa alla concorrenza",
    )
    task = DBTaskResult.objects.order_by("enqueued_at").first()
    DBTaskResult.objects.filter(pk=task.pk).update(
        traceback=f"SMTPRecipientsRefused: {{'{email}': (550, b'{name} unknown')}}",
        args_kwargs={"args": [], "kwargs": {"to": email}},
    )
    Invitation.objects.filter(pk=invitation.pk).update(last_error=f"550 {email}: mailbox full")
    LogEntry.objects.create(
        user=owner.user,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk),
        object_repr=name,
        action_flag=CHANGE,
        change_message=f"Changed email to {email}",
    )
    # A public review written under their address, not (yet) matched to them, and the webhook
    # log of an event about them.
    Review.objects.create(
        workspace=workspace,
        platform="google",
        author=name,
        author_email=email,
        author_phone=phone,
        text=f"Sono {name}: servizio lento",
        published_at=timezone.now() - timedelta(days=3),
        dedupe_key=f"seed-{customer.pk}",
    )
    subscription = WebhookSubscription.objects.create(
        workspace=workspace, url="https://hooks.example.it/in", secret="s" * 32
    )
    WebhookDelivery.objects.create(
        workspace=workspace,
        subscription=subscription,
        event_id=uuid.uuid4(),
        event="customer.lost",
        payload=json.dumps({"name": name, "email": email, "phone": phone}),
    )
    return Seeded(customer=customer, other=other, invitation=invitation)
