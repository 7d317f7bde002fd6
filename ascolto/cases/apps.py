from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ascolto.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        """Connect to the lower apps' hooks and registries (docs/architecture.md)."""
        from ascolto.cases import selectors, services
        from ascolto.cases.services import reviews
        from ascolto.interactions.timeline import TimelineSource, timeline_sources
        from ascolto.voice import hooks as voice_hooks
        from ascolto.workspaces import hooks as workspaces_hooks

        workspaces_hooks.workspace_created.register(services.case_defaults_install)
        voice_hooks.review_judged.register(reviews.case_open_for_review)
        timeline_sources.register(
            TimelineSource(
                kind="case",
                rank=4,
                template="cases/_timeline_case.html",
                rows=selectors.case_event_list_for_customer,
                at_field="at",
            )
        )
