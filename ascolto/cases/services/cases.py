"""Opening cases and moving them along: status, person in charge, details, links and notes.

Each change is one `CaseEvent` (who, when, what) written in the same transaction. Status moves
lock the case row first, so two members pressing "resolve" at once move it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ascolto.cases import hooks
from ascolto.cases.models import (
    TRANSITIONS,
    Case,
    CaseCategory,
    CaseEvent,
    CaseSettings,
)
from ascolto.customers.models import Customer
from ascolto.feedback.models import Response
from ascolto.interactions.models import Interaction
from ascolto.lib.updates import model_update, refuse_unknown_fields
from ascolto.promises.models import PromiseCheck
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

# The categories every new workspace starts with: (code, Italian, English).
DEFAULT_CATEGORIES: list[tuple[str, str, str]] = [
    ("ritardo", "Ritardo", "Delay"),
    ("guasto", "Guasto", "Breakdown"),
    ("errore-fattura", "Errore in fattura", "Invoice error"),
    ("scortesia", "Scortesia", "Discourtesy"),
    ("qualita", "Qualità", "Quality"),
    ("promessa-non-mantenuta", "Promessa non mantenuta", "Broken promise"),
    ("richiamare", "Cliente da richiamare", "Customer to call back"),
    ("altro", "Altro", "Other"),
]
BROKEN_PROMISE = "promessa-non-mantenuta"
CALL_BACK = "richiamare"
OTHER = "altro"

CASE_FIELDS = ("category", "channel", "description", "severity", "emotion")


class CaseRefused(Exception):
    """The change cannot be made as asked; `reason` says why, in the active language."""

    def __init__(self, reason: str, *, field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


def case_categories_install_defaults(*, workspace: Workspace) -> None:
    """The default categories and settings of a new workspace (the system's, called by
    `workspace_create` through `workspaces.hooks.workspace_created`). Running it again adds
    only what is missing."""
    CaseCategory.objects.bulk_create(
        [
            CaseCategory(workspace=workspace, code=code, name_it=it, name_en=en, position=i)
            for i, (code, it, en) in enumerate(DEFAULT_CATEGORIES)
        ],
        ignore_conflicts=True,
    )
    CaseSettings.objects.get_or_create(workspace=workspace)


def _category(workspace_id: int, code: str) -> CaseCategory:
    """The workspace's category `code`, created from the defaults when a workspace made before
    cases existed lacks it."""
    found = CaseCategory.objects.filter(workspace_id=workspace_id, code=code).first()
    if found is not None:
        return found
    names = {c: (it, en) for c, it, en in DEFAULT_CATEGORIES}
    it, en = names.get(code, (code, code))
    category, _created = CaseCategory.objects.get_or_create(
        workspace_id=workspace_id, code=code, defaults={"name_it": it, "name_en": en}
    )
    return category


def _event(
    case: Case,
    kind: str,
    by: Membership | None,
    *,
    at: datetime | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    **data: Any,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        workspace_id=case.workspace_id,
        case=case,
        customer_id=case.customer_id,
        kind=kind,
        at=at or timezone.now(),
        by=by,
        from_status=from_status,
        to_status=to_status,
        note=note[:5_000],
        data=data,
    )
    if kind in (CaseEvent.Kind.OPENED, CaseEvent.Kind.STATUS, CaseEvent.Kind.REOPENED):
        hooks.case_changed.call(case=case, event=event)
    return event


def _check_links(
    workspace_id: int,
    interactions: Iterable[Interaction],
    promise_checks: Iterable[PromiseCheck],
    responses: Iterable[Response],
) -> None:
    rows: list[Interaction | PromiseCheck | Response] = [
        *interactions,
        *promise_checks,
        *responses,
    ]
    for row in rows:
        if row.workspace_id != workspace_id:
            raise CaseRefused(_("This record belongs to another workspace."))


def _create(
    *,
    customer: Customer,
    category: CaseCategory,
    by: Membership | None,
    owner: Membership | None,
    source_key: str = "",
    opened_at: datetime | None = None,
    interactions: Iterable[Interaction] = (),
    promise_checks: Iterable[PromiseCheck] = (),
    responses: Iterable[Response] = (),
    **fields: Any,
) -> Case:
    from ascolto.cases.services.sla import case_clocks_set

    interactions, promise_checks, responses = (
        list(interactions),
        list(promise_checks),
        list(responses),
    )
    _check_links(customer.workspace_id, interactions, promise_checks, responses)
    case = Case(
        workspace_id=customer.workspace_id,
        customer=customer,
        category=category,
        owner=owner,
        opened_by=by,
        source_key=source_key,
        opened_at=opened_at or timezone.now(),
        **fields,
    )
    case.full_clean(exclude=["source_key"] if source_key else None)
    case_clocks_set(case=case)
    case.save()
    if interactions:
        case.interactions.add(*interactions)
    if promise_checks:
        case.promise_checks.add(*promise_checks)
    if responses:
        case.responses.add(*responses)
    _event(case, CaseEvent.Kind.OPENED, by, at=case.opened_at, to_status=case.status)
    from ascolto.cases.services.replies import case_acknowledgement_queue

    case_acknowledgement_queue(case=case)
    return case


@transaction.atomic
def case_open(
    *,
    customer: Customer,
    by: Membership,
    category: CaseCategory,
    owner: Membership | None = None,
    interactions: Iterable[Interaction] = (),
    **fields: Any,
) -> Case:
    """A member opens a case (any member). Without an owner, whoever opens it is in charge.
    `fields`: channel, description, severity, emotion."""
    require_member(by, customer.workspace_id, Role.AGENT)
    refuse_unknown_fields(Case, fields, ("channel", "description", "severity", "emotion"))
    if owner is not None and owner.pk != by.pk and not by.has_role(Role.MANAGER):
        raise CaseRefused(_("Only managers and owners put someone else in charge."), field="owner")
    return _create(
        customer=customer,
        category=category,
        by=by,
        owner=owner or by,
        interactions=interactions,
        **fields,
    )


def case_open_for_system(
    *,
    customer: Customer,
    category_code: str,
    source_key: str,
    owner: Membership | None = None,
    opened_at: datetime | None = None,
    interactions: Iterable[Interaction] = (),
    promise_checks: Iterable[PromiseCheck] = (),
    responses: Iterable[Response] = (),
    **fields: Any,
) -> Case | None:
    """The system opens a case for something that happened (a broken promise, a detractor
    answer, a complaint recorded). `source_key` names that event: the same key opens one case
    however often this runs (returns None then). The owner defaults to the customer's account
    owner."""
    with transaction.atomic():
        if Case.objects.filter(workspace_id=customer.workspace_id, source_key=source_key).exists():
            return None
        try:
            with transaction.atomic():
                return _create(
                    customer=customer,
                    category=_category(customer.workspace_id, category_code),
                    by=None,
                    owner=owner if owner is not None else customer.account_owner,
                    source_key=source_key,
                    opened_at=opened_at,
                    interactions=interactions,
                    promise_checks=promise_checks,
                    responses=responses,
                    **fields,
                )
        except IntegrityError:  # opened at the same moment by another worker
            return None


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk, workspace_id=case.workspace_id)


def _column(name: str) -> str:
    """`category` → `category_id`: the stored value, comparable and JSON-safe."""
    return "category_id" if name == "category" else name


@transaction.atomic
def case_update(*, case: Case, by: Membership, **fields: Any) -> Case:
    """Correct a case's category, channel, description, severity or emotion (any member).
    Each changed field is kept in the case's history with its old value."""
    require_member(by, case.workspace_id, Role.AGENT)
    refuse_unknown_fields(Case, fields, CASE_FIELDS)
    columns = {name: _column(name) for name in fields}
    stored = Case.objects.filter(pk=case.pk).values(*columns.values()).get()
    changed = model_update(case, fields, CASE_FIELDS)
    if changed:
        diff = {name: [stored[columns[name]], getattr(case, columns[name])] for name in changed}
        _event(case, CaseEvent.Kind.CHANGED, by, changes=diff)
        if "category" in changed or "severity" in changed:
            from ascolto.cases.services.sla import case_clocks_set

            case_clocks_set(case=case)
            case.save(update_fields=["acknowledge_due_at", "respond_due_at", "resolve_due_at"])
    return case


