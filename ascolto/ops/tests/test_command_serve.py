"""`ascolto serve` runs the web server, a worker and a scheduler, and stops them all."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_serve_answers_health_and_stops_every_child_on_sigterm(external_db):
    db = external_db
    port = free_port()
    serve = db.ascolto(
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "2",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as r:  # noqa: S310
                    status = r.status
                    body = r.read()
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200, "no answer from /health/"
        assert b'"ok"' in body
        db.wait_for(lambda: len(children(serve.pid)) == 3, what="web, worker and scheduler")
        # The scheduler ticked: its sweeper run is recorded.
        db.wait_for(
            lambda: (
                db.query("SELECT COUNT(*) FROM core_scheduledrun WHERE job = 'sweeper'")[0][0] == 1
            ),
            what="a scheduler tick",
        )
        kids = children(serve.pid)
        started = time.monotonic()
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=15)
        assert time.monotonic() - started < 10
        assert serve.returncode == 0
        assert [pid for pid in kids if alive(pid)] == []
    finally:
        if serve.poll() is None:
            serve.kill()


def test_metrics_add_up_every_web_worker_of_the_run(external_db):
    """Two gunicorn workers answer the requests; whichever answers the scrape counts them all."""
    db = external_db
    db.env["ASCOLTO_METRICS_TOKEN"] = "t" * 32
    port = free_port()
    serve = db.ascolto(
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "1",
        "--web-only",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/ready/", timeout=5) as r:  # noqa: S310
                    assert r.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "no answer from /ready/"
                time.sleep(0.2)
        db.wait_for(lambda: len(children(children(serve.pid)[0])) == 2, what="two web workers")
        for _ in range(20):
            with urllib.request.urlopen(f"{base}/health/", timeout=5) as r:  # noqa: S310
                assert r.status in (200, 503)
        request = urllib.request.Request(  # noqa: S310
            f"{base}/metrics", headers={"Authorization": "Bearer " + "t" * 32}
        )
        with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310
            text = r.read().decode()
        counts = [
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("ascolto_http_request_duration_seconds_count{")
            and 'route="core:health"' in line
        ]
        assert sum(counts) == 20
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=20)
        finally:
            if serve.poll() is None:
                serve.kill()
    assert not (db.data_dir / "metrics" / str(serve.pid)).exists()
