"""The test schedule plus a worker loop whose batch only records that it ran."""

from ascolto.core.jobs import WorkerLoop
from ascolto.core.tests.schedule_for_tests import JOBS as JOBS  # noqa: F401
from ascolto.core.tests.schedule_for_tests import SWEEPERS as SWEEPERS  # noqa: F401

WORKER_LOOPS = [
    WorkerLoop("probe", "threading.Event", batch="ascolto.core.tests.test_hooks.record_batch")
]
