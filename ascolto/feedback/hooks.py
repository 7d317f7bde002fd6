"""Hook lists of the feedback app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# Survey answers with a text (comments) were stored, in the storing transaction: `answer_ids`
# (never empty) are the ids of answers of one workspace, `workspace_id`. A busy survey page
# stores many responses in one batch, so this is called once per batch and workspace, not per
# answer. Text analysis queues one task to analyse them all.
survey_answer_texts_saved = Hooks("survey_answer_texts_saved", ("workspace_id", "answer_ids"))

# Reasons not to send a relationship survey now: each function returns the ids of customers of
# `workspace` who must wait at `now`, as a one-column queryset (`.values("customer_id")`) that
# the cadence uses as a subquery to leave them out. Promises: right after a broken promise.
cadence_quiet_customers = Hooks("cadence_quiet_customers", ("workspace", "now"))

# Reasons to think twice before a member invites `customer` to a survey: each function returns
# a list of sentences (empty when none). The invitation is held until the member confirms.
# Promises: an open broken-promise crisis (the customer is owed a call first).
invitation_cautions = Hooks("invitation_cautions", ("customer",))
# A response was stored (`response`: the survey page's filed submissions, open links, members'
# entries; not imported history), in the storing transaction, after the detractor alert. The
# API sends the `response.received` and `response.detractor` webhooks.
response_stored = Hooks("response_stored", ("response",))
