"""Real `ascolto worker` processes killed with SIGKILL in the middle of an import and in the
middle of a webhook delivery (the model: core/tests/test_worker_processes.py).

GIVEN a spreadsheet import queued, or webhook events queued for a slow receiver
WHEN the worker is killed mid-chunk or mid-request, the sweeper runs at the moment the lease
runs out, and a new worker starts
THEN every row is imported once and counted once (the killed chunk rolled back and was redone),
and every event reaches the receiver, each delivery done once (only the one in flight when the
worker died arrives again, with the same event id, which is what the id is for).
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ascolto.core.tests.conftest import external_db  # noqa: F401 (the fixture)

ROWS = 2_400

QUEUE_IMPORT = """
import secrets
from django.contrib.auth.models import User
from ascolto.api.services import imports
from ascolto.workspaces.services import workspace_create

user = User.objects.create_user("titolare@example.it", "titolare@example.it", "una-password-lunga")
workspace = workspace_create(name="Ferramenta Bassi", owner=user)
owner = workspace.memberships.get(role="owner")
lines = ["Codice cliente;Nome;E-mail"] + [
    f"C{{i:05d}};Cliente {{i}};c{{i}}@example.it" for i in range({rows})
]
token = secrets.token_urlsafe(16)
path = imports.import_folder() / f"{{token}}.upload"
path.write_bytes("\\n".join(lines).encode("utf-8"))
sheet = imports.sheet_read(path.read_bytes(), "clienti.csv")
mapping = imports.mapping_guess(workspace=workspace, kind="customers", headers=sheet.headers)
run = imports.import_run_create(
    workspace=workspace, by=owner, kind="customers", token=token, filename="clienti.csv",
    mapping=mapping,
)
result = run.pk
"""

SWEEP = """
from {module} import {function}
result = {function}()
"""


def _lease_runs_out(db, table: str, pk) -> None:
    """The dead worker's lease is over (instead of the test waiting minutes for it): the
    sweeper, run now, finds the row as it finds any row whose worker died."""
    db.query(
        f"UPDATE {table} SET lease_expires_at = %s WHERE id = %s",  # noqa: S608 (test)
        ("2000-01-01 00:00:00+00:00" if db.url else "2000-01-01 00:00:00", pk),
    )


def _run(db, pk):
    [row] = db.query(
        "SELECT state, processed, created, updated, error_count, attempts, lease_expires_at "
        "FROM api_importrun WHERE id = %s",
        (pk,),
    )
    return dict(
        zip(
            ("state", "processed", "created", "updated", "errors", "attempts", "expires"),
            row,
            strict=True,
        )
    )


def _customers(db) -> int:
    return db.query("SELECT COUNT(*) FROM customers_customer")[0][0]


def test_an_import_killed_mid_chunk_ends_with_each_row_once(external_db):  # noqa: F811
    db = external_db
    pk = db.django(QUEUE_IMPORT.format(rows=ROWS))
    worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
    try:
        # Past the first chunk and well before the end: the worker is inside a chunk (its rows
        # are written in a transaction no other connection sees until the chunk commits).
        db.wait_for(
            lambda: 200 <= _run(db, pk)["processed"] < ROWS - 600,
            what="the import half-way",
            timeout=240,
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = _run(db, pk)
    assert killed["state"] == "running"
    # The chunk in flight rolled back with the worker: what is counted is what is there.
    assert _customers(db) == killed["processed"] == killed["created"]

    _lease_runs_out(db, "api_importrun", pk)
    swept = db.django(
        SWEEP.format(module="ascolto.api.services.imports", function="import_runs_sweep")
    )
    assert swept >= 1
    worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
    try:
        db.wait_for(lambda: _run(db, pk)["state"] == "done", what="the import", timeout=300)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
    done = _run(db, pk)
    assert (done["processed"], done["created"], done["updated"], done["errors"]) == (
        ROWS,
        ROWS,
        0,
        0,
    )
    assert done["attempts"] == 2
    assert _customers(db) == ROWS
    assert db.query("SELECT COUNT(DISTINCT email) FROM customers_customer")[0][0] == ROWS


class _SlowReceiver(BaseHTTPRequestHandler):
    received: list[str] = []
    seconds = 1.5

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append(self.headers["Ascolto-Event-Id"])
        time.sleep(self.seconds)
        try:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:
            pass  # the sender died meanwhile

    def log_message(self, *args):
        pass


QUEUE_EVENTS = """
from django.contrib.auth.models import User
from django.db import transaction
from ascolto.api.services.webhooks import webhook_event_emit, webhook_subscription_create
from ascolto.workspaces.services import workspace_create

user = User.objects.create_user("titolare@example.it", "titolare@example.it", "una-password-lunga")
workspace = workspace_create(name="Ferramenta Bassi", owner=user)
owner = workspace.memberships.get(role="owner")
webhook_subscription_create(
    workspace=workspace, by=owner, url="{url}", events=["customer.lost"], allow_private=True
)
for i in range({n}):
    with transaction.atomic():
        webhook_event_emit(workspace_id=workspace.pk, event="customer.lost", data={{"n": i}})
result = {n}
"""


def _deliveries(db) -> list[tuple]:
    return db.query(
        "SELECT event_id, state, attempts, lease_expires_at, id FROM api_webhookdelivery "
        "ORDER BY id"
    )


def test_a_webhook_delivery_killed_mid_request_is_sent_again_and_none_is_lost(
    external_db,  # noqa: F811
):
    db = external_db
    _SlowReceiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowReceiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        assert db.django(QUEUE_EVENTS.format(url=url, n=4)) == 4
        worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
        try:
            # One delivered, the next one in the receiver's hands.
            db.wait_for(
                lambda: len(_SlowReceiver.received) == 2,
                what="a delivery in flight",
                timeout=120,
            )
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        rows = _deliveries(db)
        running = [r for r in rows if r[1] == "running"]
        assert len(running) == 1 and str(running[0][0]).replace("-", "") in [
            e.replace("-", "") for e in _SlowReceiver.received
        ]
        _lease_runs_out(db, "api_webhookdelivery", running[0][4])
        swept = db.django(
            SWEEP.format(
                module="ascolto.api.services.webhooks", function="webhook_deliveries_sweep"
            )
        )
        assert swept >= 1
        worker = db.ascolto("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
        try:
            db.wait_for(
                lambda: all(r[1] == "done" for r in _deliveries(db)),
                what="every delivery done",
                timeout=120,
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=15)
    finally:
        server.shutdown()
        server.server_close()
    rows = _deliveries(db)
    ids = [str(r[0]).replace("-", "") for r in rows]
    received = [e.replace("-", "") for e in _SlowReceiver.received]
    assert sorted(set(received)) == sorted(ids)  # nothing lost
    killed = str(running[0][0]).replace("-", "")
    assert received.count(killed) == 2  # the one in flight came again, same id
    assert all(received.count(i) == 1 for i in ids if i != killed)  # the others once
    assert [r[2] for r in rows if str(r[0]).replace("-", "") == killed] == [2]
