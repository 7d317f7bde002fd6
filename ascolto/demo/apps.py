from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """`ascolto demo`: a believable Italian business to try Ascolto with. An edge: it may import
    every app, and no app imports it."""

    name = "ascolto.demo"
    label = "demo"
    verbose_name = _("Demo business")
