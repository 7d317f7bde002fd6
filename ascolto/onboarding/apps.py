from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "ascolto.onboarding"
    label = "onboarding"
    verbose_name = _("Getting started")

    def ready(self) -> None:
        from ascolto.core import hooks as core_hooks
        from ascolto.onboarding import views

        core_hooks.home_page.register(views.home_page)
