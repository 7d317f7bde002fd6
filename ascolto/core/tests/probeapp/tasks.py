from __future__ import annotations

import os
import time
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django_tasks import task

from ascolto.core.leases import default_owner, lease_claim_one, lease_complete, lease_sweep
from ascolto.core.tests.probeapp.models import Probe


@task()
def probe_process_task(probe_id: int) -> str:
    owner = default_owner()
    probe = lease_claim_one(Probe, probe_id, owner=owner)
    if probe is None:
        return "skipped"
    with open(os.environ["ASCOLTO_TEST_JOB_LOG"], "a") as log:
        log.write(f"start {probe.key}\n")
    time.sleep(float(os.environ.get("ASCOLTO_TEST_PROBE_SECONDS", "0.2")))
    # The effect and the completion commit together: a crash before this point leaves
    # neither, and a lost lease rolls the effect back.
    with transaction.atomic():
        Probe.objects.filter(pk=probe.pk).update(done_count=F("done_count") + 1)
        if not lease_complete(probe, owner=owner):
            raise RuntimeError("lease lost")
    return "done"


def probes_sweep(*, now: datetime) -> int:
    return lease_sweep(Probe.objects.all(), enqueue=probe_process_task.enqueue, now=now)
