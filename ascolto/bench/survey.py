"""`ascolto bench survey [--clients 16] [--seconds 20] [--invitations N] [--workers W]
[--threads T] [--markdown]`, or `ascolto bench survey --cpu [--requests N] [--repeat R]`

Measures the public survey page under load against a ceiling, in one run on the same server:

1. prepares, in the configured database, a bench workspace with an NPS survey and N link
   invitations (bulk), keeping their tokens in memory only;
2. starts `ascolto serve --web-only` (gunicorn, the usual workers and threads, plain HTTP) on a
   free 127.0.0.1 port, with the settings `ascolto.bench.settings`, whose URLs add a bare view
   that does one INSERT into a `bench_probe` table the bench creates (and drops at the end);
3. loads the ceiling, then the survey page, with C concurrent keep-alive clients for S seconds
   each: every survey request POSTs a valid answer to a distinct invitation's link;
4. prints submissions per second and p50/p99 latencies of both, their ratio, and checks that the
   rows stored equal the successful requests. The bench workspace is deleted afterwards.

With `--cpu` it starts no server: it measures the processor time per request of both targets
in this one process (`time.process_time()` around a loop of WSGI calls into
`ascolto.wsgi.application`, the full middleware stack), which a busy machine disturbs far less
than throughput.

See docs/benchmarks.md.
"""

from __future__ import annotations

import http.client
import io
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from ascolto.customers.models import Customer
from ascolto.feedback.models import (
    Invitation,
    Question,
    Response,
    SendState,
    Submission,
    token_hash_of,
)
from ascolto.feedback.services import survey_create
from ascolto.feedback.submissions.answers import field_name
from ascolto.feedback.submissions.filing import submissions_store_all
from ascolto.workspaces.models import Membership, Role, Workspace

PROBE_TABLE = "bench_probe"
CEILING_PATH = "/bench/ceiling/"
BENCH_SETTINGS = "ascolto.bench.settings"
BENCH_URLCONF = "ascolto.bench.urls"
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0

COMMENTS = (
    "Puntuali e gentili, il tecnico ha spiegato tutto.",
    "Prezzo giusto, ma la prima chiamata ha richiesto due tentativi.",
    "Servizio rapido; migliorerei la comunicazione degli orari.",
    "Tutto bene.",
)


