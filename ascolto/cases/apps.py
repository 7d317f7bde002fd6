from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ascolto.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        """Connect to the lower apps' hooks and registries (docs/architecture.md)."""
        from ascolto.cases import panels, selectors, services
        from ascolto.cases.services import loop, losses, moments, reviews
        from ascolto.customers import hooks as customers_hooks
        from ascolto.customers.panels import customer_panels
        from ascolto.feedback import hooks as feedback_hooks
        from ascolto.interactions import hooks as interactions_hooks
        from ascolto.interactions.timeline import TimelineSource, timeline_sources
        from ascolto.promises import hooks as promises_hooks
        from ascolto.voice import hooks as voice_hooks
        from ascolto.workspaces import hooks as workspaces_hooks

        workspaces_hooks.workspace_created.register(services.case_defaults_install)
        interactions_hooks.interaction_saved.register(moments.case_for_complaint)
        feedback_hooks.detractor_answered.register(moments.case_for_detractor)
        feedback_hooks.response_stored.register(loop.case_follow_up_answered)
        customers_hooks.customer_lost.register(losses.loss_causes_link)
        feedback_hooks.cadence_quiet_customers.register(selectors.customer_ids_with_open_case)
        promises_hooks.crises_opened.register(moments.cases_for_crises)
        promises_hooks.crises_closed.register(moments.cases_for_closed_crises)
        voice_hooks.review_judged.register(reviews.case_open_for_review)
        for panel in panels.PANELS:
            customer_panels.register(panel)
        timeline_sources.register(
            TimelineSource(
                kind="case",
                rank=4,
                template="cases/_timeline_case.html",
                rows=selectors.case_event_list_for_customer,
                at_field="at",
            )
        )
