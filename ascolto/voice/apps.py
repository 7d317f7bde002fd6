from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "ascolto.voice"
    label = "voice"
    verbose_name = "Public voice"

    def ready(self) -> None:
        """Connect to the lower apps' registries (docs/architecture.md): matched reviews on
        the customer's timeline; a new workspace's reply templates."""
        from ascolto.interactions.timeline import TimelineSource, timeline_sources
        from ascolto.voice.drafts import reply_templates_install_defaults
        from ascolto.voice.selectors import review_list_for_customer
        from ascolto.workspaces import hooks as workspaces_hooks

        workspaces_hooks.workspace_created.register(reply_templates_install_defaults)

        timeline_sources.register(
            TimelineSource(
                kind="review",
                rank=7,
                template="voice/_timeline_review.html",
                rows=review_list_for_customer,
                at_field="published_at",
            )
        )