# --- Measuring ----------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """The `pct` percentile (0–100) of `values`, interpolating linearly between the two closest
    ranks (the method spreadsheets and numpy use by default)."""
    if not values:
        raise ValueError("No values.")
    if not 0 <= pct <= 100:
        raise ValueError("The percentile must be between 0 and 100.")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class LoadResult:
    elapsed: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0  # connection errors, no status
    exhausted: bool = False  # the requests ran out before the time was up

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.errors

    @property
    def successes(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 400)

    @property
    def failures(self) -> int:
        return self.requests - self.successes

    @property
    def per_second(self) -> float:
        return self.successes / self.elapsed if self.elapsed else 0.0

    def p(self, pct: float) -> float:
        """Latency percentile in milliseconds (NaN when nothing succeeded)."""
        return percentile(self.latencies, pct) * 1000 if self.latencies else float("nan")


def run_load(
    host: str,
    port: int,
    requests: Iterator[tuple[str, bytes]],
    *,
    clients: int,
    seconds: float,
    timeout: float = 30.0,
) -> LoadResult:
    """POST form-encoded bodies with `clients` threads, each on its own keep-alive connection,
    for `seconds` or until `requests` (path, body) runs out. Returns the status of every request
    and the latency of every success (2xx and 3xx; redirects are not followed)."""
    result = LoadResult()
    lock = threading.Lock()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Connection": "keep-alive"}
    started = time.perf_counter()
    deadline = started + seconds

    def next_request() -> tuple[str, bytes] | None:
        with lock:
            try:
                return next(requests)
            except StopIteration:
                result.exhausted = True
                return None

    def client() -> None:
        conn: http.client.HTTPConnection | None = None
        statuses: Counter = Counter()
        latencies: list[float] = []
        errors = 0
        while time.perf_counter() < deadline:
            item = next_request()
            if item is None:
                break
            path, body = item
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            begin = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = None
                continue
            latency = time.perf_counter() - begin
            statuses[response.status] += 1
            if 200 <= response.status < 400:
                latencies.append(latency)
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            result.statuses.update(statuses)
            result.latencies.extend(latencies)
            result.errors += errors

    threads = [threading.Thread(target=client, daemon=True) for _i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


def cpu_per_request(requests: Iterator[tuple[str, bytes]], count: int) -> float:
    """Processor time (seconds) per request of `count` POSTs from `requests`, each a WSGI call
    into `ascolto.wsgi.application` in this process (full middleware stack, no network). Raises
    CommandError on a response other than 2xx/3xx."""
    from ascolto.wsgi import application

    scheme = "https" if settings.SECURE_SSL_REDIRECT else "http"
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: Any = None) -> None:
        statuses.append(status)

    batch = [next(requests) for _i in range(count)]  # built before the clock starts
    started = time.process_time()
    for path, body in batch:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": scheme,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        result = application(environ, start_response)
        try:
            for _chunk in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()
        if not statuses[-1].startswith(("2", "3")):
            raise CommandError(f"{path} answered {statuses[-1]}.")
    return (time.process_time() - started) / count


# --- Data ---------------------------------------------------------------------------------------


@dataclass
class BenchSurvey:
    workspace: Workspace
    survey_id: int
    tokens: list[str]
    fields: dict[str, str]  # role -> form field name


def _workspace_delete(workspace: Workspace) -> None:
    """Remove the bench workspace and the owner account made for it."""
    users = list(workspace.memberships.values_list("user_id", flat=True))
    workspace.delete()
    get_user_model().objects.filter(pk__in=users, username__startswith="bench-").delete()


def prepare_survey(count: int, *, seed: int = 1) -> BenchSurvey:
    """A new bench workspace with an NPS survey and `count` link invitations, one per customer,
    inserted in bulk. Returns the invitations' tokens."""
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        workspace = Workspace(name=f"Bench survey {now:%Y-%m-%d %H:%M:%S}")
        workspace.full_clean()
        workspace.save()
        owner = Membership.objects.create(
            workspace=workspace,
            user=get_user_model().objects.create_user(
                username=f"bench-{secrets.token_hex(8)}", password=None
            ),
            role=Role.OWNER,
        )
        survey = survey_create(workspace=workspace, by=owner, name="Bench NPS", kind="nps")
        customers = Customer.objects.bulk_create(
            [
                Customer(workspace=workspace, name=f"Bench customer {i}", email="")
                for i in range(count)
            ],
            batch_size=1000,
        )
        invitations = []
        for customer in customers:
            invitation = Invitation(
                workspace=workspace,
                survey=survey,
                customer=customer,
                channel=Invitation.Channel.LINK,
                language=rng.choice(("it", "en")),
                created_at=now,
                expires_at=now + timedelta(days=30),
                token_salt=secrets.token_urlsafe(24),
                state=SendState.DONE,
            )
            invitation.token_hash = token_hash_of(invitation.token)
            invitations.append(invitation)
        Invitation.objects.bulk_create(invitations, batch_size=1000)
    fields = {q.role: field_name(q) for q in survey.questions.all()}
    return BenchSurvey(workspace, survey.pk, [i.token for i in invitations], fields)


def survey_requests(bench: BenchSurvey, *, seed: int = 1) -> Iterator[tuple[str, bytes]]:
    """One valid answer per invitation (scores 7 to 10, so no detractor alerts), in order."""
    rng = random.Random(seed)
    main = bench.fields[Question.Role.MAIN]
    why = bench.fields.get(Question.Role.WHY)
    improve = bench.fields.get(Question.Role.IMPROVE)
    for token in bench.tokens:
        data = {main: str(rng.randint(7, 10))}
        if why:
            data[why] = rng.choice(COMMENTS)
        if improve and rng.random() < 0.5:
            data[improve] = rng.choice(COMMENTS)
        yield reverse("survey:answer", args=[token]), urlencode(data).encode()


def ceiling_requests() -> Iterator[tuple[str, bytes]]:
    body = urlencode({"note": "bench"}).encode()
    while True:
        yield CEILING_PATH, body


