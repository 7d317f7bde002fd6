"""Hook lists of the core app, filled by the apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# Checks of the background work for `/health/` (`core.selectors.background_problems`), beside
# the scheduler's and the task queue's own: each function returns a list of translated reasons
# the work looks stuck (empty when healthy). `now` is the time of the check and `limit` the
# moment before which waiting work counts as stale (`now - HEALTH_STALE_MINUTES`). Feedback:
# a survey answer waiting to be filed.
background_checks = Hooks("background_checks", ("now", "limit"))

# The home page (`/`): each function gets the request and returns a response to show instead
# of the default (the customer list for a member, the login page for a visitor), or None.
# Onboarding: the first-run page of a fresh install, "start your business" for an account
# without a workspace, the checklist of the first steps.
home_page = Hooks("home_page", ("request",))
