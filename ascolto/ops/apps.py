from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The commands that start Ascolto's processes (`serve`, `worker`, `scheduler`) and run a
    job by hand (`run-job`). They read `ascolto/schedule.py`, which names every app's jobs, so
    they sit at the edge of the layers (docs/architecture.md)."""

    name = "ascolto.ops"
    label = "ops"
