"""Hook lists of the voice app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# Reviews with a text arrived (an import, a feed, another tool), in the storing transaction:
# `review_ids` (never empty) are new reviews of the workspace `workspace_id`. Text analysis
# analyses them in one task and tells voice the labels (`review_labels_record`).
review_texts_saved = Hooks("review_texts_saved", ("workspace_id", "review_ids"))

# What a review says about a known customer may have changed, in the changing transaction: its
# match was confirmed or undone (`review.customer` is the customer, or None), or its labels
# were recorded (`review_labels_record`). Text analysis files the review's analysis under the
# customer (so the customer's voice summary and health score count it); cases open a case for a
# negative review of a customer.
review_judged = Hooks("review_judged", ("review",))
