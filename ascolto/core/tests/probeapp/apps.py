from django.apps import AppConfig


class ProbeConfig(AppConfig):
    name = "ascolto.core.tests.probeapp"
    label = "probe"
    default_auto_field = "django.db.models.BigAutoField"
