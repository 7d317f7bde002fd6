"""What a workspace starts with for cases, in one call: the categories and settings, the
response-time policies, the remedies allowed and the spending budgets. A new workspace gets the
Italian defaults (`workspaces.hooks.workspace_created`); a set-up for one sector passes its own."""

from __future__ import annotations

from ascolto.cases.services.cases import case_categories_install_defaults
from ascolto.cases.services.sla import sla_policies_install
from ascolto.workspaces.models import Workspace


def case_defaults_install(
    *,
    workspace: Workspace,
    sla: dict[str, tuple[int, int, int]] | None = None,
) -> None:
    """Install what is missing (the system's; running it again changes nothing).

    `sla`: {severity: (acknowledge, first response, resolve)} in business minutes, for every
    category (default `sla.DEFAULT_SLA`)."""
    case_categories_install_defaults(workspace=workspace)
    sla_policies_install(workspace=workspace, policies=sla)
