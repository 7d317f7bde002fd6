"""Hook lists of the workspaces app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# A new workspace was created, with its owner (inside `workspace_create`'s transaction).
# Apps install their default catalogues here: customers the lost-customer reasons,
# interactions the touchpoints.
workspace_created = Hooks("workspace_created", ("workspace",))
