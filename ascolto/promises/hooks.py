"""Hook lists of the promises app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# Broken-promise crises were opened or opened again (`crisis_open`, `crisis_reopen`, and the
# quiet ones a recheck of history opens in bulk), inside the opening transaction: `crises` is a
# non-empty list of `Crisis` rows. Cases: each becomes a case "promessa non mantenuta".
crises_opened = Hooks("crises_opened", ("crises",))

# Crises were closed, in the closing transaction: handled by a member (`crisis_close`, `by`
# that member, `withdrawn` False) or withdrawn because their check is kept after all (`by` the
# member who corrected it, or None for an automatic recheck; `withdrawn` True). Cases: the
# case of a handled crisis is resolved, that of a withdrawn one closed as withdrawn.
crises_closed = Hooks("crises_closed", ("crisis_ids", "by", "withdrawn"))

# A broken promise sounded its alert: its crisis was opened (or reopened) for `crisis`, in the
# checking transaction. Quiet crises (history loaded without alerts) do not call it. The API
# sends the `promise.broken` webhook.
promise_broken = Hooks("promise_broken", ("crisis",))
