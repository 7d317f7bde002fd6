"""Hook lists of the interactions app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md. The timeline's sources are a registry of
their own, in `ascolto/interactions/timeline.py`.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# An interaction was recorded or changed (`interaction_record`, `interaction_update`), inside
# their transaction, after it was saved. Text analysis asks for its text to be analysed;
# promises check it against every promise of its touchpoint (a broken one sounds its alert
# within the request).
interaction_saved = Hooks("interaction_saved", ("interaction",))

# A staff signal was recorded (`staff_signal_record`), inside its transaction: text analysis
# asks for its text to be analysed.
staff_signal_recorded = Hooks("staff_signal_recorded", ("signal",))

# The measured values an interaction can carry, beside its times ("defects"): each function
# returns {measure name: [labels of what reads it]} for `workspace`; the interaction form shows
# one optional number per name. Promises return the measures their threshold promises read.
interaction_measures = Hooks("interaction_measures", ("workspace",))

# The times an interaction of each touchpoint must carry to be measured: each function returns
# {touchpoint id: [(label of what reads them, (time field, ...)), ...]} for `workspace`. The
# interaction form shows, for the chosen touchpoint, which times each promise reads and asks
# for the missing ones before saving. Promises return their duration and punctuality promises.
interaction_moments = Hooks("interaction_moments", ("workspace",))
