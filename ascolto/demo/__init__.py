"""Demo data: an Italian equipment-rental business with customers and two years of history.

The generator is a pipeline of steps (`STEPS`). Each step is a function taking the shared
`DemoContext`: the options, the seed, the workspace and its members, the compact list of
generated customers (ids and the facts later steps need, such as when a customer was lost),
the time span and a progress callback. A later feature (surveys, promises, cases) adds its own
step at the end of `STEPS`; it reads what it needs from the context and writes with
`ctx.bulk_insert()`.

Determinism: the data depends only on the seed and on "today" (the local date in the demo's
time zone, or `--today`). Every step, and every customer inside a step, draws from its own
random generator derived from the seed (`ctx.random_for(...)`), so adding a step, changing the
batch size or running on another database does not change what the other steps produce. The
timeline ends at midnight at the start of "today", so nothing generated lies in the future
whatever the time of day the command runs.

Scale: the workspace, its members and catalogues are written through the services; the bulk
rows (customers, contracts, lost records, interactions, staff signals) are built as model
instances and written with `bulk_create` in batches, one transaction per batch, because a
service call per row (one `full_clean()` with its foreign-key queries plus one INSERT) would
take hours for 100,000 customers. The generators construct only valid rows (same workspace for
every foreign key, ordered timestamps, a lost record with a reason from the workspace's list)
and `bulk_insert()` runs `full_clean()` on the first row of every batch as a spot check.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 200
DEFAULT_YEARS = 2
DEFAULT_PASSWORD = "ascolto-demo"  # noqa: S105 (documented demo password, printed to the user)
DEFAULT_WORKSPACE_NAME = "Noleggi Brambilla S.r.l."
DEMO_TIME_ZONE = "Europe/Rome"
DEFAULT_BATCH_SIZE = 5_000

# progress(label, advance, total): called as work is done, `total` being the size of the stage.
Progress = Callable[[str, int, int], None]


def _no_progress(label: str, advance: int, total: int) -> None:
    return None


@dataclass
class DemoOptions:
    seed: int = DEFAULT_SEED
    customers: int = DEFAULT_CUSTOMERS
    years: int = DEFAULT_YEARS
    today: date | None = None
    password: str = DEFAULT_PASSWORD
    workspace_name: str = DEFAULT_WORKSPACE_NAME
    batch_size: int = DEFAULT_BATCH_SIZE


@dataclass(slots=True)
class DemoCustomer:
    """What later steps need to know about a generated customer (kept small: at 100,000
    customers the whole list stays a few tens of megabytes)."""

    id: int
    index: int
    kind: str
    status: str
    segment: str | None
    since: date
    lost_on: date | None
    at_risk: bool
    owner_index: int
    billing: str  # "monthly", "quarterly" or "" (no invoices)
    rentals_per_year: float
    person: str
    city: str
    language: str
    # Left out of the blue (price, a competitor's offer): no rough patch before leaving, so
    # no signal can see it coming and the backtest is not flattered.
    unseen_loss: bool = False


@dataclass
class DemoContext:
    options: DemoOptions
    today: date
    tz: ZoneInfo
    progress: Progress = _no_progress
    workspace: models.Model | None = None
    members: list = field(default_factory=list)  # Membership rows: owner, manager, agents
    logins: list[tuple[str, str]] = field(default_factory=list)  # (role, username)
    touchpoints: dict[str, int] = field(default_factory=dict)  # code -> id
    lost_reasons: dict[str, int] = field(default_factory=dict)  # code -> id
    segments: dict[str, int] = field(default_factory=dict)  # name -> id
    customers: list[DemoCustomer] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    @property
    def seed(self) -> int:
        return self.options.seed

    @property
    def start(self) -> datetime:
        """Beginning of the generated history (midnight, local time)."""
        return datetime.combine(self.start_date, dtime(0, 0), tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        """End of the generated history: midnight at the start of `today`."""
        return datetime.combine(self.today, dtime(0, 0), tzinfo=self.tz)

    @property
    def start_date(self) -> date:
        return self.today - timedelta(days=round(365.25 * self.options.years))

    @property
    def member_ids(self) -> list[int]:
        return [member.pk for member in self.members]

    @property
    def customer_ids(self) -> list[int]:
        return [customer.id for customer in self.customers]

    def random_for(self, *parts: object) -> random.Random:
        """A generator of its own for one step (and one customer): seeded by a string, which
        Python hashes with SHA-512, so it is the same on every run and platform."""
        return random.Random(":".join(str(part) for part in (self.seed, *parts)))

    def bulk_insert(self, model: type[models.Model], rows: list[models.Model]) -> list:
        """Insert one batch of rows in one transaction, count them and return them (with their
        primary keys on SQLite >= 3.35 and PostgreSQL)."""
        if not rows:
            return rows
        rows[0].full_clean()  # spot check: the generators must build valid rows
        with transaction.atomic():
            model.objects.bulk_create(rows, batch_size=self.options.batch_size)
        self.counts[model._meta.model_name] += len(rows)
        return rows

    def insert_rows(self, model: type[models.Model], fields: tuple[str, ...], rows: list) -> None:
        """Fast path for tables with millions of rows: `rows` are tuples of values for the
        model's `fields` (attribute names, e.g. "customer_id"), datetimes timezone-aware."""
        self.write_rows(model, fields, prepare_rows(model, fields, rows))

    def write_rows(self, model: type[models.Model], fields: tuple[str, ...], rows: list) -> None:
        """Write rows made by `prepare_rows()` in one transaction.

        `bulk_create` spends most of its time preparing each value through the field classes
        (about 150 microseconds a row on a small server, several times the cost of generating
        the row); here the rows go straight to the driver: `executemany` on SQLite, `COPY` on
        PostgreSQL. The first row of every batch is turned into a model instance and
        `full_clean()`-ed, as `bulk_insert()` does.
        """
        write_rows(model, fields, rows)
        self.counts[model._meta.model_name] += len(rows)

    def bulk_insert_stream(self, model: type[models.Model], rows: Iterable[models.Model]) -> None:
        """Insert an iterable of any length, holding at most one batch in memory."""
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) >= self.options.batch_size:
                self.bulk_insert(model, batch)
                batch = []
        self.bulk_insert(model, batch)