@transaction.atomic
def case_assign(*, case: Case, by: Membership, owner: Membership | None) -> Case:
    """Put someone in charge. Any member takes a case on themselves; giving it to someone else
    (or to nobody) is for managers and owners."""
    require_member(by, case.workspace_id, Role.AGENT)
    if owner is None or owner.pk != by.pk:
        require_member(by, case.workspace_id, Role.MANAGER)
    if owner is not None and owner.workspace_id != case.workspace_id:
        raise CaseRefused(_("The person in charge must be a member of this workspace."))
    locked = _locked(case)
    if locked.owner_id == (owner.pk if owner else None):
        return locked
    before = locked.owner_id
    locked.owner = owner
    locked.save(update_fields=["owner"])
    _event(locked, CaseEvent.Kind.ASSIGNED, by, owner=[before, owner.pk if owner else None])
    case.owner = owner
    return locked


def _stamp(case: Case, status: str, now: datetime) -> None:
    """The first time a case reaches a stage, its clock stops there."""
    stages: dict[str, int] = {
        Case.Status.ACKNOWLEDGED: 1,
        Case.Status.IN_PROGRESS: 2,
        Case.Status.RESOLVED: 3,
        Case.Status.CLOSED: 4,
    }
    reached = stages.get(status, 0)
    if reached >= 1 and case.acknowledged_at is None:
        case.acknowledged_at = now
    if reached >= 2 and case.responded_at is None:
        case.responded_at = now
    if status == Case.Status.RESOLVED or (status == Case.Status.CLOSED and not case.resolved_at):
        case.resolved_at = now
    if status == Case.Status.CLOSED:
        case.closed_at = now


