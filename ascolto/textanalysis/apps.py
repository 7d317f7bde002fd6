from django.apps import AppConfig


class TextAnalysisConfig(AppConfig):
    name = "ascolto.textanalysis"
    label = "textanalysis"
    verbose_name = "Text analysis"

    def ready(self) -> None:
        """Connect to the lower apps' hooks and registries (docs/architecture.md)."""
        from ascolto.customers.panels import customer_panels
        from ascolto.feedback import hooks as feedback_hooks
        from ascolto.interactions import hooks as interactions_hooks
        from ascolto.lib.badges import text_badge_providers
        from ascolto.textanalysis import badges, panels, services
        from ascolto.voice import hooks as voice_hooks

        interactions_hooks.interaction_saved.register(services.interaction_text_analyse)
        interactions_hooks.staff_signal_recorded.register(services.staff_signal_text_analyse)
        feedback_hooks.survey_answer_texts_saved.register(services.survey_answer_texts_analyse)
        voice_hooks.review_texts_saved.register(services.review_texts_analyse)
        voice_hooks.review_judged.register(services.review_analysis_customer_set)
        text_badge_providers.register(badges.PROVIDER)
        for panel in panels.PANELS:
            customer_panels.register(panel)