def write_rows(model: type[models.Model], fields: tuple[str, ...], rows: list) -> None:
    """`DemoContext.write_rows` without a context (the many-workspaces loader uses it)."""
    if not rows:
        return
    meta = model._meta
    sample = dict(zip(fields, rows[0], strict=True))
    for name in fields:  # JSON columns travel as JSON text
        if isinstance(_model_field(meta, name), models.JSONField):
            sample[name] = json.loads(sample[name])
    model(**sample).full_clean()
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column_list = ", ".join(quote(_model_field(meta, name).column) for name in fields)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )


DemoStep = Callable[[DemoContext], None]


def _steps() -> list[DemoStep]:
    from ascolto.demo.cadence import cadence_step
    from ascolto.demo.cases import cases_step
    from ascolto.demo.customers import customers_step
    from ascolto.demo.health import health_step
    from ascolto.demo.interactions import interactions_step
    from ascolto.demo.promises import promises_step
    from ascolto.demo.surveys import surveys_step
    from ascolto.demo.texts import texts_step
    from ascolto.demo.voice import voice_step
    from ascolto.demo.workspace import workspace_step

    return [
        workspace_step,
        customers_step,
        interactions_step,
        surveys_step,
        promises_step,
        cadence_step,
        voice_step,
        texts_step,
        cases_step,
        health_step,
    ]


# The pipeline, in order. Later features append their own step (e.g. surveys after interactions).
STEPS: list[DemoStep] = []


def demo_steps() -> list[DemoStep]:
    return [*_steps(), *STEPS]


@dataclass
class DemoResult:
    context: DemoContext
    seconds: float

    @property
    def workspace(self):
        return self.context.workspace

    @property
    def logins(self) -> list[tuple[str, str]]:
        return self.context.logins

    @property
    def counts(self) -> Counter:
        return self.context.counts


