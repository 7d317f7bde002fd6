from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "ascolto.api"
    label = "api"
    verbose_name = _("Connections (API)")

    def ready(self) -> None:
        """Webhooks hear the lower apps' events through their hook lists."""
        from ascolto.api import events
        from ascolto.cases import hooks as cases_hooks
        from ascolto.customers import hooks as customers_hooks
        from ascolto.feedback import hooks as feedback_hooks
        from ascolto.health import hooks as health_hooks
        from ascolto.promises import hooks as promises_hooks

        feedback_hooks.response_stored.register(events.response_stored)
        promises_hooks.promise_broken.register(events.promise_broken)
        customers_hooks.customer_lost.register(events.customer_lost)
        cases_hooks.case_changed.register(events.case_changed)
        cases_hooks.case_clock_missed.register(events.case_clock_missed)
        health_hooks.health_level_dropped.register(events.health_level_dropped)
