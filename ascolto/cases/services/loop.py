"""Closing the loop: a resolved case asks the customer whether they are satisfied with how it
was handled, and their answer closes or reopens it.

Resolving a case fires the cadence's "after a complaint is resolved" trigger with the key
`case-<id>-<round>` (`cases._resolved`); every rule with that option invites the customer to
its survey, emailed like every invitation. When the answer is stored
(`feedback.hooks.response_stored`), `case_follow_up_answered` finds the case from the
invitation's trigger and, if the case is still resolved in that same round:

- a promoter's answer closes it ("customer satisfied"), a passive's closes it ("partly
  satisfied");
- a detractor's answer reopens it and alerts the person in charge (else the account owner,
  else the managers and owners). No separate "call back" case is opened for that answer
  (`is_follow_up` is checked by `moments.case_for_detractor`).

Each step is an event of the case, so its history and the customer's timeline show the
follow-up sent, the answer and the move.
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ascolto.cases.models import Case, CaseEvent
from ascolto.feedback.models import CadenceTrigger, Response
from ascolto.workspaces.models import Membership, Role

KEY = re.compile(r"^case-(\d+)-(\d+)$")


def follow_up_of(response: Response) -> tuple[Case, int] | None:
    """The case (and round) whose follow-up survey `response` answers, or None."""
    if not response.invitation_id:
        return None
    key = (
        CadenceTrigger.objects.filter(
            workspace_id=response.workspace_id,
            invitation_id=response.invitation_id,
            source_kind=CadenceTrigger.Source.COMPLAINT,
        )
        .values_list("source_key", flat=True)
        .first()
    )
    match = KEY.match(key or "")
    if match is None:
        return None
    case = Case.objects.filter(workspace_id=response.workspace_id, pk=int(match[1])).first()
    return (case, int(match[2])) if case is not None else None


def is_follow_up(response: Response) -> bool:
    return follow_up_of(response) is not None


def _recipients(case: Case) -> list[Membership]:
    if case.owner_id:
        return [case.owner]  # type: ignore[list-item]
    if case.customer.account_owner_id:
        return [case.customer.account_owner]  # type: ignore[list-item]
    return list(
        Membership.objects.filter(
            workspace_id=case.workspace_id, role__in=[Role.MANAGER, Role.OWNER]
        ).select_related("user")
    )


def case_follow_up_answered(*, response: Response) -> None:
    """The `response_stored` hook (see the module's docstring)."""
    from ascolto.cases.services.cases import _event, _locked, _move, _reopen
    from ascolto.notifications.services import notification_create

    found = follow_up_of(response)
    if found is None:
        return
    case, round_ = found
    locked = _locked(case)
    locked.responses.add(response)
    _event(
        locked,
        CaseEvent.Kind.ANSWER,
        None,
        at=response.submitted_at,
        response=response.pk,
        score=response.score,
        band=response.band,
    )
    if locked.status != Case.Status.RESOLVED or locked.reopened_count != round_:
        return  # moved on meanwhile (reopened by staff, closed by a manager): the answer is kept
    if response.band == Response.Band.PROMOTER:
        _move(locked, None, Case.Status.CLOSED, outcome=Case.Outcome.SATISFIED)
    elif response.band == Response.Band.PASSIVE:
        _move(locked, None, Case.Status.CLOSED, outcome=Case.Outcome.PARTLY)
    elif response.band == Response.Band.DETRACTOR:
        workspace = locked.workspace
        with translation.override(workspace.language):
            note = _("The customer is not satisfied with how it was handled (%(score)s).") % {
                "score": response.score
            }
            title = _("Case #%(case)s reopened: %(customer)s is not satisfied") % {
                "case": locked.pk,
                "customer": locked.customer.name,
            }
        _reopen(locked, None, note)
        url = reverse("cases:case-detail", args=[locked.pk])
        for person in _recipients(locked):
            notification_create(
                workspace=workspace,
                recipient=person,
                kind="case",
                title=title,
                body=note,
                customer=locked.customer,
                url=url,
            )
