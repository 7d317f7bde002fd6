from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ascolto.core"
    label = "core"
