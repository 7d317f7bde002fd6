"""Writes for the customer timeline: interactions and staff signals."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ascolto.customers.models import Customer
from ascolto.interactions import hooks
from ascolto.interactions.models import Interaction, StaffSignal, Touchpoint
from ascolto.lib.updates import model_update, refuse_unknown_fields
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

# code, Italian name, English name, negative event
DEFAULT_TOUCHPOINTS = [
    ("richiesta", "Richiesta", "Request", False),
    ("preventivo", "Preventivo", "Quote", False),
    ("intervento", "Intervento tecnico", "On-site repair", False),
    ("consegna", "Consegna", "Delivery", False),
    ("ritiro", "Ritiro", "Pick-up", False),
    ("fattura", "Fattura", "Invoice", False),
    ("pagamento", "Pagamento", "Payment", False),
    ("pagamento-mancato", "Pagamento mancato", "Missed payment", True),
    ("telefonata", "Telefonata", "Phone call", False),
    ("visita", "Visita", "Visit", False),
    ("reclamo", "Reclamo", "Complaint", True),
    ("errore", "Errore", "Error", True),
    ("ritardo", "Ritardo", "Delay", True),
    ("social", "Social e recensioni", "Social and reviews", False),
]

INTERACTION_FIELDS = (
    "touchpoint",
    "channel",
    "occurred_at",
    "member",
    "text",
    "requested_at",
    "scheduled_for",
    "started_at",
    "completed_at",
    "measures",
)


def touchpoints_install_defaults(*, workspace: Workspace) -> None:
    """The default touchpoints of a new workspace (the system's, called by `workspace_create`)."""
    Touchpoint.objects.bulk_create(
        [
            Touchpoint(
                workspace=workspace,
                code=code,
                name_it=it,
                name_en=en,
                is_negative=negative,
                position=i,
            )
            for i, (code, it, en, negative) in enumerate(DEFAULT_TOUCHPOINTS)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def touchpoints_add(
    *, workspace: Workspace, by: Membership, touchpoints: list[tuple[str, str, str, bool]]
) -> None:
    """Add touchpoints (code, Italian name, English name, negative event) after the ones the
    workspace has (managers and owners); a code the workspace already has is left as it is."""
    require_member(by, workspace, Role.MANAGER)
    start = Touchpoint.objects.filter(workspace=workspace).count()
    Touchpoint.objects.bulk_create(
        [
            Touchpoint(
                workspace=workspace,
                code=code,
                name_it=it,
                name_en=en,
                is_negative=negative,
                position=start + i,
            )
            for i, (code, it, en, negative) in enumerate(touchpoints)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def interaction_record(*, customer: Customer, by: Membership, **fields: Any) -> Interaction:
    """Put an interaction on the customer's timeline (any member; `member`, who handled it,
    defaults to `by`); the `interaction_saved` hooks (text analysis, promise checks) run in
    the same transaction."""
    require_member(by, customer.workspace_id, Role.AGENT)
    refuse_unknown_fields(Interaction, fields, INTERACTION_FIELDS)
    values = {"member": by, **fields}
    interaction = Interaction(workspace_id=customer.workspace_id, customer=customer, **values)
    interaction.full_clean()
    interaction.save()
    hooks.interaction_saved.call(interaction=interaction)
    return interaction


@transaction.atomic
def interaction_update(*, interaction: Interaction, by: Membership, **fields: Any) -> Interaction:
    """Change an interaction (any member); the `interaction_saved` hooks (text analysis,
    promise checks) follow in the same transaction."""
    require_member(by, interaction.workspace_id, Role.AGENT)
    model_update(interaction, fields, INTERACTION_FIELDS)
    hooks.interaction_saved.call(interaction=interaction)
    return interaction


@transaction.atomic
def interaction_delete(*, interaction: Interaction, by: Membership) -> None:
    """Remove an interaction from the timeline. Managers and owners only."""
    require_member(by, interaction.workspace_id, Role.MANAGER)
    interaction.delete()


@transaction.atomic
def staff_signal_record(
    *, customer: Customer, by: Membership, text: str, polarity: str
) -> StaffSignal:
    """Note a staff member's hint about the customer (any member)."""
    require_member(by, customer.workspace_id, Role.AGENT)
    signal = StaffSignal(
        workspace_id=customer.workspace_id,
        customer=customer,
        member=by,
        text=(text or "").strip(),
        polarity=polarity,
    )
    signal.full_clean()
    signal.save()
    hooks.staff_signal_recorded.call(signal=signal)
    return signal
