"""Hook lists of the customers app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# A customer was recorded as lost (`record`, with its reason), in the recording transaction.
# The API sends the `customer.lost` webhook.
customer_lost = Hooks("customer_lost", ("record",))
