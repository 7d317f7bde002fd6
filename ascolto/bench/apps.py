from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`ascolto bench`: the measurements whose figures are in docs/benchmarks.md. An edge: it
    may import every app, and no app imports it."""

    name = "ascolto.bench"
    label = "bench"
    verbose_name = "Benchmarks"