@transaction.atomic
def case_status_change(
    *, case: Case, by: Membership, status: str, note: str = "", outcome: str = ""
) -> Case:
    """Move a case along (new → taken in charge → in progress → resolved → closed). Any member
    handles a case; closing it with its outcome is for managers and owners, like closing a
    crisis. Moving back from resolved or closed is a reopening (`case_reopen`)."""
    require_member(by, case.workspace_id, Role.AGENT)
    if status == Case.Status.CLOSED:
        require_member(by, case.workspace_id, Role.MANAGER)
    if status not in Case.Status.values:
        raise CaseRefused(_("Unknown status."), field="status")
    if outcome and outcome not in Case.Outcome.values:
        raise CaseRefused(_("Unknown outcome."), field="outcome")
    locked = _locked(case)
    if locked.status == status:
        return locked
    if locked.status in (Case.Status.RESOLVED, Case.Status.CLOSED) and status not in (
        Case.Status.CLOSED,
    ):
        return case_reopen(case=locked, by=by, note=note)
    if status not in TRANSITIONS[locked.status]:
        raise CaseRefused(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": locked.get_status_display(), "to": Case.Status(status).label},
            field="status",
        )
    return _move(locked, by, status, note=note, outcome=outcome, original=case)


def _move(
    locked: Case,
    by: Membership | None,
    status: str,
    *,
    note: str = "",
    outcome: str = "",
    original: Case | None = None,
    now: datetime | None = None,
) -> Case:
    now = now or timezone.now()
    before = locked.status
    locked.status = status
    _stamp(locked, status, now)
    if outcome:
        locked.outcome = outcome
    locked.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "outcome",
        ]
    )
    _event(
        locked, CaseEvent.Kind.STATUS, by, at=now, from_status=before, to_status=status, note=note
    )
    if status == Case.Status.RESOLVED:
        _resolved(locked, now)
    if original is not None:
        for name in (
            "status",
            "acknowledged_at",
            "responded_at",
            "resolved_at",
            "closed_at",
            "outcome",
        ):
            setattr(original, name, getattr(locked, name))
    return locked


def _resolved(case: Case, now: datetime) -> None:
    """A resolved case asks the customer, through the cadence's "after a complaint is resolved"
    rules, whether they are satisfied with how it was handled (once per resolution)."""
    from ascolto.feedback.services.cadence import cadence_trigger_complaint_resolved

    invitations = cadence_trigger_complaint_resolved(
        customer=case.customer,
        source_key=f"case-{case.pk}-{case.reopened_count}",
        now=now,
    )
    for invitation in invitations:
        _event(
            case,
            CaseEvent.Kind.EMAIL,
            None,
            at=now,
            email="follow_up",
            invitation=invitation.pk,
            survey=invitation.survey_id,
        )


@transaction.atomic
def case_reopen(*, case: Case, by: Membership, note: str = "") -> Case:
    """Reopen a resolved or closed case (any member): it goes back to "in progress", its
    resolution and closing are cleared, and its resolution clock runs again."""
    require_member(by, case.workspace_id, Role.AGENT)
    locked = _locked(case)
    return _reopen(locked, by, note, original=case)


