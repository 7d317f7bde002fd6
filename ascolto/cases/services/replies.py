"""Reply templates and the acknowledgement email to the customer.

A manager writes the replies in advance (`ReplyTemplate`): per category (or all), per emotion
(or all), in Italian and English. Without a stored template the built-in one is used
(`guidance.REPLIES`: Italian in the "Lei" register, or "tu" when the workspace chose it, and
English). The most specific active template wins: category and emotion, then category, then
emotion, then neither.

When a case is opened, the customer is greeted by email (`CaseEmail`, kind "ack"): once per case
(unique row written in the case's transaction), only when the workspace's setting is on, the
customer has an email address, has not asked for no more emails (`surveys_opted_out_at`), and the
case is opened now (not recorded a day late). The row is leased work: the task and the sweeper
send it through `core.emails.leased_email_send`, retried with a back-off like every email.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.cases.guidance import REPLIES, SUBJECTS
from ascolto.cases.models import (
    Case,
    CaseCategory,
    CaseEmail,
    CaseEmotion,
    CaseEvent,
    CaseSettings,
    ReplyTemplate,
)
from ascolto.core.emails import LeasedEmail, leased_email_send
from ascolto.core.leases import lease_dispatched, lease_sweep
from ascolto.lib import emails
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.cases")

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
PLACEHOLDERS = ("name", "case", "business")
# A case recorded later than this after it was opened gets no greeting: too late to be a first.
GREETING_WINDOW = timedelta(hours=24)


def fill(text: str, **values: object) -> str:
    """`text` with `{name}`, `{case}` and `{business}` replaced (nothing else is evaluated)."""
    return PLACEHOLDER.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text
    )


def unknown_placeholders(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text) if m.group(1) not in PLACEHOLDERS]


@dataclass(frozen=True)
class Reply:
    """A template to use: stored (`template` set) or built in."""

    language: str
    emotion: str
    subject: str
    body: str
    template: ReplyTemplate | None = None


def register_of(workspace: Workspace) -> str:
    return "tu" if getattr(workspace, "customer_address", "lei") == "tu" else "lei"


def builtin_reply(*, workspace: Workspace, emotion: str, language: str) -> Reply:
    """The reply the product ships with, in the workspace's register for Italian."""
    key = emotion if emotion in REPLIES["it"] else "none"
    if language == "en":
        table, subjects = REPLIES["en"], SUBJECTS["en"]
    elif register_of(workspace) == "tu":
        table, subjects = REPLIES["it-tu"], SUBJECTS["it-tu"]
    else:
        table, subjects = REPLIES["it"], SUBJECTS["it"]
    return Reply(language=language, emotion=emotion, subject=subjects, body=table[key])


def reply_for(
    *, workspace: Workspace, category_id: int | None, emotion: str, language: str
) -> Reply:
    """The most specific active template for a category, emotion and language, else the
    built-in one."""
    language = language if language in ("it", "en") else "it"
    stored = [
        t
        for t in ReplyTemplate.objects.filter(workspace=workspace, language=language, active=True)
        if (t.category_id in (None, category_id)) and t.emotion in ("", emotion)
    ]
    if stored:
        best = max(stored, key=lambda t: (t.category_id is not None, t.emotion != ""))
        return Reply(language, emotion, best.subject, best.body, best)
    return builtin_reply(workspace=workspace, emotion=emotion, language=language)


def case_reply(*, case: Case, emotion: str | None = None) -> tuple[str, str]:
    """The (subject, text) for this case's customer, in their language, with their name."""
    from ascolto.cases.selectors import case_emotion

    customer = case.customer
    workspace = case.workspace
    reply = reply_for(
        workspace=workspace,
        category_id=case.category_id,
        emotion=emotion if emotion is not None else case_emotion(case=case),
        language=customer.preferred_language,
    )
    values = {"name": customer.name, "case": case.pk, "business": workspace.name}
    return fill(reply.subject, **values), fill(reply.body, **values)


