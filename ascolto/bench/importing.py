"""`ascolto bench import [--rows N] [--seed S]`: times `ascolto import customers` on N rows made
here (an Italian spreadsheet as offices export it: semicolons, a byte-order mark, accents,
Italian phone numbers, some segments), into a new workspace made for it.

Two timings of the real command, reading and checking included: the first import (every row
new) and the same file again (every row found by its code). See docs/benchmarks.md."""

from __future__ import annotations

import random
import time

from django.contrib.auth.models import User
from django.db import connection

SEGMENTS = ("Edilizia", "Ristorazione", "Commercio", "Artigiani", "Professionisti")
FIRST = ("Mario", "Lucia", "Giò", "Niccolò", "Anna", "Paolo", "Chiara", "Luca", "Sara", "Elena")
LAST = ("Rossi", "Bianchi", "Verdi", "Caffè", "Esposito", "Romano", "Colombo", "Ricci")


def add_import_parser(subparsers) -> None:
    parser = subparsers.add_parser("import", help="Time the customers import on generated rows.")
    parser.add_argument("--rows", type=int, default=100_000, help="Rows to generate.")
    parser.add_argument("--seed", type=int, default=1, help="Random seed for the rows.")


def sheet_bytes(rows: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)  # noqa: S311 (test data)
    lines = ["Codice cliente;Nome;Ragione sociale;E-mail;Telefono;Segmento"]
    for i in range(rows):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        lines.append(
            f"B{i:07d};{name};{name.split()[1]} Srl;cliente{i}@example.it;"
            f"+39 3{rng.randrange(10**8, 10**9)};{rng.choice(SEGMENTS)}"
        )
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def handle_import(command, options: dict) -> None:
    import tempfile
    from io import StringIO
    from pathlib import Path

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from ascolto.customers.models import Customer, Segment
    from ascolto.workspaces.services import workspace_create

    rows = options["rows"]
    if rows < 1:
        raise CommandError("--rows must be at least 1.")
    data = sheet_bytes(rows, options["seed"])
    stamp = time.strftime("%Y%m%d%H%M%S")
    user = User.objects.create_user(f"bench-import-{stamp}", f"bench-import-{stamp}@example.it")
    workspace = workspace_create(name=f"Benchmark import {stamp}", owner=user)
    Segment.objects.bulk_create([Segment(workspace=workspace, name=n) for n in SEGMENTS])
    timings, outputs = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clienti.csv"
        path.write_bytes(data)
        for _ in range(2):
            out = StringIO()
            started = time.perf_counter()
            # The real command, as an office would run it (reading, checking, importing).
            call_command("import", "customers", str(path), workspace=workspace.pk, stdout=out)
            timings.append(time.perf_counter() - started)
            outputs.append(out.getvalue().strip().splitlines()[-1])
    made = Customer.objects.filter(workspace=workspace).count()
    command.stdout.write(
        f"bench import on {connection.vendor}: {rows} rows ({len(data) / 1e6:.1f} MB), "
        f"workspace {workspace.pk}, {made} customers stored\n"
        f"  first import:   {timings[0]:.1f} s ({rows / timings[0]:.0f} rows/s) {outputs[0]}\n"
        f"  the same again: {timings[1]:.1f} s ({rows / timings[1]:.0f} rows/s) {outputs[1]}"
    )
