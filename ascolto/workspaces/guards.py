"""Who may act: the one check every service that writes makes about its `by` member.

Views are wrapped in `member_required(role)`, but a service is also called by the API, tasks and
commands, and a decorator protects only the page it wraps. So a service that writes on behalf of
a person starts with

    require_member(by, customer.workspace_id, Role.MANAGER)

and is therefore safe whoever calls it. Services the system runs itself (sending, sweeping, the
scheduler's jobs, the public survey page) have no `by` at all; see docs/tenancy.md for the rule
and the role each action needs.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.security")


def require_member(by: object, workspace: Workspace | int, role: str = Role.AGENT) -> Membership:
    """Return `by` when it is a saved membership of `workspace` with `role` or a stronger one;
    otherwise log the refusal on `ascolto.security` and raise PermissionDenied.

    `workspace` is a workspace or its id (services usually hold `thing.workspace_id`, which
    costs no query). A member of another workspace is refused whatever their role there; so is
    a call without a member (`None`), since only the system's own services act without one."""
    workspace_id = workspace.pk if isinstance(workspace, Workspace) else workspace
    if (
        isinstance(by, Membership)
        and by.pk is not None
        and workspace_id is not None
        and by.workspace_id == workspace_id
        and by.has_role(role)
    ):
        return by
    logger.warning(
        "service refused: member=%s member_workspace=%s role=%s needed=%s workspace=%s",
        getattr(by, "pk", None),
        getattr(by, "workspace_id", None),
        getattr(by, "role", None),
        role,
        workspace_id,
    )
    raise PermissionDenied
