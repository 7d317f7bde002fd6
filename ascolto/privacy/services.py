"""Data-subject requests: find a person across every app, export everything about them, erase
them (docs/privacy.md).

The tables a person's data can be in are listed once, in `inventory.py`; these functions walk
that list, so a new app's personal fields are found, exported and erased as soon as they are
classified there (and a test fails until they are).

This app writes other apps' tables directly, against the house rule that each app changes its
own rows through its services: erasure has to reach every personal column of every app in one
transaction, from one list that a test keeps complete, and a service per app would be a second
list to keep in step. Only blanking, pseudonyms and replacing a person's name, address or
number are written this way; aggregates (scores, counts, dates) are never touched, so NPS and the
dashboards' counts stay what they were.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models.functions import Cast, Replace
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.audit.models import Action
from ascolto.audit.services import audit_record
from ascolto.customers.models import ConsentEvent, Customer
from ascolto.customers.services import customer_surveys_opt_out
from ascolto.lib.exports import csv_bytes
from ascolto.privacy import inventory
from ascolto.privacy.inventory import Kind
from ascolto.privacy.journal import JournalEntry, identity_keys, journal_append, journal_entries
from ascolto.privacy.models import DataRequest, one_month_after
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

# Models without a `workspace` column reach it through another row.
WORKSPACE_PATHS: dict[str, str] = {
    "feedback.Answer": "response__workspace",
    "api.IdempotencyRecord": "token__workspace",
    "promises.CrisisStep": "crisis__workspace",
}
# Shorter names than this are not searched in free text: "Li" would be found everywhere.
MIN_NAME_NEEDLE = 4
MIN_PHONE_DIGITS = 7
REDACTED = "[…]"


# --- finding --------------------------------------------------------------------------------


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def subject_key(*, workspace: Workspace, value: str) -> str:
    """A keyed hash of an address or a phone number: it says "the same person" without
    keeping who (the request log keeps it after an erasure)."""
    normal = phone_digits(value) if "@" not in value else normalise_email(value)
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"privacy.subject:{workspace.pk}:{normal}".encode(),
        hashlib.sha256,
    ).hexdigest()


def _phone_digits_expression() -> models.Func:
    expression: Any = models.F("phone")
    for character in (" ", "-", ".", "/", "(", ")", "+"):
        expression = Replace(expression, models.Value(character), models.Value(""))
    return expression


def customers_matching(
    *, workspace: Workspace, email: str = "", phone: str = ""
) -> models.QuerySet:
    """The workspace's customers with this address (any case) or this phone number (compared
    by its digits, so `+39 333 123 4567` finds `393331234567`)."""
    email, digits = normalise_email(email), phone_digits(phone)
    if not email and len(digits) < MIN_PHONE_DIGITS:
        return Customer.objects.none()
    condition = models.Q()
    if email:
        condition |= models.Q(email__iexact=email)
    customers = Customer.objects.for_workspace(workspace).annotate(
        phone_digits=_phone_digits_expression()
    )
    if len(digits) >= MIN_PHONE_DIGITS:
        condition |= models.Q(phone_digits=digits) | models.Q(phone_digits__endswith=digits[-9:])
    return customers.filter(condition).order_by("name", "pk")


def person_find(
    *, workspace: Workspace, by: Membership, email: str = "", phone: str = ""
) -> list[Customer]:
    """Who this address or number is among the workspace's customers (owners only, recorded in
    the audit log without the address)."""
    require_member(by, workspace, Role.OWNER)
    found = list(customers_matching(workspace=workspace, email=email, phone=phone))
    audit_record(
        action=Action.PERSON_SEARCH,
        member=by,
        detail=_("%(count)s found") % {"count": len(found)},
    )
    return found


# --- what is stored about a person ------------------------------------------------------------


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _field(model: type[models.Model], name: str) -> models.Field:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _rows_of(label: str, customer: Customer) -> models.QuerySet:
    condition = models.Q(**{inventory.CUSTOMER_PATHS[label]: customer.pk})
    also_customer, also_email = inventory.CUSTOMER_ALSO.get(label, ("", ""))
    if also_customer:
        condition |= models.Q(**{also_customer: customer.pk})
    if also_email and customer.email:
        condition |= models.Q(workspace_id=customer.workspace_id) & models.Q(
            **{f"{also_email}__iexact": customer.email}
        )
    return _model(label)._default_manager.filter(condition)


def _exported_fields(label: str) -> list[models.Field]:
    kinds = inventory.kinds(label)
    return [f for f in _model(label)._meta.concrete_fields if kinds.get(f.name) is not Kind.SECRET]


def person_data(*, workspace: Workspace, customer: Customer) -> dict[str, list[dict[str, Any]]]:
    """Every row about `customer`, by table (`app.model`), without secrets (tokens, hashes)."""
    if customer.workspace_id != workspace.pk:
        raise ValidationError(_("This customer belongs to another workspace."))
    data: dict[str, list[dict[str, Any]]] = {}
    for label in inventory.CUSTOMER_PATHS:
        fields = _exported_fields(label)
        rows = list(_rows_of(label, customer).order_by("pk").values(*[f.attname for f in fields]))
        if rows:
            data[label.lower()] = rows
    return data


def _bundle(*, workspace: Workspace, customer: Customer) -> bytes:
    data = person_data(workspace=workspace, customer=customer)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(
                {
                    "exported_at": timezone.now(),
                    "workspace": workspace.name,
                    "customer": customer.pk,
                    "tables": data,
                },
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
                indent=2,
            ),
        )
        for section, rows in data.items():
            headers = list(rows[0])
            body = [
                [
                    json.dumps(v, cls=DjangoJSONEncoder) if isinstance(v, dict | list) else v
                    for v in row.values()
                ]
                for row in rows
            ]
            archive.writestr(f"{section}.csv", csv_bytes(headers, body))
    return buffer.getvalue()


def _request_done(
    *, workspace: Workspace, kind: str, customer: Customer, by: Membership | None
) -> DataRequest:
    """Close the open request of this kind for the customer, or log one answered now."""
    now = timezone.now()
    open_request = (
        DataRequest.objects.for_workspace(workspace)
        .filter(customer=customer, kind=kind, done_at__isnull=True)
        .order_by("received_at")
        .first()
    )
    request = open_request or DataRequest(workspace=workspace, kind=kind, customer=customer)
    request.subject_key = request.subject_key or (
        subject_key(workspace=workspace, value=customer.email or customer.phone)
        if (customer.email or customer.phone)
        else ""
    )
    request.done_at = now
    request.handled_by = by
    request.save()
    return request


def person_export(*, workspace: Workspace, by: Membership, customer: Customer) -> bytes:
    """A zip of everything stored about the customer: `data.json` and one CSV per table.
    Owners only; recorded in the audit log and the request log."""
    require_member(by, workspace, Role.OWNER)
    return person_export_for_administrator(workspace=workspace, customer=customer, by=by)


def person_export_for_administrator(
    *, workspace: Workspace, customer: Customer, by: Membership | None = None
) -> bytes:
    """The export without a member: `ascolto gdpr export`, run by the installation's
    administrator (docs/tenancy.md, "The system acts without a member")."""
    bundle = _bundle(workspace=workspace, customer=customer)
    with transaction.atomic():
        _request_done(workspace=workspace, kind=DataRequest.Kind.ACCESS, customer=customer, by=by)
        audit_record(action=Action.PERSON_EXPORT, workspace=workspace, member=by, target=customer)
    return bundle


# --- mentions ---------------------------------------------------------------------------------


def person_needles(customer: Customer) -> list[str]:
    """What identifies the customer in text: address, phone (as stored and as digits), name."""
    needles = []
    if customer.email:
        needles.append(customer.email.strip())
    if customer.phone.strip():
        needles.append(customer.phone.strip())
        digits = phone_digits(customer.phone)
        if len(digits) >= MIN_PHONE_DIGITS and digits != customer.phone.strip():
            needles.append(digits)
    for name in (customer.name, customer.company):
        if len(name.strip()) >= MIN_NAME_NEEDLE:
            needles.append(name.strip())
    return list(dict.fromkeys(needles))


def _json_forms(needle: str) -> list[str]:
    """The needle as it is written inside stored JSON text (non-ASCII escaped or not)."""
    escaped = json.dumps(needle)[1:-1]
    return [needle] if escaped == needle else [needle, escaped]


def _mentioning(model: type[models.Model], field: str, needles: list[str]) -> models.QuerySet:
    queryset = model._default_manager.all()
    is_json = isinstance(model._meta.get_field(field), models.JSONField)
    column = field
    if is_json:
        column = f"_{field}_text"
        queryset = queryset.annotate(**{column: Cast(field, models.TextField())})
    condition = models.Q()
    for needle in needles:
        for form in _json_forms(needle) if is_json else [needle]:
            condition |= models.Q(**{f"{column}__icontains": form})
    return queryset.filter(condition)


def _in_workspace(label: str, queryset: models.QuerySet, workspace: Workspace) -> models.QuerySet:
    model = queryset.model
    if label in WORKSPACE_PATHS:
        return queryset.filter(**{WORKSPACE_PATHS[label]: workspace})
    if any(f.name == "workspace" for f in model._meta.concrete_fields):
        return queryset.filter(workspace=workspace)
    return queryset  # the installation's own tables (tasks, the admin's history)


def _replace(value: Any, needles: list[str], by: str) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(re.escape(needle), by, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_replace(v, needles, by) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, needles, by) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Mention:
    """A row of someone else (another customer's notes, an answer) that names the person."""

    key: str  # "app.model:pk:field", what the redaction form sends back
    table: str
    pk: int
    field: str
    excerpt: str


def _excerpt(value: Any, needles: list[str]) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    lower = text.lower()
    for needle in needles:
        at = lower.find(needle.lower())
        if at >= 0:
            start, end = max(0, at - 40), min(len(text), at + len(needle) + 40)
            return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return text[:100]


def _mentions(
    workspace: Workspace, needles: list[str], exclude: Customer | None = None
) -> list[Mention]:
    found = []
    for label, name in inventory.fields_of_kind(Kind.FREE_TEXT):
        model = _model(label)
        rows = _in_workspace(label, _mentioning(model, name, needles), workspace)
        if exclude is not None and label in inventory.CUSTOMER_PATHS:
            rows = rows.exclude(pk__in=_rows_of(label, exclude).values("pk"))
        for pk, value in rows.order_by("pk").values_list("pk", name)[:200]:
            found.append(
                Mention(
                    key=f"{label}:{pk}:{name}",
                    table=str(model._meta.verbose_name),
                    pk=pk,
                    field=str(_field(model, name).verbose_name),
                    excerpt=_excerpt(value, needles),
                )
            )
    return found


def person_mentions(*, workspace: Workspace, customer: Customer) -> list[Mention]:
    """Free text elsewhere in the workspace (other customers' rows, answers) that names the
    customer, for the owner to redact by hand: it may be about someone else, and only a person
    can judge."""
    needles = person_needles(customer)
    return _mentions(workspace, needles, exclude=customer) if needles else []


# --- erasure ----------------------------------------------------------------------------------


@dataclass
class ErasureResult:
    pseudonym: str
    rows_blanked: int = 0
    generated_replaced: int = 0
    mentions_redacted: int = 0
    mentions_left: list[Mention] = field(default_factory=list)
    files_removed: int = 0


def _blank(model_field: models.Field) -> Any:
    if isinstance(model_field, models.JSONField):
        default = model_field.get_default()
        return default if isinstance(default, list | dict) else []
    return ""


def _pseudonym(workspace: Workspace) -> str:
    with translation.override(workspace.language):
        return _("Erased customer %(code)s") % {"code": secrets.token_hex(3).upper()}


def _blank_own_rows(customer: Customer, pseudonym: str) -> int:
    count = 0
    for label in inventory.CUSTOMER_PATHS:
        kinds = inventory.kinds(label)
        model = _model(label)
        updates = {
            name: _blank(_field(model, name))
            for name, kind in kinds.items()
            if kind in (Kind.SUBJECT, Kind.FREE_TEXT)
        }
        if label == "customers.Customer":
            updates["name"] = pseudonym
        if updates:
            count += _rows_of(label, customer).update(**updates)
    return count


def _drop_binary(
    model: type[models.Model], label: str, name: str, workspace: Workspace, needles: list[str]
) -> int:
    """Binary columns (a remembered API answer) cannot be searched by the database: read them
    (they are few and short-lived) and delete the rows that name the person."""
    lowered = [n.lower().encode() for n in needles]
    rows = _in_workspace(label, model._default_manager.all(), workspace)
    doomed = [
        pk
        for pk, value in rows.values_list("pk", name).iterator()
        if any(n in bytes(value or b"").lower() for n in lowered)
    ]
    return model._default_manager.filter(pk__in=doomed).delete()[0]


def _replace_generated(workspace: Workspace, needles: list[str], pseudonym: str) -> int:
    count = 0
    for label, name in inventory.fields_of_kind(Kind.GENERATED):
        model = _model(label)
        if isinstance(_field(model, name), models.BinaryField):
            count += _drop_binary(model, label, name, workspace, needles)
            continue
        rows = _in_workspace(label, _mentioning(model, name, needles), workspace)
        for pk, value in list(rows.values_list("pk", name)):
            model._default_manager.filter(pk=pk).update(
                **{name: _replace(value, needles, pseudonym)}
            )
            count += 1
    return count


def _redact(workspace: Workspace, keys: Iterable[str], needles: list[str]) -> int:
    count = 0
    allowed = set(inventory.fields_of_kind(Kind.FREE_TEXT))
    for key in keys:
        try:
            label, pk, name = key.split(":")
        except ValueError:
            continue
        if (label, name) not in allowed:
            continue
        model = _model(label)
        rows = _in_workspace(label, model._default_manager.filter(pk=pk), workspace)
        for row_pk, value in list(rows.values_list("pk", name)):
            model._default_manager.filter(pk=row_pk).update(
                **{name: _replace(value, needles, REDACTED)}
            )
            count += 1
    return count


def _outbox_messages(raw: bytes) -> list[str]:
    texts = []
    for chunk in raw.split(b"\n" + b"-" * 79 + b"\n"):
        if not chunk.strip():
            continue
        message = message_from_bytes(chunk, policy=email_policy.default)
        texts.append(" ".join(f"{k}: {v}" for k, v in message.items()))
        for part in message.walk():
            if part.get_content_maintype() == "text":
                try:
                    texts.append(str(part.get_content()))
                except (LookupError, ValueError):
                    continue
    return texts


def file_mentions(path: Path, needles: list[str]) -> bool:
    """True when the file names the person, in its bytes or, for saved emails, in its decoded
    headers and text parts (quoted-printable or base64 would hide an address from a plain
    search)."""
    raw = path.read_bytes()
    lowered = [n.lower() for n in needles]
    candidates = [raw.decode("utf-8", "replace")]
    if path.suffix == ".log":
        candidates += _outbox_messages(raw)
    return any(n in text.lower() for text in candidates for n in lowered)


def outbox_scrub(needles: list[str]) -> int:
    """Delete the saved copies of emails (the file email backend's folder) that name the
    person: the mail is sent, the copy is only a record of it."""
    folder = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not needles or not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.iterdir()):
        if path.is_file() and file_mentions(path, needles):
            path.unlink()
            removed += 1
    return removed


