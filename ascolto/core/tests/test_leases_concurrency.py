"""Four processes claiming from the same table at once never get the same row."""

from __future__ import annotations

import json
import subprocess
import sys

CLAIMER = """
import django, json, os, sys, time
django.setup()
from ascolto.core.leases import lease_claim
from ascolto.core.models import ScheduledRun
owner, folder = sys.argv[1], sys.argv[2]
open(os.path.join(folder, "ready-" + owner), "w").close()
while not os.path.exists(os.path.join(folder, "go")):  # start together
    time.sleep(0.01)
mine = []
while True:
    ids = lease_claim(ScheduledRun.objects.all(), owner=owner, limit=3)
    if not ids:
        break
    mine.extend(ids)
    time.sleep(0.002)  # a little work per claim, so no claimer drains the table alone
print(json.dumps(mine))
"""


def test_concurrent_claimers_take_disjoint_rows_and_all_of_them(external_db):
    db = external_db
    created = db.django(
        """
        from django.utils import timezone
        from ascolto.core.models import ScheduledRun
        now = timezone.now()
        ScheduledRun.objects.bulk_create(
            ScheduledRun(job="probe", period_key=f"p{i}", scheduled_for=now) for i in range(600)
        )
        result = sorted(ScheduledRun.objects.values_list("pk", flat=True))
        """
    )
    procs = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", CLAIMER, f"claimer-{n}", str(db.data_dir)],
            env=db.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    db.wait_for(
        lambda: len(list(db.data_dir.glob("ready-*"))) == 4, what="four claimers", timeout=120
    )
    (db.data_dir / "go").touch()
    claimed: list[list[int]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-3000:]
        claimed.append(json.loads(out.strip().splitlines()[-1]))
    everything = [pk for ids in claimed for pk in ids]
    assert len(everything) == len(set(everything))  # nobody claimed a row twice
    assert sorted(everything) == created
    assert sum(1 for ids in claimed if ids) >= 2  # they really ran side by side
    owners = db.query("SELECT lease_owner, COUNT(*) FROM core_scheduledrun GROUP BY lease_owner")
    assert {owner: n for owner, n in owners} == {
        f"claimer-{i}": len(ids) for i, ids in enumerate(claimed) if ids
    }
