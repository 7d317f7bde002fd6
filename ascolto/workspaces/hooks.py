"""Hook lists of the workspaces app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# A new workspace was created, with its owner (inside `workspace_create`'s transaction).
# Apps install their default catalogues here: customers the lost-customer reasons,
# interactions the touchpoints.
workspace_created = Hooks("workspace_created", ("workspace",))

# Who belongs to a workspace changed, inside the service's transaction: an invitation was
# created, sent again or withdrawn, a member joined, changed role or was removed. `action` is one
# of MEMBER_ACTIONS, `by` the acting membership (None when the invited person joins), `target`
# the invitation or the membership, `detail` a short plain text without addresses (a role, or
# "agent → manager"). The audit log records them.
MEMBER_ACTIONS = (
    "member.invited",
    "member.invitation_resent",
    "member.invitation_revoked",
    "member.joined",
    "member.role_changed",
    "member.removed",
)
member_changed = Hooks("member_changed", ("action", "workspace", "by", "target", "detail"))

# A request asked by id for a row that exists in another workspace and got a 404
# (`tenancy.get_for_workspace`); `model` is the model class, `pk` the id asked for. The audit
# log records it.
access_refused = Hooks("access_refused", ("request", "model", "pk"))

# A person's two-step sign-in changed: an authenticator was turned on or off, a recovery code
# was used, or new recovery codes were made. `action` is one of TWO_FACTOR_ACTIONS, `user` the
# account (two-step sign-in belongs to the person, not to a workspace). Called inside the
# change's transaction; the audit log records them.
TWO_FACTOR_ACTIONS = (
    "two_factor.enabled",
    "two_factor.disabled",
    "two_factor.recovery_used",
    "two_factor.recovery_renewed",
)
two_factor_changed = Hooks("two_factor_changed", ("action", "user"))