@transaction.atomic
def reply_template_set(
    *,
    workspace: Workspace,
    by: Membership,
    language: str,
    subject: str,
    body: str,
    category: CaseCategory | None = None,
    emotion: str = "",
    active: bool = True,
) -> ReplyTemplate:
    """Write (or rewrite) the template of a category (None: all), emotion ("": all) and
    language. Managers and owners decide what the business says."""
    from ascolto.cases.services.cases import CaseRefused

    require_member(by, workspace, Role.MANAGER)
    if category is not None and category.workspace_id != workspace.pk:
        raise CaseRefused(str(CaseCategory.other_workspace_message), field="category")
    if emotion and emotion not in CaseEmotion.values:
        raise CaseRefused(_("Unknown emotion."), field="emotion")
    template = ReplyTemplate.objects.filter(
        workspace=workspace, category=category, emotion=emotion, language=language
    ).first() or ReplyTemplate(
        workspace=workspace, category=category, emotion=emotion, language=language
    )
    template.subject = (subject or "").strip()
    template.body = (body or "").strip()
    template.active = active
    template.full_clean(validate_constraints=False)
    template.save()
    return template


@transaction.atomic
def reply_template_delete(*, template: ReplyTemplate, by: Membership) -> None:
    """Remove a template: the built-in one (or a wider stored one) is used again."""
    require_member(by, template.workspace_id, Role.MANAGER)
    ReplyTemplate.objects.filter(pk=template.pk, workspace_id=template.workspace_id).delete()


def may_email(case: Case) -> bool:
    """Whether the customer of `case` may be emailed about it (see the module's docstring)."""
    customer = case.customer
    if not customer.email or customer.surveys_opted_out_at is not None:
        return False
    settings = CaseSettings.objects.filter(workspace_id=case.workspace_id).first()
    return settings is None or settings.acknowledge_email


def case_acknowledgement_queue(*, case: Case, now: datetime | None = None) -> CaseEmail | None:
    """Queue the greeting of a case just opened (the system's; inside the case's transaction).
    None when it must not be sent or was queued before."""
    now = now or timezone.now()
    if now - case.opened_at > GREETING_WINDOW or not may_email(case):
        return None
    subject, body = case_reply(case=case)
    try:
        with transaction.atomic():
            email = CaseEmail.objects.create(
                workspace_id=case.workspace_id,
                case=case,
                kind=CaseEmail.Kind.ACKNOWLEDGEMENT,
                to_email=case.customer.email,
                language=case.customer.preferred_language,
                subject=subject[:200],
                body=body[:5_000],
            )
    except IntegrityError:
        return None
    CaseEvent.objects.create(
        workspace_id=case.workspace_id,
        case=case,
        customer_id=case.customer_id,
        kind=CaseEvent.Kind.EMAIL,
        at=now,
        note=body[:5_000],
        data={"email": "ack", "case_email": email.pk},
    )
    lease_dispatched(CaseEmail.objects.filter(pk=email.pk))
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def _enqueue(email_id: int) -> None:
    from ascolto.cases.tasks import case_email_send_task

    case_email_send_task.enqueue(email_id)


def _build(claimed: CaseEmail) -> LeasedEmail | None:
    row = CaseEmail.objects.select_related("workspace", "case__customer").get(pk=claimed.pk)
    customer = row.case.customer
    if not customer.email or customer.surveys_opted_out_at is not None:
        return None  # erased, or asked for no emails since it was queued
    message = EmailMessage(
        row.subject,
        row.body,
        to=[customer.email],
        headers={
            "Message-ID": emails.message_id(f"case.{row.case_id}.{row.kind}.{row.workspace_id}"),
            "Auto-Submitted": "auto-generated",
        },
    )
    return LeasedEmail(message, sent_field="sent_at")


def case_email_send(*, email_id: int, owner: str | None = None) -> bool:
    """Send one case email (claimed with a lease; SMTP errors back off and retry)."""
    return leased_email_send(CaseEmail, email_id, build=_build, logger=logger, owner=owner)


def case_emails_sweep(*, now: datetime | None = None) -> int:
    """The sweeper: enqueue case emails that are due or whose worker died."""
    return lease_sweep(CaseEmail.objects.all(), enqueue=_enqueue, now=now)
