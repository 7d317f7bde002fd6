"""Hook lists of the health app, filled by higher apps in their `AppConfig.ready()`.

See `ascolto/lib/hooks.py` and docs/architecture.md.
"""

from __future__ import annotations

from ascolto.lib.hooks import Hooks

# A customer's health fell to a worse level than their previous score (healthy → watch →
# at risk → critical), recorded once per customer and day by `health_alerts_raise`, inside the
# transaction that stores the `HealthAlert`: `score` the day's `HealthScore`, `from_level` the
# level before. The API sends the `health.level_dropped` webhook.
health_level_dropped = Hooks("health_level_dropped", ("score", "from_level"))
