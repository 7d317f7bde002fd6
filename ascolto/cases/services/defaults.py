"""What a workspace starts with for cases, in one call: the categories and settings, the
response-time policies, the remedies allowed and the spending budgets. A new workspace gets the
Italian defaults (`workspaces.hooks.workspace_created`); a set-up for one sector passes its own."""

from __future__ import annotations

from decimal import Decimal

from ascolto.cases.services.cases import case_categories_install_defaults
from ascolto.cases.services.remedies import remedy_defaults_install
from ascolto.cases.services.sla import sla_policies_install
from ascolto.workspaces.models import Workspace


def case_defaults_install(
    *,
    workspace: Workspace,
    sla: dict[str, tuple[int, int, int]] | None = None,
    remedies: dict[str, tuple[Decimal, Decimal | None]] | None = None,
    budgets: dict[str, tuple[Decimal | None, Decimal | None]] | None = None,
) -> None:
    """Install what is missing (the system's; running it again changes nothing).

    `sla`: {severity: (acknowledge, first response, resolve)} in business minutes, for every
    category (default `sla.DEFAULT_SLA`); `remedies`: {kind: (usual value, at most or None)}
    for every category; `budgets`: {role: (per case, per month)}, None unlimited (defaults in
    `remedies.DEFAULT_REMEDIES`, `DEFAULT_BUDGETS`)."""
    case_categories_install_defaults(workspace=workspace)
    sla_policies_install(workspace=workspace, policies=sla)
    remedy_defaults_install(workspace=workspace, remedies=remedies, budgets=budgets)
