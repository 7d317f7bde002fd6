from django.db import models

from ascolto.core.leases import LeasedWork


class Probe(LeasedWork):
    """One unit of work whose effect (`done_count`) must end up exactly 1."""

    lease_seconds = 3
    retry_base_seconds = 1
    redispatch_after_seconds = 600

    key = models.CharField(max_length=20, unique=True)
    done_count = models.PositiveIntegerField(default=0)
