"""Hook lists of the cases app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# A case was opened, or moved to another status (reopening included), inside the transaction
# that did it: `case` as it is now, `event` the `CaseEvent` just written (kind "opened",
# "status" or "reopened", with `from_status` and `to_status`). The API sends the
# `case.opened` and `case.status_changed` webhooks.
case_changed = Hooks("case_changed", ("case", "event"))

# One of a case's clocks (acknowledge, respond, resolve) ran out, detected once by the clock
# job (`case_clocks_check`), inside the transaction that records the alert: `clock` its name,
# `due_at` when it was due. The API sends the `case.clock_missed` webhook.
case_clock_missed = Hooks("case_clock_missed", ("case", "clock", "due_at"))
