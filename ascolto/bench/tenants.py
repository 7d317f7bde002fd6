"""`ascolto bench tenants`: many businesses on one installation (after `ascolto demo
--workspaces N [--big C]`; docs/benchmarks.md).

1. **The schedule fans out in bounded time.** One scheduler tick claims every job's period; each
   period's own run is timed in this process. A job that works per workspace (`fan_out` in
   `ascolto/schedule.py`) only creates one run per workspace there; those runs are then
   executed one by one, timed, and reported by size of workspace.
2. **A large workspace's nightly run does not delay a small one's alert.** Two real
   `ascolto worker`s run; the large workspace's health-scores run is queued, and once a worker
   has started it a detractor answers a small workspace's survey: the time until the alert's
   email reaches the SMTP sink is measured, and compared with the same with nothing running.
3. **A small workspace's dashboard stays fast while the large one's is read.** A real web
   server (`ascolto serve --web-only`); the small workspace's overview is timed alone, then
   while four clients read the large workspace's overview without pause.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from ascolto.bench.soak import Client, MailSink, Recorder, free_port
from ascolto.core.jobs import job_get
from ascolto.core.models import ScheduledRun
from ascolto.core.services import WORKSPACE_MARK, scheduled_run_execute, scheduler_tick
from ascolto.customers.models import Customer
from ascolto.feedback.models import Invitation, Question, SendState, Survey, token_hash_of
from ascolto.notifications.models import Notification
from ascolto.workspaces.models import Role, Workspace


def add_tenants_parser(sub) -> None:
    parser = sub.add_parser("tenants", help="Many workspaces on one installation.")
    parser.add_argument("--seconds", type=float, default=20, help="Dashboard reads, each phase.")
    parser.add_argument(
        "--skip-runs", action="store_true", help="Do not execute the workspaces' runs."
    )
    parser.add_argument(
        "--sample", type=int, default=100, help="Workspaces' runs executed and timed."
    )


def _ms(values: list[float]) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms (n={len(ordered)})"


def _session(workspace: Workspace) -> str:
    member = workspace.memberships.select_related("user").filter(role=Role.OWNER).first()
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(member.user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
    store.create()
    return store.session_key


def handle_tenants(command, options) -> None:  # noqa: C901, PLR0915 (a script, top to bottom)
    out = command.stdout.write
    sizes = dict(
        Customer.objects.values("workspace_id")
        .annotate(n=Count("pk"))
        .values_list("workspace_id", "n")
    )
    if len(sizes) < 2:
        raise CommandError("Load many workspaces first: ascolto demo --workspaces 1000 --big N.")
    big = max(sizes, key=sizes.get)
    small = min(sizes, key=sizes.get)
    out(
        f"{len(sizes)} workspaces with customers, {sum(sizes.values())} customers; largest "
        f"{sizes[big]} (workspace {big}), smallest {sizes[small]} (workspace {small})."
    )

    # 1. One tick, each period's own run timed.
    out("\n1. One scheduler tick and each period's own run:")
    now = timezone.now()
    started = time.perf_counter()
    tick = scheduler_tick(now=now)
    out(f"   tick: {len(tick.claimed)} periods claimed in {time.perf_counter() - started:.2f} s")
    for run in tick.claimed:
        job = job_get(run.job)
        if job is None or job.inline:
            continue
        began = time.perf_counter()
        scheduled_run_execute(run_id=run.pk)
        took = time.perf_counter() - began
        children = ScheduledRun.objects.filter(
            job=run.job, period_key__startswith=f"{run.period_key}{WORKSPACE_MARK}"
        ).count()
        state = ScheduledRun.objects.get(pk=run.pk).state
        out(
            f"   {run.job:28} {took:7.2f} s  {state}"
            + (f", {children} runs made, one per workspace" if children else "")
        )
    if not options["skip_runs"]:
        health = next((r for r in tick.claimed if r.job == "health-scores"), None)
        if health is not None:
            runs = ScheduledRun.objects.filter(
                job="health-scores",
                period_key__startswith=f"{health.period_key}{WORKSPACE_MARK}",
                state="pending",
            ).values_list("pk", "period_key")
            timings: list[tuple[int, float]] = []
            runs = list(runs)
            random.Random(1).shuffle(runs)
            for pk, key in runs[: options["sample"]]:
                workspace_id = int(key.rsplit(WORKSPACE_MARK, 1)[1])
                if workspace_id == big:
                    continue  # timed in part 2, by a worker
                began = time.perf_counter()
                scheduled_run_execute(run_id=pk)
                timings.append((sizes.get(workspace_id, 0), time.perf_counter() - began))
            if timings:
                per = sorted(t for _n, t in timings)
                out(
                    f"   health-scores, each workspace's run ({len(per)} of {len(runs)} taken at "
                    f"random, not the largest, one after the other in this process): median {statistics.median(per):.2f} s, slowest {per[-1]:.2f} s "
                    f"(for {max(timings, key=lambda x: x[1])[0]} customers), total "
                    f"{sum(per):.0f} s for {len(per)} workspaces"
                )

    # 2. The small workspace's alert while the large one's nightly run is on a worker.
    out("\n2. A small workspace's detractor alert, with the large one's nightly run going on:")
    # What part 1's tick queued (a monthly report and digests for every workspace) would keep
    # both workers busy for a long while: the queue is emptied first, those units left undone.
    from django_tasks_db.models import DBTaskResult

    dropped, _detail = DBTaskResult.objects.filter(status="READY").delete()
    out(f"   ({dropped} queued tasks of part 1 dropped first)")
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = MailSink()
    sink.start()
    env = {
        **os.environ,
        "ASCOLTO_EMAIL_HOST": "127.0.0.1",
        "ASCOLTO_EMAIL_PORT": str(sink.port),
        "ASCOLTO_LOG_LEVEL": "WARNING",
    }
    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "ascolto", "worker", "--interval", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        time.sleep(8)  # the workers start and take what is queued
        first = _alert_seconds(small, sink)  # the workers load what an alert needs
        out(
            f"   alone: {_alert_seconds(small, sink):.1f} s from the answer to the email "
            f"(the first one, while the workers warmed up: {first:.1f} s)"
        )
        from ascolto.core.tasks import scheduled_run_execute_task

        big_run = ScheduledRun.objects.create(
            job="health-scores",
            period_key=f"bench:{secrets.token_hex(4)}{WORKSPACE_MARK}{big}",
            scheduled_for=timezone.now(),
            created_at=timezone.now(),
            next_attempt_at=timezone.now(),
            dispatched_at=timezone.now(),
        )
        scheduled_run_execute_task.enqueue(big_run.pk)
        deadline = time.monotonic() + 120
        while not ScheduledRun.objects.filter(pk=big_run.pk, started_at__isnull=False).exists():
            if time.monotonic() > deadline:
                raise CommandError("No worker started the large workspace's run.")
            time.sleep(0.2)
        began = time.monotonic()
        seconds = _alert_seconds(small, sink)
        out(
            f"   while the largest workspace's ({sizes[big]} customers) health-scores run "
            f"goes on: {seconds:.1f} s"
        )
        run = ScheduledRun.objects.get(pk=big_run.pk)
        out(
            f"   (the large run had been going {time.monotonic() - began:.0f} s and was "
            + ("still running" if run.finished_at is None else f"{run.state}")
            + " when the alert was out; it is stopped here)"
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:  # in the large run: its lease is swept later
                worker.kill()
                worker.wait()
        sink.stop()

    # 3. The small dashboard while the large one is read.
    out("\n3. The small workspace's dashboard while the large one's is read:")
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "ascolto", "serve", "--web-only", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2"],
        env={**os.environ, "ASCOLTO_HTTPS": "0", "ASCOLTO_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port)
        small_session = _session(Workspace.objects.get(pk=small))
        big_session = _session(Workspace.objects.get(pk=big))
        recorder = Recorder()
        small_client = Client(port, recorder, small_session)

        def read_small(label: str) -> None:
            end = time.monotonic() + options["seconds"]
            while time.monotonic() < end:
                small_client.request(label, "GET", "/dashboard/")
                time.sleep(0.2)

        for _ in range(3):
            small_client.request("warm-up", "GET", "/dashboard/")
            Client(port, recorder, big_session).request("warm-up", "GET", "/dashboard/")
        read_small("small alone")
        stop = threading.Event()

        def read_big() -> None:
            client = Client(port, recorder, big_session)
            while not stop.is_set():
                client.request("large, read meanwhile", "GET", "/dashboard/")

        readers = [threading.Thread(target=read_big, daemon=True) for _ in range(4)]
        for reader in readers:
            reader.start()
        read_small("small, while the large is read")
        stop.set()
        for reader in readers:
            reader.join(timeout=120)
        for label in ("small alone", "small, while the large is read", "large, read meanwhile"):
            statuses = dict(recorder.statuses[label])
            out(f"   {label:34} {_ms(recorder.latencies[label])}  statuses {statuses}")
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait(port: int) -> None:
    import http.client

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/ready/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise CommandError("The web server did not start.")


def _alert_seconds(workspace_id: int, sink: MailSink) -> float:
    """Accept a detractor's answer in the workspace, as the survey page does, and wait until
    the alert's email reaches the sink. Seconds from the answer to the email."""
    from ascolto.feedback.submissions.accept import submission_accept
    from ascolto.feedback.submissions.form import invitation_form_by_token

    workspace = Workspace.objects.get(pk=workspace_id)
    survey = Survey.objects.filter(workspace=workspace).first()
    customer = Customer.objects.filter(workspace=workspace).first()
    now = timezone.now()
    invitation = Invitation(
        workspace=workspace,
        survey=survey,
        customer=customer,
        channel=Invitation.Channel.LINK,
        language="it",
        created_at=now,
        expires_at=now + timedelta(days=30),
        token_salt=secrets.token_urlsafe(24),
        state=SendState.DONE,
    )
    invitation.token_hash = token_hash_of(invitation.token)
    invitation.save()
    form = invitation_form_by_token(invitation.token)
    main = next(q for q in form.questions if q.role == Question.Role.MAIN)
    from ascolto.feedback.submissions.answers import field_name

    before = sum(sink.received.values())
    notes_before = Notification.objects.filter(workspace=workspace).count()
    began = time.monotonic()
    submission_accept(target=form.target, questions=form.questions, data={field_name(main): "1"})
    deadline = began + 300
    while time.monotonic() < deadline:
        if sum(sink.received.values()) > before and (
            Notification.objects.filter(workspace=workspace).count() > notes_before
        ):
            return time.monotonic() - began
        time.sleep(0.1)
    raise CommandError("The alert's email did not arrive in 5 minutes.")