def _reopen(locked: Case, by: Membership | None, note: str, original: Case | None = None) -> Case:
    if locked.status not in (Case.Status.RESOLVED, Case.Status.CLOSED):
        raise CaseRefused(_("Only a resolved or closed case can be reopened."), field="status")
    before = locked.status
    locked.status = Case.Status.IN_PROGRESS
    locked.resolved_at = None
    locked.closed_at = None
    locked.outcome = ""
    locked.reopened_count += 1
    locked.save(update_fields=["status", "resolved_at", "closed_at", "outcome", "reopened_count"])
    _event(
        locked,
        CaseEvent.Kind.REOPENED,
        by,
        from_status=before,
        to_status=locked.status,
        note=note,
    )
    if original is not None:
        for name in ("status", "resolved_at", "closed_at", "outcome", "reopened_count"):
            setattr(original, name, getattr(locked, name))
    return locked


@transaction.atomic
def case_note_add(*, case: Case, by: Membership, note: str) -> CaseEvent:
    """Add a note to a case's history (any member)."""
    require_member(by, case.workspace_id, Role.AGENT)
    note = (note or "").strip()
    if not note:
        raise CaseRefused(_("Write the note first."), field="note")
    return _event(case, CaseEvent.Kind.NOTE, by, note=note)


@transaction.atomic
def case_link(
    *,
    case: Case,
    by: Membership,
    interaction: Interaction | None = None,
    promise_check: PromiseCheck | None = None,
    response: Response | None = None,
) -> Case:
    """Link a record of the same customer to the case (any member)."""
    require_member(by, case.workspace_id, Role.AGENT)
    return _link(case, by, interaction, promise_check, response)


def _link(
    case: Case,
    by: Membership | None,
    interaction: Interaction | None = None,
    promise_check: PromiseCheck | None = None,
    response: Response | None = None,
) -> Case:
    _check_links(
        case.workspace_id,
        [interaction] if interaction else [],
        [promise_check] if promise_check else [],
        [response] if response else [],
    )
    rows: list[Interaction | PromiseCheck | Response] = [
        r for r in (interaction, promise_check, response) if r is not None
    ]
    for row in rows:
        if getattr(row, "customer_id", None) != case.customer_id:
            raise CaseRefused(_("Link only records of the same customer."))
    if interaction is not None:
        case.interactions.add(interaction)
        _event(case, CaseEvent.Kind.LINKED, by, interaction=interaction.pk)
    if promise_check is not None:
        case.promise_checks.add(promise_check)
        _event(case, CaseEvent.Kind.LINKED, by, promise_check=promise_check.pk)
    if response is not None:
        case.responses.add(response)
        _event(case, CaseEvent.Kind.LINKED, by, response=response.pk)
    return case


@transaction.atomic
def case_settings_update(*, workspace: Workspace, by: Membership, **fields: Any) -> CaseSettings:
    """Change the workspace's case settings (owners, like every workspace setting)."""
    require_member(by, workspace, Role.OWNER)
    settings, _created = CaseSettings.objects.get_or_create(workspace=workspace)
    model_update(settings, fields, ("detractor_callback", "acknowledge_email", "win_back_days"))
    return settings


@transaction.atomic
def case_category_save(
    *,
    workspace: Workspace,
    by: Membership,
    name_it: str,
    name_en: str = "",
    active: bool = True,
    category: CaseCategory | None = None,
) -> CaseCategory:
    """Rename, switch off or add a category of the workspace's list (managers and owners). A
    category in use is never deleted: switched off, it is no longer offered for new cases."""
    from django.utils.text import slugify

    require_member(by, workspace, Role.MANAGER)
    name_it = (name_it or "").strip()
    if not name_it:
        raise CaseRefused(_("Give the category a name."), field="name_it")
    if category is None:
        base = slugify(name_it)[:40] or "categoria"
        code, n = base, 1
        while CaseCategory.objects.filter(workspace=workspace, code=code).exists():
            n += 1
            code = f"{base}-{n}"
        position = CaseCategory.objects.filter(workspace=workspace).count()
        category = CaseCategory(workspace=workspace, code=code, position=position)
    elif category.workspace_id != workspace.pk:
        raise CaseRefused(str(CaseCategory.other_workspace_message), field="category")
    category.name_it = name_it[:100]
    category.name_en = (name_en or "").strip()[:100]
    category.active = active
    category.full_clean()
    category.save()
    return category
