from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "ascolto.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        """Connect to the lower apps' hooks and registries (docs/architecture.md)."""
        from ascolto.core import hooks as core_hooks
        from ascolto.customers.panels import customer_panels
        from ascolto.feedback import panels
        from ascolto.feedback.selectors import (
            response_list_for_customer,
            submissions_waiting_problems,
        )
        from ascolto.interactions.timeline import TimelineSource, timeline_sources

        core_hooks.background_checks.register(submissions_waiting_problems)
        timeline_sources.register(
            TimelineSource(
                kind="response",
                rank=3,
                template="feedback/_timeline_response.html",
                rows=response_list_for_customer,
                at_field="submitted_at",
            )
        )
        for panel in panels.PANELS:
            customer_panels.register(panel)
        from ascolto.customers.columns import customer_columns
        from ascolto.feedback.columns import COLUMN

        customer_columns.register(COLUMN)
