"""Real `ascolto worker` and `ascolto scheduler` processes on a real database (test plan R01, R11).

GIVEN leased units of work queued for a worker
WHEN the worker is killed mid-unit and restarted, and the scheduler's sweeper runs
THEN every unit's effect happens exactly once, and the interrupted unit was simply redone.
"""

from __future__ import annotations

import signal
import subprocess
from datetime import UTC, datetime

CREATE = """
from django.utils import timezone
from ascolto.core.tests.probeapp.models import Probe
from ascolto.core.tests.probeapp.tasks import probe_process_task
start = Probe.objects.count()
for i in range(start, start + {n}):
    probe = Probe.objects.create(key=f"k{{i}}", dispatched_at=timezone.now())
    probe_process_task.enqueue(probe.pk)
result = Probe.objects.count()
"""


def counts(db) -> dict[str, int]:
    return dict(db.query("SELECT state, COUNT(*) FROM probe_probe GROUP BY state"))


def starts(db) -> list[str]:
    if not db.job_log.exists():
        return []
    return [
        line.split()[1] for line in db.job_log.read_text().splitlines() if line.startswith("start ")
    ]


def lease_expiry(db, key: str) -> datetime:
    [(expires,)] = db.query("SELECT lease_expires_at FROM probe_probe WHERE key = %s", (key,))
    if isinstance(expires, str):  # SQLite keeps UTC as text
        return datetime.fromisoformat(expires).replace(tzinfo=UTC)
    return expires


def in_flight(db, *, done: int) -> bool:
    """A unit is past its claim and into its work, after `done` units finished."""
    if counts(db).get("done", 0) < done:
        return False
    running = db.query("SELECT key FROM probe_probe WHERE state = 'running'")
    return len(running) == 1 and running[0][0] in starts(db)


def test_killed_worker_leaves_nothing_undone_and_nothing_done_twice(external_db):
    db = external_db
    assert db.django(CREATE.format(n=30)) == 30
    worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
    try:
        db.wait_for(lambda: in_flight(db, done=6), what="a unit in flight after some were done")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    [(killed_key,)] = db.query("SELECT key FROM probe_probe WHERE state = 'running'")
    stuck = db.query(
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    )[0][0]
    assert stuck == 1  # the queue alone would never finish it

    worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
    try:
        db.wait_for(lambda: counts(db) == {"done": 29, "running": 1}, what="the rest to be done")
        # The scheduler ticks at the moment the killed worker's lease (3 s) expires, instead of
        # the test sleeping until then. The second worker took longer than that over the other
        # 23 units (0.2 s each), so the unit the sweeper hands back is due at once.
        expires = lease_expiry(db, killed_key)
        assert datetime.now(UTC) >= expires
        ticked = db.run("scheduler", "--once", "--now", expires.isoformat())
        assert ticked.returncode == 0, ticked.stderr
        db.wait_for(lambda: counts(db) == {"done": 30}, what="the swept unit", timeout=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)

    assert db.query("SELECT key, done_count, attempts FROM probe_probe WHERE done_count != 1") == []
    assert db.query("SELECT attempts FROM probe_probe WHERE key = %s", (killed_key,)) == [(2,)]
    started = starts(db)
    assert len(started) == 31, " ".join(started)
    assert started.count(killed_key) == 2
    assert worker.returncode == 0


def test_sigterm_lets_the_worker_finish_the_unit_in_hand(external_db):
    db = external_db
    db.env["ASCOLTO_TEST_PROBE_SECONDS"] = "1.5"
    db.django(CREATE.format(n=3))
    worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
    try:
        db.wait_for(lambda: in_flight(db, done=0), what="a unit in flight")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert counts(db) == {"done": 1, "pending": 2}


def test_two_schedulers_at_once_run_each_period_once(external_db):
    db = external_db
    now = "2026-05-04T12:00:30+02:00"
    procs = [
        db.ascolto("scheduler", "--once", "--now", now, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    claimed = sorted(line for out in outputs for line in out.splitlines())
    assert [c.split()[0] for c in claimed] == sorted(
        ["explode", "record-inline", "record-queued", "sweeper"]
    )
    assert db.job_log.read_text().count("record ") == 1  # the inline job ran once
    rows = db.query("SELECT job, COUNT(*) FROM core_scheduledrun GROUP BY job")
    assert sorted(rows) == [
        ("explode", 1),
        ("record-inline", 1),
        ("record-queued", 1),
        ("sweeper", 1),
    ]


SUBMISSIONS = """
from ascolto.bench import survey as bench
from ascolto.feedback.submissions.accept import submission_accept
from ascolto.feedback.submissions.form import invitation_form_by_token
prepared = bench.prepare_survey({n})
data = {{prepared.fields["main"]: "9", prepared.fields["why"]: "Puntuali"}}
for token in prepared.tokens:
    form = invitation_form_by_token(token)
    submission_accept(target=form.target, questions=form.questions, data=data)
result = len(prepared.tokens)
"""


def stored(db) -> int:
    return db.query("SELECT COUNT(*) FROM feedback_response")[0][0]


def test_killed_worker_stores_every_survey_submission_exactly_once(external_db):
    """GIVEN 1,500 answers accepted by the survey page
    WHEN a real worker is killed while storing them, and a second one is started
    THEN every answer is stored as exactly one response with its answers, nothing is pending,
    and every invitation is marked answered at the time its answer was sent."""
    db = external_db
    assert db.django(SUBMISSIONS.format(n=1500)) == 1500
    worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
    try:
        db.wait_for(lambda: stored(db) >= 100, what="the first batches", timeout=90)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert 100 <= stored(db) < 1500  # killed in the middle

    worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
    try:
        db.wait_for(lambda: stored(db) == 1500, what="every submission stored", timeout=120)
        db.wait_for(
            lambda: db.query("SELECT COUNT(*) FROM feedback_submission")[0][0] == 0,
            what="no submission left",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert worker.returncode == 0
    assert db.query("SELECT COUNT(*) FROM feedback_answer WHERE text = 'Puntuali'") == [(1500,)]
    assert db.query(
        "SELECT COUNT(*) FROM feedback_invitation i JOIN feedback_response r "
        "ON r.invitation_id = i.id AND r.submitted_at = i.answered_at"
    ) == [(1500,)]
