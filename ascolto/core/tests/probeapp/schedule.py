from ascolto.core.tests.schedule_for_tests import JOBS as JOBS  # noqa: F401
from ascolto.schedule import WORKER_LOOPS as WORKER_LOOPS  # noqa: F401

SWEEPERS = [
    "ascolto.core.sweep.scheduled_runs_sweep",
    "ascolto.core.tests.probeapp.tasks.probes_sweep",
]
