from ascolto.core.tests.schedule_for_tests import JOBS as JOBS  # noqa: F401

SWEEPERS = [
    "ascolto.core.sweep.scheduled_runs_sweep",
    "ascolto.core.tests.probeapp.tasks.probes_sweep",
]
