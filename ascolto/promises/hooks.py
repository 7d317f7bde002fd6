"""Hook lists of the promises app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# A broken promise sounded its alert: its crisis was opened (or reopened) for `crisis`, in the
# checking transaction. Quiet crises (history loaded without alerts) do not call it. The API
# sends the `promise.broken` webhook.
promise_broken = Hooks("promise_broken", ("crisis",))
