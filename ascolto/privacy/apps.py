from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "ascolto.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from ascolto.customers.panels import customer_panels
        from ascolto.privacy import panels

        for panel in panels.PANELS:
            customer_panels.register(panel)
