"""Imports from Italian spreadsheets: good rows in, bad rows reported by line and column, the
same file twice changes nothing, an import stopped half-way and run again ends with each row
once; CSV as Excel writes it in Italian, and XLSX."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from ascolto.api.models import ImportRun
from ascolto.api.services.imports import (
    import_folder,
    import_run_create,
    import_run_process,
    mapping_guess,
    mapping_remember,
    rows_import,
    sheet_read,
)
from ascolto.core.testing import run_pending_tasks
from ascolto.customers.models import Contract, Customer, Segment
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.interactions.models import Interaction
from ascolto.promises.models import PromiseCheck
from ascolto.promises.tests.test_services_checks import make_promise

pytestmark = pytest.mark.django_db

CUSTOMERS = (
    "\ufeffCodice cliente;Nome;Ragione sociale;E-mail;Telefono;Segmento;Note\r\n"
    "C001;Mario Rossi;Rossi Srl;mario@rossi.it;06 1234;Edilizia;Cliente storico, più volte\r\n"
    "C002;Lucia Bianchi;;lucia@bianchi.it;;Segmento Ignoto;\r\n"
    ";;;;;;\r\n"
    "C003;Giò Verdi;Verdi & Figli;non-una-email;;;\r\n"
    "C004;Anna Neri;;MARIO@rossi.it;;;\r\n"
    "\r\n"
    "C005;Niccolò Caffè;Bar Città;niccolo@bar.it;;Edilizia;\r\n"
)


def _cp1252(text: str) -> bytes:
    return text.replace("\ufeff", "").encode("cp1252")


@pytest.fixture
def edilizia(alice):
    return Segment.objects.create(workspace=alice.workspace, name="Edilizia")


def _import(alice, kind, data, name="file.csv", **kwargs):
    sheet = sheet_read(data, name)
    mapping = mapping_guess(workspace=alice.workspace, kind=kind, headers=sheet.headers)
    return rows_import(
        workspace=alice.workspace, by=alice, kind=kind, sheet=sheet, mapping=mapping, **kwargs
    )


@pytest.mark.parametrize(
    "encode", [lambda t: t.encode("utf-8"), _cp1252], ids=["utf8-bom", "cp1252"]
)
def test_good_rows_in_and_bad_rows_reported_by_line(alice, edilizia, encode):
    result = _import(alice, "customers", encode(CUSTOMERS))
    assert result.created == 2
    errors = {(line, column) for line, column, _reason in result.errors}
    assert errors == {(3, "Segmento"), (5, "E-mail"), (6, "E-mail")}
    reasons = {line: reason for line, _column, reason in result.errors}
    assert "Segmento Ignoto" in reasons[3]
    assert "riga 2" in reasons[6] or "line 2" in reasons[6]
    mario = Customer.objects.get(email="mario@rossi.it")
    assert mario.segment == edilizia and mario.company == "Rossi Srl"
    assert mario.notes == "Cliente storico, più volte"
    assert Customer.objects.get(email="niccolo@bar.it").name == "Niccolò Caffè"


def test_importing_twice_changes_nothing(alice, edilizia):
    _import(alice, "customers", CUSTOMERS.encode())
    before = list(Customer.objects.order_by("pk").values())
    again = _import(alice, "customers", CUSTOMERS.encode())
    assert again.created == 0 and again.updated == 2
    assert list(Customer.objects.order_by("pk").values()) == before


def test_an_import_stopped_half_way_and_run_again_has_each_row_once(alice, edilizia):
    lines = ["Codice;Nome;Email"] + [f"K{i};Cliente {i};c{i}@x.it" for i in range(40)]
    data = "\n".join(lines).encode()
    sheet = sheet_read(data, "f.csv")
    mapping = mapping_guess(workspace=alice.workspace, kind="customers", headers=sheet.headers)
    done = []

    def crash(n):
        done.append(n)
        if len(done) == 17:
            raise KeyboardInterrupt  # the process is stopped here

    with pytest.raises(KeyboardInterrupt):
        rows_import(
            workspace=alice.workspace,
            by=alice,
            kind="customers",
            sheet=sheet,
            mapping=mapping,
            progress=crash,
            chunk_size=5,
        )
    assert Customer.objects.count() == 15  # the chunks done; the stopped one rolled back
    result = rows_import(
        workspace=alice.workspace, by=alice, kind="customers", sheet=sheet, mapping=mapping
    )
    assert result.created == 25 and result.updated == 15 and not result.errors
    assert Customer.objects.count() == 40
    assert Customer.objects.values("email").distinct().count() == 40


def test_a_dry_run_stores_nothing_but_reports_everything(alice, edilizia):
    result = _import(alice, "customers", CUSTOMERS.encode(), dry_run=True)
    assert result.created == 2 and len(result.errors) == 3
    assert not Customer.objects.exists()


def test_contracts_with_italian_dates_and_decimal_commas(alice):
    CustomerFactory(workspace=alice.workspace, email="mario@rossi.it")
    data = (
        "Email cliente;Titolo;Data inizio;Data rinnovo;Valore annuo;Tacito rinnovo\n"
        "mario@rossi.it;Noleggio gru;01/02/2026;31/01/2027;1.200,50;sì\n"
        "mario@rossi.it;Manutenzione;31/02/2026;01/03/2027;300;no\n"
        "ignoto@x.it;Altro;01/02/2026;01/03/2027;300;no\n"
        "mario@rossi.it;Assistenza;01/02/2026;01/03/2027;tanti;no\n"
    ).encode("cp1252")
    result = _import(alice, "contracts", data)
    assert result.created == 1
    assert {(line, column) for line, column, _r in result.errors} == {
        (3, "Data inizio"),
        (4, "Email cliente"),
        (5, "Valore annuo"),
    }
    contract = Contract.objects.get()
    assert contract.yearly_value == Decimal("1200.50") and contract.auto_renew
    assert str(contract.start_date) == "2026-02-01"
    assert _import(alice, "contracts", data).created == 0  # a row's content is its key
    assert Contract.objects.count() == 1


def test_interactions_from_xlsx_are_checked_against_the_promises(alice):
    make_promise(alice.workspace, alice)
    CustomerFactory(workspace=alice.workspace, email="mario@rossi.it")
    book = Workbook()
    sheet = book.active
    sheet.append(["Email", "Tipo", "Data richiesta", "Data inizio", "Descrizione"])
    sheet.append(
        ["mario@rossi.it", "Intervento tecnico", "02/03/2026 09:00", "04/03/2026 09:00", "Caldaia"]
    )
    sheet.append(["mario@rossi.it", "Teletrasporto", "02/03/2026", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    result = _import(alice, "interactions", buffer.getvalue(), name="interventi.xlsx")
    assert result.created == 1
    assert [(line, column) for line, column, _r in result.errors] == [(3, "Tipo")]
    interaction = Interaction.objects.get()
    assert PromiseCheck.objects.get(interaction=interaction).outcome == "broken"


def test_the_mapping_chosen_is_remembered(alice):
    headers = ["Cod. anagrafica", "Denominazione", "PEC"]
    assert mapping_guess(workspace=alice.workspace, kind="customers", headers=headers) == {}
    mapping_remember(
        workspace=alice.workspace,
        by=alice,
        kind="customers",
        headers=headers,
        mapping={0: "external_id", 1: "name", 2: "email"},
    )
    assert mapping_guess(workspace=alice.workspace, kind="customers", headers=headers) == {
        0: "external_id",
        1: "name",
        2: "email",
    }


def test_the_command_prints_bad_rows_then_totals(alice, edilizia, tmp_path, capsys):
    path = tmp_path / "clienti.csv"
    path.write_bytes(_cp1252(CUSTOMERS))
    call_command(
        "import",
        "customers",
        str(path),
        "--workspace",
        str(alice.workspace.pk),
        "--dry-run",
        verbosity=0,
    )
    out = capsys.readouterr().out
    assert "Riga 3, Segmento:" in out or "Line 3, Segmento:" in out
    assert not Customer.objects.exists()
    call_command("import", "customers", str(path), verbosity=0)
    assert Customer.objects.count() == 2
    out = capsys.readouterr().out
    assert "2" in out.splitlines()[-1]


def test_the_page_previews_maps_and_imports(
    carol_client, mallory_client, alice, edilizia, django_capture_on_commit_callbacks
):
    upload = io.BytesIO(_cp1252(CUSTOMERS))
    upload.name = "clienti.csv"
    response = carol_client.post("/connections/import/", {"kind": "customers", "file": upload})
    assert response.status_code == 302
    page = carol_client.get("/connections/import/columns/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Mario Rossi" in body and "Ragione sociale" in body
    columns = {c["header"]: c["field"] for c in page.context["columns"]}
    assert columns["E-mail"] == "email" and columns["Codice cliente"] == "external_id"
    form = {f"column_{c['index']}": c["field"] for c in page.context["columns"]}
    missing = carol_client.post(
        "/connections/import/columns/", {**form, "column_1": "", "column_3": "", "column_0": ""}
    )
    assert missing.status_code == 400 and not Customer.objects.exists()
    checked = carol_client.post("/connections/import/columns/", {**form, "dry_run": "1"})
    assert checked.context["result"].created == 2 and not Customer.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        queued = carol_client.post("/connections/import/columns/", form)
    assert queued.status_code == 302
    run = ImportRun.objects.get()
    assert queued["Location"] == f"/connections/import/{run.pk}/"
    waiting = carol_client.get(queued["Location"]).content.decode()
    assert 'id="import-bar"' in waiting and 'max="5"' in waiting and 'value="0"' in waiting
    assert 'http-equiv="refresh"' in waiting
    run_pending_tasks()
    done = carol_client.get(queued["Location"])
    assert done.status_code == 200
    assert done.context["result"].created == 2
    assert "Segmento Ignoto" in done.content.decode()
    assert "import-bar" not in done.content.decode()
    assert Customer.objects.count() == 2
    assert mallory_client.get(queued["Location"]).status_code == 404


def test_agents_and_outsiders_cannot_import(bob_client, mallory_client, carol_client):
    upload = io.BytesIO(b"Nome;Email\nA;a@x.it\n")
    upload.name = "a.csv"
    assert (
        bob_client.post("/connections/import/", {"kind": "customers", "file": upload}).status_code
        == 403
    )
    upload.seek(0)
    carol_client.post("/connections/import/", {"kind": "customers", "file": upload})
    # Another person's session has no file of theirs.
    assert mallory_client.get("/connections/import/columns/")["Location"] == "/connections/import/"
    assert not Customer.objects.exists()


def test_a_file_that_is_not_a_sheet_is_refused_on_the_page(carol_client):
    upload = io.BytesIO(b"PK\x03\x04garbage")
    upload.name = "x.xlsx"
    response = carol_client.post("/connections/import/", {"kind": "customers", "file": upload})
    assert response.status_code == 400
    assert "Excel" in response.content.decode()


def test_a_status_the_services_refuse_is_a_bad_row(alice):
    data = b"Nome;Email;Stato\nPerso Subito;perso@x.it;perso\nAttivo;attivo@x.it;attivo\n"
    result = _import(alice, "customers", data)
    assert result.created == 1
    assert [(line, column) for line, column, _r in result.errors] == [(2, "Stato")]


def _workbook(*parts: tuple[str, bytes | int]) -> bytes:
    """A zip like an .xlsx: each part given as bytes, or as a number of zero bytes written in
    pieces (a bomb: megabytes unpacked from a file of kilobytes)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as part:
                for _ in range(content // 2**20):
                    part.write(bytes(2**20))
    return buffer.getvalue()


def test_hostile_workbooks_are_refused_before_parsing(carol_client):
    """Test plan S14: a zip bomb (250 MB of zeros in a small file), a workbook with macros
    (by its name or by its vbaProject.bin part) get the form's message, 400, nothing saved."""
    bomb = _workbook(("[Content_Types].xml", b"<x/>"), ("xl/worksheets/sheet1.xml", 250 * 2**20))
    assert len(bomb) < 2 * 2**20
    macros = _workbook(("[Content_Types].xml", b"<x/>"), ("xl/vbaProject.bin", b"\x00" * 10))
    cases = [
        (bomb, "a.xlsx", ("unpacked", "decompresso")),
        (macros, "a.xlsx", ("macro",)),
        (b"PK\x03\x04", "a.xlsm", ("macro",)),
    ]
    for data, name, words in cases:
        upload = io.BytesIO(data)
        upload.name = name
        response = carol_client.post("/connections/import/", {"kind": "customers", "file": upload})
        assert response.status_code == 400, name
        html = response.content.decode()
        assert any(word in html for word in words), (name, words)
    assert not Customer.objects.exists()


FILE = "fileabcdefgh"


def _queued_run(alice, rows: int) -> ImportRun:
    token = FILE
    lines = ["Codice;Nome;Email"] + [f"R{i:04d};Cliente {i};r{i}@x.it" for i in range(rows)]
    lines.insert(3, "R0001;Doppio;altro@x.it")  # a repeated code: reported, not imported
    (import_folder() / f"{token}.upload").write_bytes("\n".join(lines).encode())
    sheet = sheet_read((import_folder() / f"{token}.upload").read_bytes(), "f.csv")
    mapping = mapping_guess(workspace=alice.workspace, kind="customers", headers=sheet.headers)
    return import_run_create(
        workspace=alice.workspace,
        by=alice,
        kind="customers",
        token=token,
        filename="f.csv",
        mapping=mapping,
    )


def test_a_queued_import_counts_its_progress_and_carries_on_where_it_stopped(
    alice, settings, tmp_path, monkeypatch
):
    """A worker that stopped after some chunks: the next one starts at the first row not
    counted, remembers the codes seen before (a repeat is still reported), makes nothing
    twice, and the file is removed when the run is done."""
    from ascolto.api.services import imports

    settings.DATA_DIR = tmp_path
    run = _queued_run(alice, 450)
    assert (run.total, run.processed, run.state) == (451, 0, "pending")
    calls = []
    original = imports.rows_import

    def stop_after_two_chunks(**kwargs):
        inner = kwargs["on_chunk"]

        def counted(done, processed):
            inner(done, processed)
            calls.append(processed)
            if len(calls) == 2:
                raise KeyboardInterrupt  # the worker is stopped here

        return original(**{**kwargs, "on_chunk": counted})

    monkeypatch.setattr(imports, "rows_import", stop_after_two_chunks)
    with pytest.raises(KeyboardInterrupt):
        import_run_process(run_id=run.pk, owner="first")
    monkeypatch.setattr(imports, "rows_import", original)
    run.refresh_from_db()
    assert run.processed == 200 and run.state == "running"  # the stopped chunk rolled back
    assert Customer.objects.count() == run.created == 199 and run.error_count == 1
    # the stopped worker's lease runs out: the next claimer takes the run over
    ImportRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now())
    assert import_run_process(run_id=run.pk, owner="second")
    run.refresh_from_db()
    assert (run.state, run.processed, run.created, run.updated) == ("done", 451, 450, 0)
    assert [(e[0], e[1]) for e in run.errors] == [(4, "Codice")]
    assert Customer.objects.count() == 450
    assert Customer.objects.values("email").distinct().count() == 450
    assert not (import_folder() / f"{FILE}.upload").exists()
    assert not import_run_process(run_id=run.pk, owner="third")  # done: nothing to claim
