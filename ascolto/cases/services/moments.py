"""Every moment of truth lands in one place, a case: what the lower apps report through their
hooks (registered in `CasesConfig.ready()`). All of these are the system's: no member acts.

- a broken promise (`promises.hooks.crises_opened`) opens a case "promessa non mantenuta",
  linked to its check, its interaction and its crisis (whose checklist the case page shows);
- a detractor answer (`feedback.hooks.detractor_answered`) opens a "call back" case for the
  account owner, when the workspace's setting says so (on by default);
- a complaint recorded on the timeline (`interactions.hooks.interaction_saved`, touchpoint
  "reclamo") opens a case, or joins the customer's open case of the same category.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from ascolto.cases.models import Case, CaseSettings, Severity
from ascolto.cases.selectors import case_open_for_category
from ascolto.cases.services.cases import (
    BROKEN_PROMISE,
    CALL_BACK,
    OTHER,
    _category,
    _link,
    case_open_for_system,
)
from ascolto.feedback.models import Answer, Question, Response
from ascolto.interactions.models import Interaction
from ascolto.promises.models import Crisis
from ascolto.workspaces.models import Membership

COMPLAINT_TOUCHPOINT = "reclamo"

# Words that place a complaint in a category (lower case, start of words): the first match wins.
CATEGORY_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("errore-fattura", ("fattur", "invoice", "addebit", "bill")),
    ("ritardo", ("ritard", "tardi", "late", "delay", "attes")),
    ("guasto", ("guast", "rott", "non funziona", "broken", "fault")),
    ("scortesia", ("scortes", "maleducat", "sgarbat", "rude")),
    ("qualita", ("qualit", "difett", "sporc", "quality", "dirty")),
]


def complaint_category_code(text: str) -> str:
    """The category a complaint's words point to ("altro" when none does)."""
    lowered = (text or "").lower()
    for code, stems in CATEGORY_WORDS:
        if any(stem in lowered for stem in stems):
            return code
    return OTHER


def cases_for_crises(*, crises: Sequence[Crisis]) -> None:
    """The `crises_opened` hook: each open crisis is one case (once; a crisis opened again
    reopens its case when that was resolved)."""
    for crisis in crises:
        check = crisis.promise_check
        existing = Case.objects.filter(crisis=crisis).first()
        if existing is not None:
            if not existing.is_open:
                from ascolto.cases.services.cases import _reopen

                _reopen(
                    Case.objects.select_for_update().get(pk=existing.pk),
                    None,
                    "",
                )
            continue
        case_open_for_system(
            customer=crisis.customer,
            category_code=BROKEN_PROMISE,
            source_key=f"crisis:{crisis.pk}",
            opened_at=crisis.opened_at,
            interactions=[check.interaction],
            promise_checks=[check],
            severity=Severity.HIGH,
            description=str(check.promise.wording(crisis.customer.preferred_language)),
            crisis=crisis,
        )


def case_for_detractor(*, response: Response) -> None:
    """The `detractor_answered` hook: a "call back" case for the account owner."""
    from ascolto.cases.services.loop import is_follow_up

    customer = response.customer
    if customer is None or is_follow_up(response):
        return  # a follow-up's unhappy answer reopens its own case (services.loop)
    settings = CaseSettings.objects.filter(workspace_id=response.workspace_id).first()
    if settings is not None and not settings.detractor_callback:
        return
    why = (
        Answer.objects.filter(
            response_id=response.pk, question__role=Question.Role.WHY, text__gt=""
        )
        .values_list("text", flat=True)
        .first()
    )
    case_open_for_system(
        customer=customer,
        category_code=CALL_BACK,
        source_key=f"response:{response.pk}",
        opened_at=response.submitted_at,
        responses=[response],
        severity=Severity.HIGH,
        channel="web",
        description=why or "",
    )


def case_for_complaint(*, interaction: Interaction) -> None:
    """The `interaction_saved` hook: a complaint opens a case, or joins the customer's open
    case of the same category. An interaction already linked to a case is left alone (an
    edit of it opens nothing new)."""
    touchpoint = interaction.touchpoint
    if touchpoint.code != COMPLAINT_TOUCHPOINT or interaction.cases.exists():
        return
    customer = interaction.customer
    category = _category(customer.workspace_id, complaint_category_code(interaction.text))
    joined = case_open_for_category(customer=customer, category=category)
    if joined is not None:
        _link(joined, None, interaction=interaction)
        return
    case_open_for_system(
        customer=customer,
        category_code=category.code,
        source_key=f"interaction:{interaction.pk}",
        owner=interaction.member,
        opened_at=min(interaction.occurred_at, timezone.now()),
        interactions=[interaction],
        channel=interaction.channel,
        description=interaction.text,
    )


def cases_for_closed_crises(
    *, crisis_ids: Sequence[int], by: Membership | None, withdrawn: bool
) -> None:
    """The `crises_closed` hook: a handled crisis resolves its case (the recovery survey then
    follows); a withdrawn one closes it as "not a real problem"."""
    from ascolto.cases.services.cases import _move

    for case in Case.objects.select_for_update().filter(crisis_id__in=list(crisis_ids)):
        if not case.is_open and not withdrawn:
            continue
        if withdrawn:
            if case.status != Case.Status.CLOSED:
                _move(case, by, Case.Status.CLOSED, outcome=Case.Outcome.WITHDRAWN)
        else:
            _move(case, by, Case.Status.RESOLVED)
