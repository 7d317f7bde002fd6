"""Hook lists of the customers app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# A prospect is about to become a customer (`customer_activate`, whatever page or path asked
# for it), inside its transaction, with the customer row locked. A function may refuse by
# raising `customers.services.StatusChangeRefused`, or record what the decision rests on and
# return it. Promises run the fit check here: a misfit needs a manager and a reason, and the
# reason is kept for the "taken despite a misfit" report.
customer_activating = Hooks("customer_activating", ("customer", "by", "reason"))
# A customer was recorded as lost (`record`, with its reason), in the recording transaction.
# The API sends the `customer.lost` webhook.
customer_lost = Hooks("customer_lost", ("record",))
