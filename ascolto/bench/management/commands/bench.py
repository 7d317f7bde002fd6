"""`ascolto bench dashboards [--workspace ID] [--segment NAME] [--generate N] [--repeat R]`

Times the overview page's queries (the selector calls the page makes, captured with
`CaptureQueriesContext`) against ONE hand-written SQL query that computes the same figures, and
prints both, their ratio, and the time to render the whole overview page through Django's test
client. `--generate N` first bulk-inserts N survey responses (NPS, CSAT and CES, spread over the
last three years, with their invitations) into the workspace, for databases made before the
demo had survey data. `--segment NAME` times the page filtered on that segment (and the
reference with the same filter). See docs/benchmarks.md.
"""

from __future__ import annotations

import random
import secrets
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from ascolto.customers.models import Customer, Segment
from ascolto.customers.selectors import segment_by_name
from ascolto.dashboards import selectors
from ascolto.feedback.models import Invitation, Question, Response, Survey
from ascolto.lib import periods
from ascolto.lib.periods import period_buckets
from ascolto.workspaces.models import Membership, Role, Workspace

BENCH_SURVEYS = (
    (Survey.Kind.NPS, "Benchmark NPS", 0, 10),
    (Survey.Kind.CSAT, "Benchmark CSAT", 1, 5),
    (Survey.Kind.CES, "Benchmark CES", 1, 7),
)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class Command(BaseCommand):
    help = "Benchmarks. `bench dashboards`: the overview's queries vs one hand-written query."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="target", required=True)
        dash = sub.add_parser("dashboards", help="Time the dashboard overview.")
        dash.add_argument("--workspace", type=int, help="Workspace id (default: the largest).")
        dash.add_argument("--segment", help="Filter the overview on this segment (its name).")
        dash.add_argument("--generate", type=int, default=0, help="Insert N responses first.")
        dash.add_argument("--repeat", type=int, default=7, help="Timed runs (median shown).")
        dash.add_argument("--seed", type=int, default=1, help="Random seed for --generate.")
        from ascolto.bench.text import add_text_parser

        add_text_parser(sub)
        from ascolto.bench.survey import add_survey_parser

        add_survey_parser(sub)
        from ascolto.bench.churn import add_churn_parser

        add_churn_parser(sub)
        from ascolto.bench.health import add_health_parser

        add_health_parser(sub)
        from ascolto.bench.importing import add_import_parser

        add_import_parser(sub)
        from ascolto.bench.soak import add_soak_parser

        add_soak_parser(sub)
        from ascolto.bench.tenants import add_tenants_parser

        add_tenants_parser(sub)

    def handle(self, *args, **options):
        if options["target"] == "text":
            from ascolto.bench.text import handle_text

            return handle_text(self, options)
        if options["target"] == "tenants":
            from ascolto.bench.tenants import handle_tenants

            return handle_tenants(self, options)
        if options["target"] == "soak":
            from ascolto.bench.soak import handle_soak

            return handle_soak(self, options)
        if options["target"] == "churn":
            from ascolto.bench.churn import handle_churn

            return handle_churn(self, options)
        if options["target"] == "health":
            from ascolto.bench.health import handle_health

            return handle_health(self, options)
        if options["target"] == "import":
            from ascolto.bench.importing import handle_import

            return handle_import(self, options)
        if options["target"] == "survey":
            from ascolto.bench.survey import handle_survey

            return handle_survey(self, options)
        workspace = self._workspace(options["workspace"])
        if options["generate"] < 0 or options["repeat"] < 1:
            raise CommandError("--generate must be 0 or more and --repeat at least 1.")
        if options["generate"]:
            started = time.perf_counter()
            made = generate_responses(workspace, options["generate"], seed=options["seed"])
            self.stdout.write(
                f"Inserted {made} responses in {time.perf_counter() - started:.1f} s."
            )
        segment = None
        if options["segment"]:
            segment = segment_by_name(workspace=workspace, name=options["segment"])
            if segment is None:
                raise CommandError(f"No segment called “{options['segment']}” in this workspace.")
        self._bench(workspace, options["repeat"], segment)

    def _workspace(self, pk: int | None) -> Workspace:
        if pk is not None:
            workspace = Workspace.objects.filter(pk=pk).first()
            if workspace is None:
                raise CommandError(f"No workspace with id {pk}.")
            return workspace
        biggest = (
            Customer.objects.values("workspace_id").annotate(n=Count("pk")).order_by("-n").first()
        )
        if biggest is None:
            raise CommandError("No workspace with customers: run `ascolto demo` first.")
        return Workspace.objects.get(pk=biggest["workspace_id"])

    def _bench(self, workspace: Workspace, repeat: int, segment: Segment | None = None) -> None:
        period = periods.default_period(workspace)
        counts = Response.objects.filter(workspace=workspace).count()
        customers = Customer.objects.filter(workspace=workspace).count()
        self.stdout.write(
            f"Database: {connection.vendor}; workspace {workspace.pk} “{workspace.name}”: "
            f"{customers} customers, {counts} responses; period {period.start} – {period.end}."
        )
        if segment is not None:
            members = Customer.objects.filter(workspace=workspace, segment=segment).count()
            self.stdout.write(f"Segment “{segment.name}”: {members} customers.")

        last: list[dict] = []

        def page_queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                data = selectors.overview(workspace=workspace, period=period, segment=segment)
                list(data.silent.object_list)
            last[:] = ctx.captured_queries
            return len(ctx.captured_queries)

        sql, params = reference_sql(workspace, period, segment)

        def reference() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        n_queries = page_queries()  # warm-up (caches, connection)
        reference()
        page_times = [_timed(page_queries) for _i in range(repeat)]
        ref_times = [_timed(reference) for _i in range(repeat)]
        page, ref = statistics.median(page_times), statistics.median(ref_times)
        self.stdout.write(f"Overview queries ({n_queries}): {_ms(page)} (median of {repeat})")
        self.stdout.write(f"Hand-written reference (1):  {_ms(ref)}")
        self.stdout.write(f"Ratio: {page / ref:.2f}× (target ≤ 1.5×)")
        for query in last:
            self.stdout.write(f"  {float(query['time']) * 1000:8.1f} ms  {query['sql'][:90]}")
        for cold in (True, False):
            render_times = self._render_times(workspace, repeat, cold=cold, segment=segment)
            if render_times:
                render = statistics.median(render_times)
                kind = "new connection each time" if cold else "connection reused"
                self.stdout.write(f"Full overview render ({kind}): {_ms(render)} (target < 300 ms)")

    def _render_times(
        self, workspace: Workspace, repeat: int, *, cold: bool, segment: Segment | None = None
    ) -> list[float]:
        """The overview through Django's test client; `cold` closes the database connection
        before each request (nothing of the previous request is reused; there is no result
        cache to warm)."""
        owner = (
            Membership.objects.filter(workspace=workspace, role=Role.OWNER)
            .select_related("user")
            .first()
        )
        if owner is None:
            self.stdout.write("No owner to log in as: the page render is not timed.")
            return []
        host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost"
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(
            SECURE_SSL_REDIRECT=False,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            STORAGES=storages,
        ):
            client = Client(HTTP_HOST=host if host != "*" else "localhost")
            client.force_login(owner.user)
            session = client.session
            session["ascolto_workspace_id"] = workspace.pk
            session.save()

            query = {"segment": str(segment.pk)} if segment is not None else {}

            def render() -> None:
                if cold and not connection.in_atomic_block:  # (tests run inside one)
                    connection.close()
                response = client.get("/dashboard/", query, secure=True)
                if response.status_code != 200:
                    raise CommandError(f"The overview answered {response.status_code}.")

            render()
            return [_timed(render) for _i in range(repeat)]


