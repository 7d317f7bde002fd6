from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "ascolto.health"
    label = "health"
    verbose_name = _("Customer health")

    def ready(self) -> None:
        from ascolto.customers.panels import customer_panels
        from ascolto.health import panels, services
        from ascolto.interactions import hooks as interactions_hooks
        from ascolto.voice import hooks as voice_hooks

        interactions_hooks.interaction_saved.register(services.interaction_health_refresh)
        interactions_hooks.staff_signal_recorded.register(services.staff_signal_health_refresh)
        voice_hooks.review_judged.register(services.review_health_refresh)
        for panel in panels.PANELS:
            customer_panels.register(panel)
        from ascolto.customers.columns import customer_columns
        from ascolto.health.columns import COLUMN

        customer_columns.register(COLUMN)