def database_compact() -> None:
    """On SQLite, rewrite the file without the freed pages (which still hold the old values)
    and empty the write-ahead log. Skipped inside a transaction, where SQLite cannot do it."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def person_erase(
    *, workspace: Workspace, by: Membership, customer: Customer, redact: Iterable[str] = ()
) -> ErasureResult:
    """Erase the customer (owners only): see `person_erase_for_administrator`."""
    require_member(by, workspace, Role.OWNER)
    return person_erase_for_administrator(
        workspace=workspace, customer=customer, redact=redact, by=by
    )


def person_erase_for_administrator(
    *,
    workspace: Workspace,
    customer: Customer,
    redact: Iterable[str] = (),
    by: Membership | None = None,
    compact: bool = True,
    journal: bool = True,
) -> ErasureResult:
    """Pseudonymise the customer: the row stays (so their scores, answers' numbers, checks and
    the dashboards' counts stay exactly as they were) under a name like "Erased customer
    3F9A2C", with address, phone, company and every free text about them blank. Notification
    texts, mail errors, task arguments and the admin's history have the name, address and
    phone replaced by the pseudonym; the free-text `redact` mentions (from `person_mentions`)
    have them replaced by "[…]"; the rest are returned for the owner to judge. Saved copies of
    emails naming them are deleted, and a SQLite file is compacted. Logged (request log, audit
    log) without the name, and noted in the erasure journal (`journal.py`) so that a restored
    backup can be erased again (`erasures_reapply`)."""
    if customer.workspace_id != workspace.pk:
        raise ValidationError(_("This customer belongs to another workspace."))
    needles = person_needles(customer)
    pseudonym = _pseudonym(workspace)
    result = ErasureResult(pseudonym=pseudonym)
    redact = list(redact)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if journal:
            journal_append(customer=customer, redact=redact)
        _request_done(workspace=workspace, kind=DataRequest.Kind.ERASURE, customer=customer, by=by)
        customer_surveys_opt_out(customer=customer, source=ConsentEvent.Source.ERASURE)
        result.rows_blanked = _blank_own_rows(customer, pseudonym)
        if needles:
            result.generated_replaced = _replace_generated(workspace, needles, pseudonym)
            result.mentions_redacted = _redact(workspace, redact, needles)
            result.mentions_left = _mentions(workspace, needles)
        audit_record(action=Action.PERSON_ERASED, workspace=workspace, member=by, target=customer)
    result.files_removed = outbox_scrub(needles)
    if compact:
        database_compact()
    return result


# --- after a restore: the journal -----------------------------------------------------------


@dataclass(frozen=True)
class Reapplied:
    entry: JournalEntry
    outcome: str  # "erased", "already erased", "not in this database"
    pseudonym: str = ""


def erasures_reapply(*, path: Path | None = None) -> list[Reapplied]:
    """Erase again everyone the erasure journal names who is back in the database (a restored
    backup older than their erasure): the customer with the journal's id, in its workspace,
    still carrying the address, phone or name that was erased. The mentions the owner chose
    to redact then are redacted again. Not noted in the journal a second time. See
    `journal.py`."""
    done = []
    touched = False
    for entry in journal_entries(path):
        customer = (
            Customer.objects.filter(pk=entry.customer, workspace_id=entry.workspace)
            .select_related("workspace")
            .first()
        )
        if customer is None:
            done.append(Reapplied(entry, "not in this database"))
            continue
        if not entry.keys & set(identity_keys(customer)):
            done.append(Reapplied(entry, "already erased"))
            continue
        result = person_erase_for_administrator(
            workspace=customer.workspace,
            customer=customer,
            redact=entry.redact,
            compact=False,
            journal=False,
        )
        touched = True
        done.append(Reapplied(entry, "erased", result.pseudonym))
    if touched:
        database_compact()
    return done


# --- the request log --------------------------------------------------------------------------


@transaction.atomic
def data_request_log(
    *,
    workspace: Workspace,
    by: Membership,
    kind: str,
    received_at: datetime,
    channel: str = "",
    email: str = "",
    phone: str = "",
) -> DataRequest:
    """Log a request a person made (by email, letter, at the desk): due one month after it was
    received. The person is linked when they are a customer with this address or number; only
    a keyed hash of the address is kept."""
    require_member(by, workspace, Role.OWNER)
    if kind not in DataRequest.Kind.values:
        raise ValidationError({"kind": _("Choose what the person asks.")})
    if received_at > timezone.now():
        raise ValidationError({"received_at": _("The date cannot be in the future.")})
    customer = customers_matching(workspace=workspace, email=email, phone=phone).first()
    contact = email or phone
    request = DataRequest(
        workspace=workspace,
        kind=kind,
        customer=customer,
        channel=channel.strip()[:40],
        received_at=received_at,
        due_at=one_month_after(received_at),
        subject_key=subject_key(workspace=workspace, value=contact) if contact else "",
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def data_request_close(*, data_request: DataRequest, by: Membership) -> DataRequest:
    """Mark a request answered (an answer given outside Ascolto, e.g. a correction)."""
    require_member(by, data_request.workspace_id, Role.OWNER)
    DataRequest.objects.filter(pk=data_request.pk, done_at__isnull=True).update(
        done_at=timezone.now(), handled_by=by
    )
    data_request.refresh_from_db()
    return data_request