def demo_today(today: date | None = None) -> date:
    """The date the demo's history ends on: `today` if given, else the local date."""
    if today is not None:
        return today
    from django.utils import timezone

    return timezone.localdate(timezone=ZoneInfo(DEMO_TIME_ZONE))


def demo_generate(options: DemoOptions, *, progress: Progress = _no_progress) -> DemoResult:
    """Create the demo workspace and its data. Safe to run on a database with other workspaces:
    it only adds a new one (reusing the demo users if they exist)."""
    if options.customers < 0 or options.years < 1 or options.batch_size < 1:
        raise ValueError("customers must be >= 0, years >= 1 and batch size >= 1")
    started = time.monotonic()
    context = DemoContext(
        options=options,
        today=demo_today(options.today),
        tz=ZoneInfo(DEMO_TIME_ZONE),
        progress=progress,
    )
    with _fast_sqlite():
        for step in demo_steps():
            step(context)
    return DemoResult(context=context, seconds=time.monotonic() - started)


def _model_field(meta, name: str) -> models.Field:
    """The field of attribute `name` ("customer_id" is the foreign key `customer`; a plain
    column such as "message_id" is itself)."""
    return (
        meta.get_field(name)
        if name in meta._forward_fields_map
        else meta.get_field(name.removesuffix("_id"))
    )


def prepare_rows(model: type[models.Model], fields: tuple[str, ...], rows: list) -> list:
    """Turn rows of Python values into what the database driver takes (datetimes as the
    backend stores them). Pure computation, so it can run in a worker process."""
    meta = model._meta
    positions = [
        i
        for i, name in enumerate(fields)
        if isinstance(_model_field(meta, name), models.DateTimeField)
    ]
    if connection.vendor == "postgresql":
        return rows  # psycopg takes aware datetimes as they are (timestamptz)
    adapt = _datetime_adapter()
    prepared = []
    for row in rows:
        values = list(row)
        for i in positions:
            if values[i] is not None:
                values[i] = adapt(values[i])
        prepared.append(values)
    return prepared


def _datetime_adapter() -> Callable[[datetime], object]:
    """How an aware datetime is written by the current database backend."""
    if connection.vendor == "sqlite":
        return _sqlite_datetime
    return connection.ops.adapt_datetimefield_value


_SQLITE_DATETIMES: dict[datetime, str] = {}


def _sqlite_datetime(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime: UTC, naive, ISO format with a
    space. Cached, because the demo's timestamps fall on a limited set of working-hour slots."""
    text = _SQLITE_DATETIMES.get(value)
    if text is None:
        if len(_SQLITE_DATETIMES) > 1_000_000:
            _SQLITE_DATETIMES.clear()
        text = _SQLITE_DATETIMES[value] = str(value.astimezone(UTC).replace(tzinfo=None))
    return text


# Page cache for the load: the interaction table has seven indexes and rows arrive in customer
# order, so most index pages are touched again and again; with SQLite's default 2 MB cache
# they go back and forth to disk. Negative values are KiB.
SQLITE_LOAD_CACHE_KIB = 256 * 1024
SQLITE_LOAD_PRAGMAS = {
    "synchronous": "OFF",
    "cache_size": f"-{SQLITE_LOAD_CACHE_KIB}",
    "wal_autocheckpoint": "20000",
}


@contextlib.contextmanager
def _fast_sqlite() -> Iterator[None]:
    """On SQLite, while the demo loads: skip fsync (a crash would only lose demo rows, which are
    generated again) and use a larger page cache; the connection's previous settings are
    restored afterwards."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # (SQLite refuses to change these inside a transaction, e.g. in tests)
        return
    previous = {}
    with connection.cursor() as cursor:
        for pragma, value in SQLITE_LOAD_PRAGMAS.items():
            cursor.execute(f"PRAGMA {pragma}")
            previous[pragma] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {pragma}={value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for pragma, value in previous.items():
                cursor.execute(f"PRAGMA {pragma}={value:d}")


def chunked(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_SEED",
    "STEPS",
    "DemoContext",
    "DemoCustomer",
    "DemoOptions",
    "DemoResult",
    "chunked",
    "demo_generate",
    "demo_steps",
    "demo_today",
]
