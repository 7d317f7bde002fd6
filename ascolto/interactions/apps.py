from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "ascolto.interactions"
    label = "interactions"

    def ready(self) -> None:
        """Register the timeline's own sources, and connect to the lower apps' hooks and
        registries (docs/architecture.md)."""
        from ascolto.customers.panels import customer_panels
        from ascolto.customers.selectors import lost_record_list_for_customer
        from ascolto.interactions import panels
        from ascolto.interactions.selectors import (
            interaction_list_for_customer,
            staff_signal_list_for_customer,
        )
        from ascolto.interactions.services import touchpoints_install_defaults
        from ascolto.interactions.timeline import TimelineSource, timeline_sources
        from ascolto.workspaces import hooks as workspaces_hooks

        workspaces_hooks.workspace_created.register(touchpoints_install_defaults)
        for source in (
            TimelineSource(
                kind="interaction",
                rank=2,
                template="interactions/_timeline_interaction.html",
                rows=interaction_list_for_customer,
                at_field="occurred_at",
            ),
            TimelineSource(
                kind="signal",
                rank=1,
                template="interactions/_timeline_signal.html",
                rows=staff_signal_list_for_customer,
                at_field="created_at",
            ),
            TimelineSource(
                kind="lost",
                rank=0,
                template="interactions/_timeline_lost.html",
                rows=lost_record_list_for_customer,
                day_field="lost_on",
            ),
        ):
            timeline_sources.register(source)
        for panel in panels.PANELS:
            customer_panels.register(panel)
