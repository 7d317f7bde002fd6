"""`ascolto bench soak [--minutes 10]`: the whole deployment, under load, with faults.

Starts and stops everything itself, on 127.0.0.1 only, in a fresh database and data folder:

- the database: with a PostgreSQL `DATABASE_URL`, a new database on that server reached only
  through a PgBouncer this command starts in transaction mode (`ASCOLTO_DB_POOLER=1`); otherwise
  a new SQLite file;
- two `ascolto serve --no-worker` (gunicorn, two workers each, plus the scheduler each one starts:
  two schedulers tick side by side), three `ascolto worker`, and an SMTP sink (aiosmtpd);

then, for `--minutes`, drives: a survey wave (`--rate` answers a second, one in six a detractor,
whose alert is emailed), staff logging interactions and notes and emailing survey invitations,
the dashboard, the comments page and the survey results being read, and the nightly jobs forced
(`ascolto run-job`) in the middle of it. Every `--kill-every` seconds one worker is killed with
SIGKILL and started again (two of the three in turn; the third lives through the run so its
memory can be followed), and the SMTP sink refuses every message (451) for `--refuse-minutes`.

After the load it waits for the background work to settle (bounded), stops everything, and checks
and prints the invariants; it exits non-zero when one fails. See docs/benchmarks.md.

The outer command prepares the database and PgBouncer, then runs this module's `inner` in a
child process whose settings point at them (`ascolto bench soak --inner`).
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.core.management.base import CommandError

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
SESSION_COOKIE = "sessionid"
CSRF = "soak" + "0" * 28  # a 32-character CSRF secret, sent as cookie and header
NIGHTLY_JOBS = (
    "health-scores",
    "privacy-retention",
    "housekeeping",
    "dashboards-monthly-report",
    "health-digests",
    "cadence",
    "survey-reminders",
)
STATIC_STAMP = ".collected"  # written by `ascolto serve` beside the static files it collected
MEMORY_LIMIT = 0.10  # growth allowed from the end of the warm-up to the end of the load


def add_soak_parser(sub) -> None:
    parser = sub.add_parser("soak", help="Everything at once under load, with workers killed.")
    parser.add_argument("--minutes", type=float, default=10.0, help="Minutes of load.")
    parser.add_argument("--rate", type=float, default=30.0, help="Survey answers per second.")
    parser.add_argument(
        "--kill-every", type=float, default=60.0, help="Seconds between worker kills."
    )
    parser.add_argument(
        "--refuse-minutes",
        type=float,
        default=2.0,
        help="Minutes the SMTP server refuses mail (at most 45%% of the run).",
    )
    parser.add_argument(
        "--settle-minutes",
        type=float,
        default=8.0,
        help="At most this long, after the load, for the background work to settle.",
    )
    parser.add_argument("--web-workers", type=int, default=2, help="Gunicorn workers per web.")
    parser.add_argument("--keep", action="store_true", help="Keep the database and the logs.")
    parser.add_argument("--inner", action="store_true", help=textwrap.dedent("(internal)"))
    parser.add_argument("--folder", default=None, help="(internal)")


def handle_soak(command, options) -> None:
    if options["inner"]:
        code = inner(options)
        if code:
            raise SystemExit(code)
        return
    raise SystemExit(outer(command, options))


# --- The outer process: database, PgBouncer, folder ---------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise CommandError(
                    f"{what} stopped: {process.stdout.read().decode()[-2000:]}"
                ) from None
            if time.monotonic() > deadline:
                raise CommandError(f"{what} did not start.") from None
            time.sleep(0.05)


def pgbouncer_start(base_url: str, folder: Path, *, pool_size: int = 20):
    """A PgBouncer in transaction mode on a free loopback port, in front of `base_url`'s server.
    Returns (process, port)."""
    if not Path(PGBOUNCER).exists():
        raise CommandError("pgbouncer is not installed (Debian's pgbouncer package).")
    parts = urlsplit(base_url)
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users.txt").write_text(f'"{parts.username or "postgres"}" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        textwrap.dedent(
            f"""\
            [databases]
            * = host={parts.hostname or "127.0.0.1"} port={parts.port or 5432}
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            auth_type = trust
            auth_file = {folder / "users.txt"}
            pool_mode = transaction
            default_pool_size = {pool_size}
            max_client_conn = 500
            unix_socket_dir =
            pidfile =
            """
        )
    )
    argv = [PGBOUNCER, str(ini)]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        folder.chmod(0o755)
        argv[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    _wait_port(port, process, "PgBouncer")
    return process, port


def outer(command, options) -> int:
    from django.conf import settings
    from django.db import connection

    folder = Path(tempfile.mkdtemp(prefix="ascolto-soak-"))
    folder.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(
        ASCOLTO_DATA_DIR=str(folder / "data"),
        ASCOLTO_HTTPS="0",
        ASCOLTO_EMAIL_FROM="Ascolto <soak@ascolto.test>",
        DJANGO_SETTINGS_MODULE="ascolto.settings",
    )
    bouncer = None
    admin = None
    name = ""
    database = "SQLite"
    try:
        if connection.vendor == "postgresql":
            import psycopg

            base = os.environ["DATABASE_URL"]
            parts = urlsplit(base)
            name = f"ascolto_soak_{secrets.token_hex(4)}"
            admin = psycopg.connect(base, autocommit=True)
            admin.execute(f'CREATE DATABASE "{name}"')
            bouncer, port = pgbouncer_start(base, folder / "pgbouncer")
            env.update(
                DATABASE_URL=f"postgres://{parts.username or 'postgres'}@127.0.0.1:{port}/{name}",
                ASCOLTO_DB_POOLER="1",
            )
            database = "PostgreSQL behind PgBouncer (transaction mode)"
        else:
            env.pop("DATABASE_URL", None)
        # Static files collected before by this installation, if they are still the same (the
        # fingerprint of `serve`'s collect_static says so), spare the first web process minutes.
        collected = Path(settings.STATIC_ROOT)
        if (collected / STATIC_STAMP).exists():
            shutil.copytree(collected, folder / "data" / "static", symlinks=True)
        command.stdout.write(f"Soak: {database}; folder {folder}")
        migrate = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "ascolto", "migrate", "--no-input", "-v0"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if migrate.returncode:
            command.stderr.write(migrate.stderr[-3000:])
            return 2
        argv = [sys.executable, "-m", "ascolto", "bench", "soak", "--inner"]
        argv += ["--folder", str(folder), "--minutes", str(options["minutes"])]
        argv += ["--rate", str(options["rate"]), "--kill-every", str(options["kill_every"])]
        argv += ["--refuse-minutes", str(options["refuse_minutes"])]
        argv += ["--settle-minutes", str(options["settle_minutes"])]
        argv += ["--web-workers", str(options["web_workers"])]
        env["ASCOLTO_SOAK_DATABASE"] = database
        return subprocess.run(argv, env=env, check=False).returncode  # noqa: S603
    finally:
        if bouncer is not None:
            bouncer.terminate()
            bouncer.wait(timeout=10)
        if admin is not None:
            if not options["keep"]:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        if options["keep"]:
            command.stdout.write(f"Kept: {folder}" + (f", database {name}" if name else ""))
        else:
            shutil.rmtree(folder, ignore_errors=True)


# --- Processes and their memory -----------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children[ppid].append(int(entry))
    return children


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict
    log: Path
    process: subprocess.Popen | None = None
    incarnation: int = 0
    memory: dict[str, list[int]] = field(default_factory=dict)  # part -> [rss samples]

    def start(self) -> None:
        self.incarnation += 1
        handle = open(self.log, "ab")  # noqa: SIM115 (kept open by the child)
        self.process = subprocess.Popen(  # noqa: S603
            self.argv, env=self.env, stdout=handle, stderr=handle, start_new_session=True
        )
        handle.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def parts(self, children: dict[int, list[int]]) -> dict[str, int]:
        """RSS of this process, by part: for `serve`, its web server (gunicorn's master and
        workers) and the scheduler it started; for a worker, the worker."""
        if self.process is None or self.process.poll() is not None:
            return {}
        if not self.name.startswith("web"):
            return {self.name: _rss(self.pid)}
        out = {f"{self.name} serve": _rss(self.pid)}
        for child in children.get(self.pid, []):
            line = _cmdline(child)
            if "scheduler" in line:
                out[f"{self.name} scheduler"] = _rss(child)
            elif "gunicorn" in line:
                total = _rss(child) + sum(_rss(c) for c in children.get(child, []))
                out[f"{self.name} gunicorn ({1 + len(children.get(child, []))} processes)"] = total
        return out

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- SMTP sink ----------------------------------------------------------------------------------


class MailSink:
    """An aiosmtpd server that counts every message by Message-ID, and refuses them all (451,
    try again later) while `refusing` is set."""

    def __init__(self) -> None:
        self.received: Counter = Counter()
        self.refused = 0
        self.refusing = threading.Event()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        import email

        if self.refusing.is_set():
            with self.lock:
                self.refused += 1
            return "451 4.3.0 Soak: mail refused for a while, try again later"
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.received[(message["Message-ID"] or "").strip()] += 1
        return "250 Message accepted for delivery"

    def start(self) -> None:
        try:
            from aiosmtpd.controller import Controller
        except ImportError as exc:  # the test extra
            raise CommandError("The soak needs aiosmtpd: pip install -e '.[test]'.") from exc
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()


# --- Load ---------------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.errors: Counter = Counter()
        self.error_kinds: Counter = Counter()
        self.survey_accepted: list[str] = []

    def add(self, page: str, status: int | None, seconds: float, kind: str = "") -> None:
        with self.lock:
            if status is None:
                self.errors[page] += 1
                self.error_kinds[f"{kind} after {seconds:.0f} s"] += 1
                return
            self.statuses[page][status] += 1
            self.latencies[page].append(seconds)


class Client:
    """One keep-alive HTTP connection to one web process, with a staff session or none."""

    def __init__(self, port: int, recorder: Recorder, session: str | None = None) -> None:
        self.port = port
        self.recorder = recorder
        self.conn: http.client.HTTPConnection | None = None
        self.used = 0.0
        self.headers = {"Connection": "keep-alive"}
        if session:
            self.headers["Cookie"] = f"{SESSION_COOKIE}={session}; csrftoken={CSRF}"
            self.headers["X-CSRFToken"] = CSRF

    def request(self, page: str, method: str, path: str, data: dict | None = None) -> int | None:
        headers = dict(self.headers)
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # gunicorn closes a keep-alive connection after 2 idle seconds: one idle for longer is
        # replaced before the request instead of failing it (a browser would retry it).
        if self.conn is not None and time.monotonic() - self.used > 1.5:
            self.conn.close()
            self.conn = None
        begin = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            self.recorder.add(page, None, time.perf_counter() - begin, kind=type(exc).__name__)
            return None
        self.recorder.add(page, response.status, time.perf_counter() - begin)
        self.used = time.monotonic()
        if response.will_close:
            self.conn.close()
            self.conn = None
        return response.status


# --- The inner process: everything else ---------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def inner(options) -> int:  # noqa: C901, PLR0915 (one script, read top to bottom)
    from ascolto.bench import soakdata

    folder = Path(options["folder"])
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    seconds = options["minutes"] * 60
    rate = options["rate"]
    database = os.environ.get("ASCOLTO_SOAK_DATABASE", "?")
    rng = random.Random(1)

    answers = int(rate * seconds * 1.1) + 100
    log(f"Preparing: a workspace with {answers} survey links and 300 customers with an email.")
    data = soakdata.prepare(answers=answers)

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's every command
    sink = MailSink()
    sink.start()
    env = {
        **os.environ,
        "ASCOLTO_EMAIL_HOST": "127.0.0.1",
        "ASCOLTO_EMAIL_PORT": str(sink.port),
        "ASCOLTO_EMAIL_FROM": "Ascolto <soak@ascolto.test>",
        "ASCOLTO_EMAIL_TIMEOUT": "10",
        "ASCOLTO_LOG_FORMAT": "json",
        "ASCOLTO_LOG_LEVEL": "WARNING",
    }
    ports = [free_port(), free_port()]
    python = [sys.executable, "-m", "ascolto"]
    webs = [
        Proc(
            f"web{i + 1}",
            [*python, "serve", "--no-worker", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", str(options["web_workers"])],
            env,
            logs / f"web{i + 1}.log",
        )
        for i, port in enumerate(ports)
    ]
    workers = [
        Proc(
            f"worker{i + 1}",
            [*python, "worker", "--interval", "0.5"],
            env,
            logs / f"worker{i + 1}.log",
        )
        for i in range(3)
    ]
    everything = [*webs, *workers]
    for proc in everything:
        proc.start()
    recorder = Recorder()
    stop = threading.Event()
    load_over = threading.Event()
    notes: list[str] = []
    kills: list[dict] = []
    job_runs: list[tuple[str, int, float, str]] = []
    memory_marks: dict[str, dict[str, int]] = {}
    try:
        for port, web in zip(ports, webs, strict=True):
            _wait_ready(port, web)
        log(
            f"Started: 2 × `serve --no-worker` ({options['web_workers']} gunicorn workers and a "
            f"scheduler each), 3 × `worker`, SMTP sink on {sink.port}; {database}."
        )

        started = time.monotonic()
        deadline = started + seconds
        refuse_for = min(options["refuse_minutes"] * 60, 0.45 * seconds)
        refuse_from = started + 0.15 * seconds
        warm_at = started + max(60.0, 0.25 * seconds)

        # The survey wave: answer i is sent at started + i / rate, by whichever thread is free.
        tickets = iter(range(len(data["links"])))
        ticket_lock = threading.Lock()

        def survey_wave() -> None:
            clients = [Client(port, recorder) for port in ports]
            while not stop.is_set():
                with ticket_lock:
                    i = next(tickets, None)
                if i is None:
                    return
                due = started + i / rate
                if due >= deadline:
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                token = data["links"][i]
                score = 3 if i % 6 == 0 else 7 + i % 4  # one in six is a detractor
                form = {data["fields"]["main"]: str(score)}
                if data["fields"].get("why"):
                    form[data["fields"]["why"]] = soakdata.COMMENTS[i % len(soakdata.COMMENTS)]
                status = clients[i % 2].request("survey answer", "POST", f"/s/{token}/", form)
                if status is not None and 200 <= status < 400:
                    with recorder.lock:
                        recorder.survey_accepted.append(token)

        def staff(n: int) -> None:
            clients = [Client(port, recorder, data["session"]) for port in ports]
            local = random.Random(n)
            i = 0
            while time.monotonic() < deadline and not stop.is_set():
                client = clients[i % 2]
                customer = local.choice(data["customers"])
                client.request(
                    "interaction (log)",
                    "POST",
                    f"/timeline/customer/{customer}/new/",
                    {
                        "touchpoint": data["touchpoint"],
                        "channel": "phone",
                        "occurred_at": time.strftime("%Y-%m-%dT%H:%M"),
                        "member": data["member"],
                        "text": local.choice(soakdata.COMMENTS),
                        "missing_times_ok": "on",
                    },
                )
                client.request(
                    "staff note (signal)",
                    "POST",
                    f"/timeline/customer/{customer}/signal/",
                    {"text": "Sembrava di fretta al telefono", "polarity": "neutral"},
                )
                if i % 4 == n:
                    mailable = local.choice(data["mailable"])
                    client.request(
                        "invitation (email)",
                        "POST",
                        f"/feedback/customer/{mailable}/invite/",
                        {"survey": data["survey"], "channel": "email", "confirmed": "on"},
                    )
                i += 1
                time.sleep(0.5)

        def reader(n: int) -> None:
            clients = [Client(port, recorder, data["session"]) for port in ports]
            pages = [
                ("dashboard", "/dashboard/"),
                ("comments", "/textanalysis/"),
                ("survey results", f"/dashboard/surveys/{data['survey']}/"),
                ("customer", None),
            ]
            i = n
            while time.monotonic() < deadline and not stop.is_set():
                page, path = pages[i % len(pages)]
                if path is None:
                    path = f"/customers/{rng.choice(data['customers'])}/"
                clients[i % 2].request(page, "GET", path)
                i += 1
                time.sleep(0.7)

        def nightly() -> None:
            at = started + 0.4 * seconds
            while time.monotonic() < at:
                if stop.wait(1):
                    return
            log("Forcing the nightly jobs: " + ", ".join(NIGHTLY_JOBS))
            for job in NIGHTLY_JOBS:
                begin = time.monotonic()
                done = subprocess.run(  # noqa: S603
                    [*python, "run-job", job], env=env, capture_output=True, text=True, check=False
                )
                job_runs.append(
                    (job, done.returncode, time.monotonic() - begin, done.stderr[-800:])
                )

        def faults() -> None:
            victim = 0
            refusing_logged = False
            next_kill = started + options["kill_every"]
            while not load_over.is_set():
                now = time.monotonic()
                if refuse_from <= now < refuse_from + refuse_for:
                    if not sink.refusing.is_set():
                        sink.refusing.set()
                        log(f"The SMTP server refuses mail for {refuse_for / 60:.1f} min.")
                        refusing_logged = True
                elif sink.refusing.is_set():
                    sink.refusing.clear()
                    if refusing_logged:
                        log("The SMTP server accepts mail again.")
                if now >= next_kill and now < deadline:
                    proc = workers[victim % 2]  # worker3 lives through the run
                    victim += 1
                    pid = proc.pid
                    proc.process.send_signal(signal.SIGKILL)
                    proc.process.wait()
                    held = soakdata.leases_held_by(pid)
                    kills.append({"worker": proc.name, "pid": pid, "at": time.time(), "held": held})
                    log(
                        f"SIGKILL {proc.name} (pid {pid}), holding {len(held)} lease(s); restarted."
                    )
                    proc.start()
                    next_kill += options["kill_every"]
                time.sleep(0.2)
            sink.refusing.clear()

        def memory() -> None:
            while not stop.is_set():
                children = _children_map()
                now = time.monotonic()
                for proc in everything:
                    for part, rss in proc.parts(children).items():
                        key = f"{part} #{proc.incarnation}" if proc in workers else part
                        memory_marks.setdefault(key, {})
                        marks = memory_marks[key]
                        marks.setdefault("first", rss)
                        if now >= warm_at and "warm" not in marks:
                            marks["warm"] = rss
                        if now <= deadline:
                            marks["end"] = rss
                        marks["peak"] = max(marks.get("peak", 0), rss)
                if stop.wait(5):
                    return

        threads = [threading.Thread(target=survey_wave, daemon=True) for _ in range(12)]
        threads += [threading.Thread(target=staff, args=(n,), daemon=True) for n in range(2)]
        threads += [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(2)]
        helpers = [
            threading.Thread(target=nightly, daemon=True),
            threading.Thread(target=faults, daemon=True),
            threading.Thread(target=memory, daemon=True),
        ]
        for thread in [*threads, *helpers]:
            thread.start()
        log(f"Load for {seconds / 60:.1f} min: {rate:g} survey answers/s, staff, readers.")
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic() + 90))
        load_over.set()
        helpers[0].join(timeout=600)
        log(f"Load over after {time.monotonic() - started:.0f} s; waiting for the work to settle.")

        # Settle: the answers filed, the emails out, the killed workers' leases picked up.
        settle_deadline = time.monotonic() + options["settle_minutes"] * 60
        pickups: dict[tuple, float | None] = {}
        swept_ahead = 0.0
        while True:
            waiting = soakdata.outstanding()
            for kill in kills:
                for lease in kill["held"]:
                    key = (lease["model"], lease["pk"], kill["pid"])
                    if pickups.get(key) is None and soakdata.picked_up(lease, kill["pid"]):
                        pickups[key] = time.time()
            unpicked = sum(
                1
                for k in kills
                for lease in k["held"]
                if pickups.get((lease["model"], lease["pk"], k["pid"])) is None
            )
            if not any(waiting.values()) and not unpicked:
                break
            if not any(waiting.values()) and not swept_ahead:
                # What is left are leases that outlive the wait (a scheduled run's is 30 min):
                # the sweeper is run as at the moment each expires, as it would run then.
                ahead = sorted(
                    lease["expires"]
                    for k in kills
                    for lease in k["held"]
                    if pickups.get((lease["model"], lease["pk"], k["pid"])) is None
                    and lease["expires"] > time.time()
                )
                if ahead:
                    swept_ahead = soakdata.sweep_as_at(ahead[-1] + 1)
                    notes.append(
                        f"{len(ahead)} lease(s) outlived the wait (up to "
                        f"{(ahead[-1] - time.time()) / 60:.0f} min more): the sweeper was run as "
                        "at their expiry, and handed them back"
                    )
            if time.monotonic() > settle_deadline:
                notes.append(f"Still waiting when the settle time ran out: {waiting}")
                break
            time.sleep(3)
        log(f"Settled after {time.monotonic() - deadline:.0f} s past the load.")
    finally:
        stop.set()
        load_over.set()
        for proc in everything:
            proc.stop()
        sink.stop()

    # --- Invariants -----------------------------------------------------------------------------
    failures: list[str] = []

    def check(ok: bool, text: str) -> None:
        print(("  ok    " if ok else "  FAIL  ") + text)
        if not ok:
            failures.append(text)

    print()
    print(f"Soak on {database}: {seconds / 60:.1f} min of load, {options['web_workers']} gunicorn")
    print(f"workers × 2 web, 3 workers, 2 schedulers; {len(kills)} worker(s) killed.")
    print()
    print("Pages (p50 / p99, ms; count; statuses):")
    for page in sorted(recorder.statuses.keys() | recorder.errors.keys()):
        values = sorted(recorder.latencies[page])
        p50 = _pct(values, 50) * 1000
        p99 = _pct(values, 99) * 1000
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(recorder.statuses[page].items()))
        errors = recorder.errors[page]
        print(
            f"  {page:22} {p50:8.1f} / {p99:8.1f}   {len(values):6}   {statuses}"
            + (f", no answer×{errors}" if errors else "")
        )
    server_errors = sum(n for c in recorder.statuses.values() for s, n in c.items() if s >= 500)
    unanswered = sum(recorder.errors.values())
    client_errors = {
        p: n for p, c in recorder.statuses.items() for s, n in c.items() if 400 <= s < 500
    }
    print()
    print("Invariants:")
    if recorder.error_kinds:
        print(f"  (no answer: {dict(recorder.error_kinds)})")
    check(
        server_errors == 0 and unanswered == 0,
        f"no 5xx and no request left unanswered ({server_errors} 5xx, {unanswered} unanswered)",
    )
    check(not client_errors, f"no 4xx either ({client_errors or 'none'})")
    rate_seen = len(recorder.survey_accepted) / seconds
    check(
        rate_seen >= 0.9 * rate,
        f"survey wave kept up: {rate_seen:.1f} answers/s accepted of {rate:g} asked",
    )

    filed = soakdata.submissions_filed(data, recorder.survey_accepted)
    check(
        filed["missing"] == 0 and filed["twice"] == 0 and filed["unexpected"] == 0,
        f"every answer filed exactly once: {filed['accepted']} accepted, {filed['responses']} "
        f"responses, {filed['missing']} missing, {filed['twice']} twice, "
        f"{filed['unexpected']} not accepted",
    )
    check(
        filed["waiting"] == 0,
        f"answers left waiting to be filed: {filed['waiting']} "
        f"(with an error: {filed['with_error']})",
    )

    for name, (ok, detail) in soakdata.rollups_match(data).items():
        check(ok, f"{name} equal to a count of the rows ({detail})")

    mail = soakdata.emails_expected(data)
    received = dict(sink.received)
    expected = set(mail["ids"])
    got = set(received)
    resent = {mid: n for mid, n in received.items() if n > 1}
    check(
        expected == got and not mail["unsent"],
        f"every email delivered, by Message-ID: {len(expected)} recorded as sent "
        f"({mail['by_kind']}), {len(got)} distinct received, {len(expected - got)} missing, "
        f"{len(got - expected)} unknown, {mail['unsent']} not sent; {sink.refused} refused "
        "during the outage and retried",
    )
    print(
        f"  note  {len(resent)} email(s) sent again with the same Message-ID: a worker killed "
        "after the server took a message and before its row was marked sent (docs/tasks.md); "
        "the recipient's mail program shows them once"
    )

    late = []
    for kill in kills:
        for lease in kill["held"]:
            at = pickups.get((lease["model"], lease["pk"], kill["pid"]))
            # The sweeper runs every minute, on a 15 s tick; a lease that outlived the wait
            # was handed back by the sweeper run as at its expiry.
            outlived = swept_ahead and lease["expires"] > swept_ahead
            bound = swept_ahead + 75 if outlived else lease["expires"] + 75
            if at is None or at > bound:
                late.append((lease, at))
    leases = sum(len(k["held"]) for k in kills)
    delays = [
        pickups[k] - lease["expires"]
        for k_ in kills
        for lease in k_["held"]
        for k in [(lease["model"], lease["pk"], k_["pid"])]
        if pickups.get(k)
    ]
    check(
        not late,
        f"the killed workers' leases picked up once expired: {leases} held when "
        f"killed, {len(late)} late or never"
        + (f"; picked up {min(delays):+.0f}…{max(delays):+.0f} s after expiry" if delays else ""),
    )

    claims = scheduler_claims([web.log for web in webs])
    twice = sorted(key for key, n in claims.items() if n > 1)
    failed_runs = soakdata.scheduled_failures()
    check(
        not twice and failed_runs == 0,
        f"scheduled jobs: {len(claims)} periods claimed by the two schedulers "
        f"({', '.join(sorted({job for job, _period in claims}))}), {len(twice)} twice"
        + (f" {twice[:5]}" if twice else "")
        + f"; {failed_runs} failed",
    )
    for job, code, took, err in job_runs:
        check(
            code == 0,
            f"nightly job {job} forced during the load: {took:.1f} s"
            + (f" — {err.strip().splitlines()[-1] if err.strip() else code}" if code else ""),
        )
    check(
        len(job_runs) == len(NIGHTLY_JOBS),
        f"{len(job_runs)} of {len(NIGHTLY_JOBS)} nightly jobs ran",
    )

    print()
    print("Memory (RSS, MB: first sample / after the warm-up / end of the load / peak):")
    grown = []
    for key in sorted(memory_marks):
        marks = memory_marks[key]
        mb = {k: v / 2**20 for k, v in marks.items()}
        line = (
            f"  {key:44} {mb.get('first', 0):7.1f} / {mb.get('warm', 0):7.1f} / "
            f"{mb.get('end', 0):7.1f} / {mb.get('peak', 0):7.1f}"
        )
        watched = not key.startswith(("worker1", "worker2")) and "warm" in marks
        if watched and marks["end"] > marks["warm"] * (1 + MEMORY_LIMIT):
            grown.append(key)
            line += "   grew more than 10 %"
        print(line)
    check(
        not grown,
        "memory flat after the warm-up (growth under 10 %) for the web servers, the "
        "schedulers and the worker that was never killed" + (f": {grown}" if grown else ""),
    )
    for text in notes:
        print("  note  " + text)
    print()
    print("Soak: " + ("PASSED" if not failures else f"FAILED ({len(failures)} invariant(s))"))
    return 1 if failures else 0


def _pct(values: list[float], pct: float) -> float:
    from ascolto.bench.survey import percentile

    return percentile(values, pct) if values else float("nan")


def _wait_ready(port: int, proc: Proc, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise CommandError(f"{proc.name} stopped: {proc.log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/ready/")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise CommandError(f"{proc.name} did not answer /ready/ in time.")


def scheduler_claims(paths: list[Path]) -> Counter:
    """Each (job, period) a scheduler claimed, from the lines `ascolto scheduler` prints, across
    the logs of every `serve`: each must appear once."""
    from ascolto.core.jobs import jobs

    names = {job.name for job in jobs()}
    claims: Counter = Counter()
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] in names:
                claims[(parts[0], parts[1])] += 1
    return claims


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
