from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "ascolto.interactions"
    label = "interactions"
