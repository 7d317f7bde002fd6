from django.apps import AppConfig


class TextAnalysisConfig(AppConfig):
    name = "ascolto.textanalysis"
    label = "textanalysis"
    verbose_name = "Text analysis"