def _timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def reference_sql(
    workspace: Workspace, period: periods.Period, segment: Segment | None = None
) -> tuple[str, list]:
    """One query, written by hand, for the overview's figures: NPS, CSAT and CES of the period
    and of the previous one, NPS counts per month, invitations (invited, opened, answered),
    active customers and those heard from in the last 90 days, and the first page of the
    silent ones (as a count of the page's rows). With a segment, only its customers' rows."""
    ops = connection.ops
    tz = periods.workspace_zone(workspace)
    start, end = period.bounds(tz)
    prev_start = period.previous().bounds(tz)[0]
    since = timezone.now() - timedelta(days=90)
    dt = ops.adapt_datetimefield_value

    def window(lo: str, hi: str | None = None) -> str:
        return f"r.submitted_at >= {lo}" + (f" AND r.submitted_at < {hi}" if hi else "")

    def score_columns(cond: str) -> list[str]:
        return [
            f"SUM(CASE WHEN {cond} AND r.kind = 'nps' AND r.score >= 9 THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {cond} AND r.kind = 'nps' AND r.score BETWEEN 7 AND 8 THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {cond} AND r.kind = 'nps' AND r.score <= 6 THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {cond} AND r.kind = 'csat' THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {cond} AND r.kind = 'csat' AND r.score >= 4 THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {cond} AND r.kind = 'ces' THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN {cond} AND r.kind = 'ces' THEN r.score ELSE 0 END)",
            f"SUM(CASE WHEN {cond} AND r.kind = 'ces' THEN r.score * r.score ELSE 0 END)",
        ]

    params: list = []
    columns = score_columns("r.submitted_at >= %s")
    params += [dt(start)] * 8
    columns += score_columns("r.submitted_at < %s")
    params += [dt(start)] * 8
    for bucket in period_buckets(period, tz, "month"):
        cond = window("%s", "%s")
        for band in ("r.score >= 9", "r.score BETWEEN 7 AND 8", "r.score <= 6"):
            columns.append(f"SUM(CASE WHEN {cond} AND r.kind = 'nps' AND {band} THEN 1 ELSE 0 END)")
            params += [dt(bucket.start), dt(bucket.end)]
    of_segment, of_segment_params, customer_segment = "", [], ""
    if segment is not None:
        of_segment = " AND customer_id IN (SELECT id FROM customers_customer WHERE segment_id = %s)"
        of_segment_params = [segment.pk]
        customer_segment = f" AND c.segment_id = {int(segment.pk)}"
    scores = (
        f"SELECT {', '.join(columns)} FROM feedback_response r "  # noqa: S608 (constant fragments; values are parameters)
        "WHERE r.workspace_id = %s AND r.submitted_at >= %s AND r.submitted_at < %s "
        f"AND r.score IS NOT NULL AND r.kind IN ('nps', 'csat', 'ces'){of_segment}"
    )
    params += [workspace.pk, dt(prev_start), dt(end), *of_segment_params]
    invitations = (
        "SELECT COUNT(*) AS invited, "  # noqa: S608 (constant fragments; values are parameters)
        "SUM(CASE WHEN opened_at IS NOT NULL OR answered_at IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END) "
        "FROM feedback_invitation WHERE workspace_id = %s AND created_at >= %s AND created_at < %s"
        f"{of_segment}"
    )
    params += [workspace.pk, dt(start), dt(end), *of_segment_params]
    heard = (
        "(EXISTS (SELECT 1 FROM feedback_response x WHERE x.customer_id = c.id "
        "AND x.submitted_at >= %s) OR EXISTS (SELECT 1 FROM interactions_interaction i "
        "WHERE i.customer_id = c.id AND i.occurred_at >= %s))"
    )
    coverage = (
        f"SELECT COUNT(*), SUM(CASE WHEN {heard} THEN 1 ELSE 0 END) FROM customers_customer c "  # noqa: S608 (constant fragments; values are parameters)
        f"WHERE c.workspace_id = %s AND c.status = 'active'{customer_segment}"
    )
    params += [dt(since), dt(since), workspace.pk]
    silent = (
        f"SELECT COUNT(*) FROM (SELECT c.id FROM customers_customer c WHERE c.workspace_id = %s "  # noqa: S608 (constant fragments; values are parameters)
        f"AND c.status = 'active'{customer_segment} AND NOT {heard} "
        "ORDER BY c.name, c.id LIMIT 25) page"
    )
    params += [workspace.pk, dt(since), dt(since)]
    sql = (
        f"SELECT * FROM ({scores}) sc CROSS JOIN ({invitations}) inv "  # noqa: S608 (constant fragments; values are parameters)
        f"CROSS JOIN ({coverage}) cov CROSS JOIN ({silent}) sil"
    )
    return sql, params


