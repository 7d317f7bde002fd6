from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromisesConfig(AppConfig):
    name = "ascolto.promises"
    label = "promises"
    verbose_name = _("Promises")

    def ready(self) -> None:
        """Connect to the lower apps' hooks and registries (docs/architecture.md)."""
        from ascolto.customers import hooks as customers_hooks
        from ascolto.customers.panels import customer_panels
        from ascolto.feedback import hooks as feedback_hooks
        from ascolto.interactions import hooks as interactions_hooks
        from ascolto.lib.badges import text_badge_providers
        from ascolto.promises import badges, panels, selectors, services

        customers_hooks.customer_activating.register(services.customer_activating_fit_check)
        interactions_hooks.interaction_saved.register(services.promise_checks_for_interaction)
        interactions_hooks.interaction_measures.register(selectors.promise_measure_names)
        interactions_hooks.interaction_moments.register(selectors.promise_moments_by_touchpoint)
        feedback_hooks.invitation_cautions.register(selectors.invitation_cautions_open_crisis)
        feedback_hooks.cadence_quiet_customers.register(selectors.customer_ids_after_broken_promise)
        text_badge_providers.register(badges.PROVIDER)
        for panel in panels.PANELS:
            customer_panels.register(panel)