def probe_table_create() -> None:
    key = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PROBE_TABLE}")
        cursor.execute(
            f"CREATE TABLE {PROBE_TABLE} "
            f"(id {key}, created_at VARCHAR(40) NOT NULL, note VARCHAR(100) NOT NULL)"
        )


def probe_table_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {PROBE_TABLE}")  # noqa: S608 (constant name)
        return cursor.fetchone()[0]


def probe_table_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PROBE_TABLE}")


def bench_tasks_delete(*, workspace_id: int, since) -> int:
    """Delete the background tasks queued for the bench workspace during the run (the text
    analysis of every comment), so a worker does not chase answers that are gone."""
    from django_tasks_db.models import DBTaskResult

    deleted, _detail = DBTaskResult.objects.filter(
        enqueued_at__gte=since, args_kwargs__kwargs__workspace_id=workspace_id
    ).delete()
    return deleted


@dataclass
class Drain:
    """The submissions left after the load, stored as responses by this process the way the
    worker stores them (`submissions_store_all`), timed."""

    stored: int
    seconds: float
    cpu_seconds: float
    left: int  # still pending or set aside with an error afterwards: must be 0

    def line(self) -> str:
        if not self.stored:
            return "Submissions left for the worker after the load: none."
        return (
            f"Submissions left for the worker after the load: {self.stored}, stored as "
            f"responses in {self.seconds:.1f} s ({self.stored / self.seconds:.0f}/s, "
            f"{self.cpu_seconds / self.stored * 1000:.2f} ms CPU each); left over: {self.left}."
        )


def submissions_drain() -> Drain:
    started, cpu = time.perf_counter(), time.process_time()
    stored = submissions_store_all()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Drain(stored, seconds, cpu, Submission.objects.count())


