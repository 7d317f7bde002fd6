"""Customers, contracts and interactions from a spreadsheet (CSV or XLSX), as Italian offices
export them: `;` or `,`, a byte-order mark or none, UTF-8 or Windows-1252, `gg/mm/aaaa` dates,
decimal commas, headers in Italian or English.

Each row goes through the same services as the API (`records.*_upsert`), in its own
transaction: a bad row is reported with its line, column and reason, and the good rows are
imported. Rows are found again by external id, a customer also by email, so importing the same
file twice changes nothing, and an import stopped half-way and run again ends with each row
once (contracts and interactions without an external id get one made from the row's content).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ascolto.api.models import ExternalRef, ImportMapping, ImportRun
from ascolto.api.services import records
from ascolto.core.leases import (
    default_owner,
    lease_claim_one,
    lease_complete,
    lease_extend,
    lease_sweep,
)
from ascolto.customers.models import Customer, Segment
from ascolto.customers.services import StatusChangeRefused
from ascolto.interactions.models import Touchpoint
from ascolto.lib.csvimport import CsvFileError, decode_text, sniff_delimiter
from ascolto.lib.periods import workspace_zone
from ascolto.lib.text import clean_text
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

MAX_BYTES = 50 * 1024 * 1024
# An .xlsx is a zip: what its parts add up to once unpacked is checked before opening it, so a
# small file that unpacks to gigabytes (a zip bomb) is refused without being read.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
KINDS = ("customers", "contracts", "interactions")

# field -> header names that mean it (compared without case, accents, spaces or punctuation)
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "external_id": (
            "external id",
            "id esterno",
            "codice",
            "codice cliente",
            "id cliente",
            "code",
        ),
        "name": ("name", "nome", "nominativo", "cliente", "nome e cognome", "customer"),
        "company": ("company", "azienda", "ragione sociale", "societa", "ditta"),
        "email": ("email", "e-mail", "mail", "indirizzo email", "posta elettronica"),
        "phone": ("phone", "telefono", "tel", "cellulare", "mobile"),
        "segment": ("segment", "segmento", "categoria", "settore"),
        "preferred_language": ("language", "lingua"),
        "status": ("status", "stato"),
        "kind": ("kind", "tipo", "tipologia"),
        "notes": ("notes", "note", "comment", "commento"),
    },
    "contracts": {
        "external_id": (
            "external id",
            "id esterno",
            "codice contratto",
            "contratto",
            "numero",
            "code",
        ),
        "customer_external_id": (
            "customer external id",
            "codice cliente",
            "id cliente",
            "cliente codice",
        ),
        "customer_email": ("customer email", "email cliente", "email", "e-mail", "mail"),
        "title": ("title", "titolo", "descrizione", "oggetto"),
        "start_date": ("start date", "start", "inizio", "data inizio", "decorrenza"),
        "renewal_date": ("renewal date", "renewal", "rinnovo", "data rinnovo", "scadenza"),
        "yearly_value": (
            "yearly value",
            "value",
            "valore",
            "valore annuo",
            "importo",
            "canone annuo",
        ),
        "auto_renew": ("auto renew", "rinnovo automatico", "tacito rinnovo"),
    },
    "interactions": {
        "external_id": ("external id", "id esterno", "codice", "numero", "code"),
        "customer_external_id": ("customer external id", "codice cliente", "id cliente"),
        "customer_email": ("customer email", "email cliente", "email", "e-mail", "mail"),
        "touchpoint": ("touchpoint", "tipo", "punto di contatto", "attivita"),
        "channel": ("channel", "canale"),
        "occurred_at": ("occurred at", "date", "data", "quando", "data e ora"),
        "text": ("text", "description", "descrizione", "note", "comment", "testo"),
        "requested_at": ("requested at", "richiesta", "data richiesta"),
        "scheduled_for": ("scheduled for", "programmato", "appuntamento", "data programmata"),
        "started_at": ("started at", "inizio", "data inizio", "arrivo"),
        "completed_at": ("completed at", "fine", "completato", "data fine", "chiusura"),
    },
}

REQUIRED = {
    "customers": (("name", "email", "external_id"),),
    "contracts": (("customer_external_id", "customer_email"), ("start_date",), ("renewal_date",)),
    "interactions": (("customer_external_id", "customer_email"), ("touchpoint",)),
}


FIELD_LABELS = {
    "external_id": _lazy("Code in your system"),
    "name": _lazy("Name"),
    "company": _lazy("Company"),
    "email": _lazy("Email"),
    "phone": _lazy("Phone"),
    "segment": _lazy("Segment"),
    "preferred_language": _lazy("Language"),
    "status": _lazy("Status"),
    "kind": _lazy("Kind"),
    "notes": _lazy("Notes"),
    "customer_external_id": _lazy("Customer's code"),
    "customer_email": _lazy("Customer's email"),
    "title": _lazy("Title"),
    "start_date": _lazy("Start date"),
    "renewal_date": _lazy("Renewal date"),
    "yearly_value": _lazy("Yearly value"),
    "auto_renew": _lazy("Renews automatically"),
    "touchpoint": _lazy("Touchpoint"),
    "channel": _lazy("Channel"),
    "occurred_at": _lazy("When"),
    "text": _lazy("Description"),
    "requested_at": _lazy("Requested at"),
    "scheduled_for": _lazy("Scheduled for"),
    "started_at": _lazy("Started at"),
    "completed_at": _lazy("Completed at"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


class SheetError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line of the file, cells)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, reason
    dry_run: bool = False

    @property
    def good(self) -> int:
        return self.created + self.updated


def _plain(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def sheet_read(data: bytes, filename: str) -> Sheet:
    """The header and the non-empty rows of a CSV or XLSX file."""
    if len(data) > MAX_BYTES:
        raise SheetError(
            _("The file is too big; the limit is %(limit)s MB.") % {"limit": MAX_BYTES // 2**20}
        )
    if filename.lower().endswith((".xlsm", ".xltm", ".xlsb")):
        raise SheetError(_("Workbooks with macros are not accepted: save it as .xlsx or CSV."))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        _zip_check(data)
        return _xlsx(data)
    try:
        text = decode_text(data)
    except CsvFileError as error:
        raise SheetError(str(error)) from None
    if not text.strip():
        raise SheetError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        lines = list(reader)
    except csv.Error as error:
        raise SheetError(
            _("The file is not valid CSV near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    return _sheet(lines, numbers=None)


def _sheet(lines: list[list[str]], numbers: list[int] | None) -> Sheet:
    if not lines:
        raise SheetError(_("The file is empty."))
    headers = [clean_text(str(h or ""), multiline=False).strip() for h in lines[0]]
    rows = []
    for index, cells in enumerate(lines[1:], start=2):
        texts = [clean_text(str(c), multiline=True).strip() if c is not None else "" for c in cells]
        if any(texts):
            rows.append(((numbers[index - 1] if numbers else index), texts))
    return Sheet(headers, rows)


def _zip_check(data: bytes) -> None:
    """Refuse, before parsing, a workbook that unpacks to more than MAX_UNPACKED_BYTES or
    carries macros (a `vbaProject.bin` part, whatever the file is called)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError(_("This is not an Excel file Ascolto can read (.xlsx).")) from None
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES or len(parts) > 10_000:
        raise SheetError(
            _("The file is too big once unpacked; the limit is %(limit)s MB.")
            % {"limit": MAX_UNPACKED_BYTES // 2**20}
        )
    if any(part.filename.lower().endswith("vbaproject.bin") for part in parts):
        raise SheetError(_("Workbooks with macros are not accepted: save it as .xlsx or CSV."))


def _xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file problem
        raise SheetError(_("This is not an Excel file Ascolto can read (.xlsx).")) from None
    sheet = book.worksheets[0]
    lines, numbers = [], []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        lines.append([_xlsx_cell(value) for value in row])
        numbers.append(number)
    book.close()
    return _sheet(lines, numbers)


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%d/%m/%Y %H:%M")
            if value.time() != time.min
            else value.strftime("%d/%m/%Y")
        )
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def mapping_guess(*, workspace: Workspace, kind: str, headers: list[str]) -> dict[int, str]:
    """Which field each column holds: the workspace's remembered choice for that header, else
    the known Italian and English names."""
    remembered = (
        ImportMapping.objects.filter(workspace=workspace, kind=kind)
        .values_list("mapping", flat=True)
        .first()
        or {}
    )
    names = {
        _plain(alias): name
        for name, aliases in FIELDS[kind].items()
        for alias in (name.replace("_", " "), *aliases)
    }
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        key = _plain(header)
        field_name = remembered.get(key) or names.get(key, "")
        if field_name in FIELDS[kind] and field_name not in taken:
            mapping[index] = field_name
            taken.add(field_name)
    return mapping


