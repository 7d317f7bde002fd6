"""gunicorn's settings for `ascolto serve` (the command line gives the rest)."""

from prometheus_client import multiprocess


def child_exit(server, worker):
    """A web worker that ends leaves its live gauges behind; its counters and histograms stay
    summed in the run's metrics folder."""
    multiprocess.mark_process_dead(worker.pid)