# --- Server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_start(
    port: int, workers: int, threads: int | None = None, *, background: bool = False
) -> subprocess.Popen:
    """`ascolto serve` on `port`: the web server only, or with its worker and scheduler."""
    env = {**os.environ, "ASCOLTO_HTTPS": "0", "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS}
    argv = [sys.executable, "-m", "ascolto", "serve", "--bind", f"127.0.0.1:{port}"]
    if not background:
        argv.append("--web-only")
    argv += ["--workers", str(workers)]
    if threads is not None:
        argv += ["--threads", str(threads)]
    return subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def server_wait(process: subprocess.Popen, port: int, timeout: float = 60) -> None:
    """Wait until /health/ answers (200, or 503 when no worker runs: the web server is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"The server stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            status = conn.getresponse().status
            conn.close()
            if status in (200, 503):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise CommandError("The server did not answer /health/ in time.")


def server_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- Command ------------------------------------------------------------------------------------


def add_survey_parser(sub) -> None:
    parser = sub.add_parser(
        "survey", help="Public survey submissions per second vs a one-INSERT view."
    )
    parser.add_argument("--clients", type=int, default=16, help="Concurrent clients.")
    parser.add_argument("--seconds", type=float, default=20, help="Seconds per target.")
    parser.add_argument(
        "--invitations", type=int, default=20_000, help="Invitations to prepare (one per POST)."
    )
    parser.add_argument("--workers", type=int, default=3, help="Gunicorn worker processes.")
    parser.add_argument(
        "--threads", type=int, default=None, help="Threads per worker (default: serve's)."
    )
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table.")
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="Run the worker and scheduler beside the web server during the load, as `ascolto "
        "serve` does on one machine (default: the web server only; the bench stores the "
        "submissions after the load and times it).",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="Processor time per request in this process instead (no server, no clients).",
    )
    parser.add_argument("--requests", type=int, default=500, help="--cpu: requests per run.")
    parser.add_argument("--repeat", type=int, default=3, help="--cpu: runs per target.")


def _line(name: str, result: LoadResult) -> str:
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(result.statuses.items()))
    return (
        f"{name}: {result.per_second:.0f}/s, p50 {result.p(50):.1f} ms, p99 {result.p(99):.1f} ms "
        f"({result.successes} ok, {result.failures} failed of {result.requests} in "
        f"{result.elapsed:.1f} s; statuses {codes or '-'}"
        f"{', connection errors ' + str(result.errors) if result.errors else ''})"
    )


CPU_WARMUP = 50


def _server_cpu() -> float | None:
    """PostgreSQL on this machine: processor seconds the server process of this connection has
    used so far (from /proc), or None when that cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_cpu_per_request(requests: Iterator[tuple[str, bytes]], count: int) -> float | None:
    """PostgreSQL on this machine: the database server's processor time per request."""
    before = _server_cpu()
    if before is None:
        return None
    cpu_per_request(requests, count)
    return (_server_cpu() - before) / count


def wal_pages_per_request(requests: Iterator[tuple[str, bytes]], count: int) -> float | None:
    """SQLite only: pages the requests append to the write-ahead log, per request (the
    database's share of the work, which a busy machine does not blur). The WAL is emptied
    first and not checkpointed meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    try:
        cpu_per_request(requests, count)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            _busy, frames, _done = cursor.fetchone()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=1000")
    return frames / count if frames >= 0 else None  # -1: not in WAL mode (in-memory tests)


def handle_survey_cpu(command, options) -> None:
    """`--cpu`: processor time per request of the ceiling and of a survey submission, each
    measured `--repeat` times over `--requests` requests after a warm-up, in this process."""
    with override_settings(ROOT_URLCONF=BENCH_URLCONF):
        _survey_cpu(command, options)


def _survey_cpu(command, options) -> None:
    count, repeat = options["requests"], options["repeat"]
    if count < 1 or repeat < 1:
        raise CommandError("--requests and --repeat must be positive.")
    out = command.stdout
    prepared_at = timezone.now()
    extra = CPU_WARMUP if connection.vendor == "sqlite" else count
    bench = prepare_survey(count * repeat + CPU_WARMUP + extra)
    probe_table_create()
    try:
        surveys = survey_requests(bench)
        cpu_per_request(ceiling_requests(), CPU_WARMUP)
        cpu_per_request(surveys, CPU_WARMUP)
        ceiling = [cpu_per_request(ceiling_requests(), count) for _i in range(repeat)]
        survey = [cpu_per_request(surveys, count) for _i in range(repeat)]
        pages, server = {}, {}
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            pages["ceiling"] = wal_pages_per_request(ceiling_requests(), CPU_WARMUP)
            pages["survey"] = wal_pages_per_request(surveys, CPU_WARMUP)
        elif connection.vendor == "postgresql":
            server["ceiling"] = server_cpu_per_request(ceiling_requests(), count)
            server["survey"] = server_cpu_per_request(surveys, count)
        drain = submissions_drain()
        stored = Response.objects.filter(survey_id=bench.survey_id).count()
    finally:
        probe_table_drop()
        queued = bench_tasks_delete(workspace_id=bench.workspace.pk, since=prepared_at)
        with transaction.atomic():
            _workspace_delete(bench.workspace)

    def ms(values: list[float]) -> str:
        return ", ".join(f"{v * 1000:.2f}" for v in values) + " ms"

    out.write(
        f"Database: {connection.vendor}. CPU per request, {repeat} runs of {count} requests "
        f"(after {CPU_WARMUP} to warm up), one process:"
    )
    out.write(f"Ceiling (one INSERT): {ms(ceiling)}")
    out.write(f"Survey submission: {ms(survey)}")
    out.write(f"Ratio (ceiling / survey, best runs): {min(ceiling) / min(survey):.0%}.")
    out.write(drain.line())
    out.write(f"Responses stored: {stored}; background tasks queued and deleted: {queued}.")
    if pages.get("survey") is not None:
        out.write(
            f"SQLite pages written to the WAL per request: ceiling {pages['ceiling']:.1f}, "
            f"survey {pages['survey']:.1f}."
        )
    if server.get("survey") is not None:
        out.write(
            f"PostgreSQL server CPU per request: ceiling {server['ceiling'] * 1000:.2f} ms, "
            f"survey {server['survey'] * 1000:.2f} ms."
        )
    if drain.left or stored != count * repeat + CPU_WARMUP + (CPU_WARMUP if pages else 0) + (
        count if server else 0
    ):
        raise CommandError("The responses stored do not match the requests.")


def handle_survey(command, options) -> None:
    if options.get("cpu"):
        return handle_survey_cpu(command, options)
    clients, seconds, count = options["clients"], options["seconds"], options["invitations"]
    with_worker = options.get("with_worker", False)
    threads = options.get("threads")
    bad_threads = threads is not None and threads < 1
    if clients < 1 or seconds <= 0 or count < 1 or options["workers"] < 1 or bad_threads:
        raise CommandError(
            "--clients, --seconds, --invitations, --workers and --threads must be positive."
        )
    out = command.stdout
    started = time.perf_counter()
    prepared_at = timezone.now()
    bench = prepare_survey(count)
    out.write(
        f"Database: {connection.vendor}. Prepared {count} invitations in "
        f"{time.perf_counter() - started:.1f} s."
    )
    try:  # the bench workspace, its tasks and the probe table go even if the run fails
        probe_table_create()
        port = free_port()
        process = server_start(port, options["workers"], threads, background=with_worker)
        try:
            server_wait(process, port)
            warm = run_load("127.0.0.1", port, ceiling_requests(), clients=clients, seconds=1)
            ceiling = run_load(
                "127.0.0.1", port, ceiling_requests(), clients=clients, seconds=seconds
            )
            requests = survey_requests(bench)
            warm_survey = run_load("127.0.0.1", port, requests, clients=clients, seconds=1)
            survey = run_load("127.0.0.1", port, requests, clients=clients, seconds=seconds)
        finally:
            server_stop(process)
        probe_rows = probe_table_count()
        drain = submissions_drain()
        response_rows = Response.objects.filter(survey_id=bench.survey_id).count()
    finally:
        probe_table_drop()
        queued = bench_tasks_delete(workspace_id=bench.workspace.pk, since=prepared_at)
        with transaction.atomic():
            _workspace_delete(bench.workspace)
    probe_rows_expected = warm.successes + ceiling.successes
    response_rows_expected = warm_survey.successes + survey.successes

    ratio = survey.per_second / ceiling.per_second if ceiling.per_second else 0.0
    out.write(
        f"Server: gunicorn, {options['workers']} workers, "
        f"{threads if threads is not None else 'default'} threads each"
        f"{', with the worker and scheduler' if with_worker else ''}; "
        f"{clients} clients, {seconds:g} s."
    )
    out.write(_line("Ceiling (one INSERT)", ceiling))
    out.write(_line("Survey submissions", survey))
    passed = ratio >= TARGET_RATIO and survey.p(99) < TARGET_P99_MS
    out.write(
        f"Ratio: {ratio:.0%} of the ceiling (target ≥ {TARGET_RATIO:.0%}, p99 < "
        f"{TARGET_P99_MS:.0f} ms): {'met' if passed else 'missed'}."
    )
    out.write(drain.line())
    rows_ok = (
        probe_rows == probe_rows_expected
        and response_rows == response_rows_expected
        and not drain.left
    )
    out.write(
        f"Rows stored: probe {probe_rows} (expected {probe_rows_expected}), responses "
        f"{response_rows} (expected {response_rows_expected}): {'OK' if rows_ok else 'MISMATCH'}."
    )
    if queued:
        out.write(f"Deleted {queued} background tasks the submissions queued (text analysis).")
    if survey.exhausted:
        out.write("The invitations ran out before the time was up: use more --invitations.")
    if options["markdown"]:
        out.write("")
        out.write("| Target | Requests/s | p50 | p99 | OK | Failed |")
        out.write("|---|---:|---:|---:|---:|---:|")
        for name, result in (("Ceiling: one INSERT", ceiling), ("Survey submission", survey)):
            out.write(
                f"| {name} | {result.per_second:.0f} | {result.p(50):.1f} ms | "
                f"{result.p(99):.1f} ms | {result.successes} | {result.failures} |"
            )
        out.write(f"| Ratio | {ratio:.0%} | | | | |")
    if not rows_ok:
        raise CommandError("The rows stored do not match the successful requests.")