def generate_responses(workspace: Workspace, count: int, *, seed: int = 1) -> int:
    """Bulk-insert `count` responses (70% NPS, 15% CSAT, 15% CES) over the last three years,
    each with an answered invitation, plus about as many unanswered invitations."""
    rng = random.Random(seed)
    customers = list(
        Customer.objects.filter(workspace=workspace).values_list("pk", flat=True).order_by("pk")
    )
    if not customers:
        raise CommandError("The workspace has no customers: run `ascolto demo` first.")
    surveys = {}
    with transaction.atomic():
        for kind, name, low, high in BENCH_SURVEYS:
            survey, created = Survey.objects.get_or_create(
                workspace=workspace, name=name, defaults={"kind": kind, "title_it": name}
            )
            if created:
                Question.objects.create(
                    workspace=workspace,
                    survey=survey,
                    position=0,
                    kind=Question.Kind.SCORE,
                    role=Question.Role.MAIN,
                    text_it=name,
                    min_value=low,
                    max_value=high,
                )
            surveys[kind] = (survey, low, high)
    now = timezone.now()
    span = timedelta(days=3 * 365).total_seconds()
    made = 0
    batch = 5000
    while made < count:
        size = min(batch, count - made)
        invitations, responses = [], []
        for _i in range(size):
            kind = rng.choices(
                [Survey.Kind.NPS, Survey.Kind.CSAT, Survey.Kind.CES], weights=[70, 15, 15]
            )[0]
            survey, low, high = surveys[kind]
            age = rng.random() * span
            # Scores drift upwards over time, so the trend has a shape.
            lean = 1 - age / span
            score = round(
                low + (high - low) * min(1.0, max(0.0, rng.betavariate(3 + 2 * lean, 1.6)))
            )
            if kind == Survey.Kind.CES:
                score = high + low - score  # low effort is good
            submitted = now - timedelta(seconds=age)
            created = submitted - timedelta(hours=rng.randint(1, 96))
            customer = rng.choice(customers)
            for answered in (True, False) if rng.random() < 0.8 else (True,):
                invitations.append(
                    Invitation(
                        workspace=workspace,
                        survey=survey,
                        customer_id=customer,
                        token_salt=secrets.token_hex(8),
                        token_hash=secrets.token_hex(32),
                        created_at=created,
                        expires_at=created + timedelta(days=30),
                        closed_at=submitted if answered else created + timedelta(days=30),
                        state="done",
                        sent_at=created,
                        opened_at=submitted if answered or rng.random() < 0.3 else None,
                        answered_at=submitted if answered else None,
                    )
                )
            responses.append(
                Response(
                    workspace=workspace,
                    survey=survey,
                    customer_id=customer,
                    submitted_at=submitted,
                    kind=kind,
                    score=score,
                    band="",
                )
            )
        with transaction.atomic():
            Invitation.objects.bulk_create(invitations, batch_size=1000)
            Response.objects.bulk_create(responses, batch_size=1000)
        made += size
    return made