def mapping_remember(
    *, workspace: Workspace, by: Membership, kind: str, headers: list[str], mapping: dict[int, str]
) -> None:
    """Keep the chosen column of each header for the next file of this kind."""
    require_member(by, workspace, Role.MANAGER)
    chosen = {_plain(headers[i]): name for i, name in mapping.items() if i < len(headers) and name}
    ImportMapping.objects.update_or_create(
        workspace=workspace, kind=kind, defaults={"mapping": chosen}
    )


def mapping_problems(kind: str, mapping: dict[int, str]) -> list[str]:
    chosen = set(mapping.values())
    problems = []
    for group in REQUIRED[kind]:
        if not chosen & set(group):
            problems.append(
                _("Choose a column for: %(fields)s.")
                % {"fields": _(" or ").join(field_label(name) for name in group)}
            )
    return problems


# --- Values as Italian spreadsheets write them -------------------------------------------------
_DATE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")


class BadValue(ValueError):
    pass


def _date_parts(value: str) -> tuple[date, time | None]:
    value = value.strip()
    m = _DATE.match(value)
    if m:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        year = year + 2000 if year < 100 else year
        hour = time(int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
    else:
        m = _ISO.match(value)
        if not m:
            raise BadValue(_("Write the date as dd/mm/yyyy."))
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        hour = time(int(m[4]), int(m[5]), int(m[6] or 0)) if m[4] else None
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise BadValue(_("This date does not exist.")) from None
    if not 2000 <= year <= 2100:
        raise BadValue(_("Use a date between 2000 and 2100."))
    return day_value, hour


def parse_date(value: str) -> date:
    return _date_parts(value)[0]


def parse_datetime(value: str, workspace: Workspace) -> datetime:
    day, hour = _date_parts(value)
    return datetime.combine(day, hour or time(12, 0), tzinfo=workspace_zone(workspace))


def parse_decimal(value: str) -> Decimal:
    text = value.strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(_("Write a number, e.g. 1.200,50.")) from None
    if not number.is_finite():
        raise BadValue(_("Write a number, e.g. 1.200,50."))
    return number


def parse_bool(value: str) -> bool:
    text = _plain(value)
    if text in ("si", "s", "yes", "y", "true", "vero", "1", "x"):
        return True
    if text in ("no", "n", "false", "falso", "0", ""):
        return False
    raise BadValue(_("Write sì or no."))


_CHOICES = {
    "status": {
        "attivo": "active",
        "active": "active",
        "prospect": "prospect",
        "potenziale": "prospect",
        "perso": "lost",
        "lost": "lost",
    },
    "kind": {
        "esterno": "external",
        "external": "external",
        "interno": "internal",
        "internal": "internal",
    },
    "preferred_language": {
        "it": "it",
        "italiano": "it",
        "italian": "it",
        "en": "en",
        "inglese": "en",
        "english": "en",
    },
}


# --- One row ----------------------------------------------------------------------------------
def _values(cells: list[str], mapping: dict[int, str]) -> dict[str, str]:
    return {name: (cells[i] if i < len(cells) else "") for i, name in mapping.items()}


def _customer_of(workspace: Workspace, values: dict[str, str]) -> Customer:
    external = values.get("customer_external_id", "").strip()
    email = values.get("customer_email", "").strip()
    customer = None
    if external:
        customer = records.external_ref_find(
            workspace=workspace,
            kind=ExternalRef.Kind.CUSTOMER,
            external_id=external,
            model=Customer,
        )
        if customer is None:
            raise ValidationError({"customer_external_id": _("No customer with this code.")})
    elif email:
        customer = (
            Customer.objects.for_workspace(workspace)
            .filter(email__iexact=email)
            .order_by("pk")
            .first()
        )
        if customer is None:
            raise ValidationError({"customer_email": _("No customer with this email.")})
    else:
        raise ValidationError({"customer_email": _("Give the customer's code or email.")})
    return customer


def _row_key(kind: str, values: dict[str, str]) -> str:
    """An external id made from the row itself, so a row without one is imported once."""
    digest = hashlib.sha256("\x1f".join(f"{k}={values[k]}" for k in sorted(values)).encode())
    return f"import:{kind}:{digest.hexdigest()[:40]}"


def _import_customer(workspace, by, values, new_segments: bool):
    fields: dict[str, Any] = {}
    for name in ("name", "company", "email", "phone", "notes"):
        if values.get(name):
            fields[name] = values[name]
    for name, choices in _CHOICES.items():
        if values.get(name):
            choice = choices.get(_plain(values[name]))
            if choice is None:
                raise ValidationError(
                    {name: _("Not a value Ascolto knows: %(value)s.") % {"value": values[name]}}
                )
            fields[name] = choice
    segment = values.get("segment", "").strip() or None
    if (
        segment
        and not new_segments
        and not Segment.objects.filter(workspace=workspace, name__iexact=segment).exists()
    ):
        raise ValidationError(
            {"segment": _("There is no segment called %(name)s.") % {"name": segment}}
        )
    return records.customer_upsert(
        workspace=workspace,
        by=by,
        external_id=values.get("external_id", ""),
        segment_name=segment,
        **fields,
    )


def _import_contract(workspace, by, values):
    customer = _customer_of(workspace, values)
    fields: dict[str, Any] = {"title": values.get("title", "")}
    for name in ("start_date", "renewal_date"):
        if not values.get(name):
            raise ValidationError({name: _("This field is required.")})
        try:
            fields[name] = parse_date(values[name])
        except BadValue as error:
            raise ValidationError({name: str(error)}) from None
    try:
        if values.get("yearly_value"):
            fields["yearly_value"] = parse_decimal(values["yearly_value"])
        if "auto_renew" in values:
            fields["auto_renew"] = parse_bool(values["auto_renew"])
    except BadValue as error:
        column = (
            "yearly_value"
            if "yearly_value" not in fields and values.get("yearly_value")
            else "auto_renew"
        )
        raise ValidationError({column: str(error)}) from None
    return records.contract_upsert(
        customer=customer,
        by=by,
        external_id=values.get("external_id") or _row_key("contracts", values),
        **fields,
    )


def _import_interaction(workspace, by, values):
    customer = _customer_of(workspace, values)
    code = values.get("touchpoint", "").strip()
    touchpoint = Touchpoint.objects.filter(workspace=workspace).filter(
        code__iexact=code
    ).first() or (
        Touchpoint.objects.filter(workspace=workspace, name_it__iexact=code).first()
        or Touchpoint.objects.filter(workspace=workspace, name_en__iexact=code).first()
    )
    if touchpoint is None:
        raise ValidationError({"touchpoint": _("No touchpoint called %(name)s.") % {"name": code}})
    fields: dict[str, Any] = {"touchpoint": touchpoint, "text": values.get("text", "")}
    if values.get("channel"):
        fields["channel"] = _plain(values["channel"]).replace(" ", "_")
    for name in ("occurred_at", "requested_at", "scheduled_for", "started_at", "completed_at"):
        if values.get(name):
            try:
                fields[name] = parse_datetime(values[name], workspace)
            except BadValue as error:
                raise ValidationError({name: str(error)}) from None
    return records.interaction_upsert(
        customer=customer,
        by=by,
        external_id=values.get("external_id") or _row_key("interactions", values),
        **fields,
    )


def rows_import(
    *,
    workspace: Workspace,
    by: Membership,
    kind: str,
    sheet: Sheet,
    mapping: dict[int, str],
    dry_run: bool = False,
    new_segments: bool = False,
    progress: Callable[[int], Any] | None = None,
    start: int = 0,
    chunk_size: int = 0,
    on_chunk: Callable[[ImportResult, int], Any] | None = None,
) -> ImportResult:
    """Import every row of `sheet` whose columns `mapping` names; each row in its own
    transaction (all rolled back at the end on a dry run). Any member may import customers
    and interactions; contracts need a manager, as on the pages.

    For the worker: `start` skips the rows done before (they still count for the repeated
    values of the file), and with `chunk_size` the rows go in chunks, each in one transaction
    that ends with `on_chunk(what the chunk did, rows done so far)`, so the caller's counters
    commit with the rows they count."""
    require_member(by, workspace, Role.MANAGER if kind == "contracts" else Role.AGENT)
    if kind not in KINDS:
        raise ValueError(kind)
    result = ImportResult(dry_run=dry_run)
    seen: dict[tuple[str, str], int] = {}
    columns = {
        name: sheet.headers[i] if i < len(sheet.headers) else name for i, name in mapping.items()
    }
    keys = ("external_id", "email") if kind == "customers" else ("external_id",)

    def repeated(line: int, values: dict[str, str]) -> tuple[str, int] | None:
        for key in keys:
            value = values.get(key, "").strip().lower()
            if value:
                first = seen.setdefault((key, value), line)
                if first != line:
                    return key, first
        return None

    def one(line: int, values: dict[str, str], into: ImportResult) -> None:
        again = repeated(line, values)
        if again is not None:
            key, first = again
            into.errors.append(
                (
                    line,
                    columns.get(key, key),
                    _("Repeated: already at line %(first)s of this file.") % {"first": first},
                )
            )
            return
        try:
            with transaction.atomic():
                if kind == "customers":
                    done = _import_customer(workspace, by, values, new_segments)
                elif kind == "contracts":
                    done = _import_contract(workspace, by, values)
                else:
                    done = _import_interaction(workspace, by, values)
        except ValidationError as error:
            items = (
                error.message_dict.items()
                if hasattr(error, "error_dict")
                else [(None, error.messages)]
            )
            for name, messages in items:
                column = columns.get(name or "", name or "")
                for message in messages:
                    into.errors.append((line, str(column or ""), str(message)))
            return
        except StatusChangeRefused as error:
            field = getattr(error, "field", None) or ""
            into.errors.append((line, str(columns.get(field, field)), str(error.reason)))
            return
        except PermissionDenied:
            into.errors.append((line, "", _("You may not import this.")))
            return
        if done.created:
            into.created += 1
        else:
            into.updated += 1

    if dry_run:
        with transaction.atomic():
            for line, cells in sheet.rows:
                one(line, _values(cells, mapping), result)
                if progress:
                    progress(1)
            transaction.set_rollback(True)
        return result
    for line, cells in sheet.rows[:start]:
        repeated(line, _values(cells, mapping))
    size = chunk_size or 500
    for begin in range(start, len(sheet.rows), size):
        part = sheet.rows[begin : begin + size]
        with transaction.atomic():
            done = ImportResult()
            for line, cells in part:
                one(line, _values(cells, mapping), done)
                if progress:
                    progress(1)
            if on_chunk:
                on_chunk(done, begin + len(part))
        result.created += done.created
        result.updated += done.updated
        result.errors.extend(done.errors)
    return result


# --- Imports run by the worker, with their progress -----------------------------------------------

CHUNK_SIZE = 200


def import_folder() -> Path:
    """Where uploaded files wait for their import (the data folder, never served)."""
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _enqueue(run_id: int) -> None:
    from ascolto.api.tasks import import_run_task

    import_run_task.enqueue(run_id)


@transaction.atomic
def import_run_create(
    *,
    workspace: Workspace,
    by: Membership,
    kind: str,
    token: str,
    filename: str,
    mapping: dict[int, str],
    new_segments: bool = False,
) -> ImportRun:
    """Queue the import of the uploaded file `token` (its rows counted now, for the progress
    bar); the worker imports it (`import_run_process`)."""
    require_member(by, workspace, Role.MANAGER if kind == "contracts" else Role.AGENT)
    if kind not in KINDS or not re.fullmatch(r"[A-Za-z0-9_-]{8,40}", token):
        raise ValidationError({"file": _("Choose the file again.")})
    sheet = sheet_read((import_folder() / f"{token}.upload").read_bytes(), filename)
    run = ImportRun.objects.create(
        workspace=workspace,
        created_by=by,
        kind=kind,
        filename=filename[:200],
        token=token,
        mapping={str(k): v for k, v in mapping.items()},
        new_segments=new_segments,
        total=len(sheet.rows),
        dispatched_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def import_run_process(*, run_id: int, owner: str | None = None) -> bool:
    """The worker's part (the system's own service): claim the run, import its rows from the
    first one not counted, chunk by chunk, each chunk with its counters in one transaction.
    False when the run is not claimable (done, or held by another worker)."""
    owner = owner or default_owner()
    run = lease_claim_one(ImportRun, run_id, owner=owner)
    if run is None:
        return False
    path = import_folder() / f"{run.token}.upload"
    try:
        sheet = sheet_read(path.read_bytes(), run.filename)
    except (OSError, SheetError) as error:
        lease_complete(run, owner=owner, finished_at=timezone.now(), last_error=str(error)[:500])
        return True
    by = Membership.objects.select_related("workspace").get(pk=run.created_by_id)
    mapping = {int(k): v for k, v in run.mapping.items()}

    def counted(done: ImportResult, processed: int) -> None:
        room = max(0, ImportRun.MAX_ERRORS - run.error_count)
        held = ImportRun.objects.filter(pk=run.pk, lease_owner=owner)
        run.errors = [*run.errors, *[list(e) for e in done.errors[:room]]]
        run.error_count += len(done.errors)
        updated = held.update(
            processed=processed,
            created=F("created") + done.created,
            updated=F("updated") + done.updated,
            errors=run.errors,
            error_count=run.error_count,
        )
        if not updated:  # the lease was lost: another worker owns the run now
            raise LeaseLost
        lease_extend(run, owner=owner)

    try:
        rows_import(
            workspace=by.workspace,
            by=by,
            kind=run.kind,
            sheet=sheet,
            mapping=mapping,
            new_segments=run.new_segments,
            start=run.processed,
            chunk_size=CHUNK_SIZE,
            on_chunk=counted,
        )
    except LeaseLost:
        return True
    if lease_complete(run, owner=owner, finished_at=timezone.now()):
        path.unlink(missing_ok=True)
    return True


class LeaseLost(Exception):
    """Another worker took the run over: stop without counting anything more."""


def import_runs_sweep(*, now: datetime | None = None) -> int:
    """Runs whose worker died: back to pending and queued again (the sweeper job)."""
    return lease_sweep(ImportRun.objects.all(), enqueue=_enqueue, now=now)
