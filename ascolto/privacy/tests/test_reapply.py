"""Erasures after a restore (test plan P05): `ascolto gdpr reapply` erases again, from the
erasure journal, whoever a restored backup older than their erasure brings back.

GIVEN an installation with a person (and another customer's note naming them)
WHEN a backup is taken, the person is erased, the backup is restored (the person is back)
     and `ascolto gdpr reapply` runs
THEN the person is in no table again, the note is redacted again, the journal was neither in
     the backup nor overwritten by the restore, and a second reapply changes nothing.
On the run's database (SQLite file, or PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import json
import secrets
import tarfile

import pytest

from ascolto.customers.models import Customer
from ascolto.customers.tests.factories import CustomerFactory
from ascolto.privacy import services
from ascolto.privacy.journal import identity_keys, journal_entries, journal_path
from ascolto.privacy.tests.seed import EMAIL, NAME, PHONE, PHONE_DIGITS

NEEDLES = [NAME, EMAIL, PHONE, PHONE_DIGITS]

SEED = f"""
from ascolto.customers.models import Customer
from ascolto.workspaces.models import Workspace
workspace = Workspace.objects.create(name="Officina Reapply")
customer = Customer.objects.create(
    workspace=workspace, name={NAME!r}, email={EMAIL!r}, phone={PHONE!r}, notes="cliente storica"
)
other = Customer.objects.create(
    workspace=workspace, name="Marco Bellini", notes="cugino di " + {NAME!r}
)
result = [customer.pk, other.pk]
"""

SCAN = f"""
from ascolto.privacy.tests.scan import table_hits
result = table_hits({NEEDLES!r})
"""


def _name_of(db, pk: int) -> str:
    return db.query("SELECT name FROM customers_customer WHERE id = %s", (pk,))[0][0]


def test_backup_erase_restore_reapply_erases_the_person_again(external_db):
    db = external_db
    db.env["ASCOLTO_LANGUAGE"] = "en"  # the commands' messages, as asserted below
    journal = db.data_dir / "privacy" / "erasure-journal.jsonl"
    customer_pk, other_pk = db.django(SEED)
    backup_file = db.data_dir.parent / f"backup-{secrets.token_hex(3)}.tar.gz"
    assert db.run("backup", "--output", str(backup_file)).returncode == 0

    erased = db.run("gdpr", "erase", "--email", EMAIL, "--no-input", "--redact-mentions")
    assert erased.returncode == 0, erased.stderr[-2000:]
    assert _name_of(db, customer_pk) != NAME
    assert db.django(SCAN) == []
    lines = journal.read_text().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["customer"] == customer_pk
    assert entry["redact"] == [f"customers.Customer:{other_pk}:notes"]
    # The journal names nobody: ids and keyed hashes only.
    assert not any(n.lower() in lines[0].lower() for n in NEEDLES)

    restored = db.run("restore", str(backup_file), "--no-input", timeout=300)
    assert restored.returncode == 0, restored.stderr[-2000:]
    assert "gdpr reapply" in restored.stdout
    # The backup brought the person back; the journal survived the restore.
    assert _name_of(db, customer_pk) == NAME
    hits = db.django(SCAN)
    assert {table for table, _column, _needle in hits} == {"customers_customer"}
    assert journal.read_text().splitlines() == lines
    with tarfile.open(backup_file) as archive:
        assert not any("erasure-journal" in name for name in archive.getnames())

    again = db.run("gdpr", "reapply")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "1 erased again, 0 already erased, 0 not in this database." in again.stdout
    assert _name_of(db, customer_pk) != NAME
    assert db.django(SCAN) == []
    note = db.query("SELECT notes FROM customers_customer WHERE id = %s", (other_pk,))[0][0]
    assert note == "cugino di […]"
    assert len(journal.read_text().splitlines()) == 1  # not noted a second time

    twice = db.run("gdpr", "reapply")
    assert "0 erased again, 1 already erased, 0 not in this database." in twice.stdout


@pytest.mark.django_db
def test_each_erasure_is_journaled_without_personal_data(workspace_a, alice):
    customer = CustomerFactory(workspace=workspace_a, name=NAME, email=EMAIL, phone=PHONE)
    keys = set(identity_keys(customer))
    services.person_erase(workspace=workspace_a, by=alice, customer=customer)
    entries = list(journal_entries())
    assert [(e.workspace, e.customer) for e in entries] == [(workspace_a.pk, customer.pk)]
    assert entries[0].keys == keys and len(keys) == 3
    raw = journal_path().read_text().lower()
    assert not any(n.lower() in raw for n in NEEDLES)
    assert journal_path().stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_reapply_erases_only_who_is_back_under_the_same_identity(workspace_a, alice):
    """GIVEN two erased customers WHEN one comes back as it was (a restore) and the other's id
    now holds someone else THEN only the first is erased again."""
    back = CustomerFactory(workspace=workspace_a, name=NAME, email=EMAIL, phone=PHONE)
    other = CustomerFactory(workspace=workspace_a, name="Paolo Neri", email="paolo@example.it")
    for customer in (back, other):
        services.person_erase(workspace=workspace_a, by=alice, customer=customer)
    Customer.objects.filter(pk=back.pk).update(name=NAME, email=EMAIL, phone=PHONE)
    Customer.objects.filter(pk=other.pk).update(name="Anna Verdi", email="anna@example.it")
    done = services.erasures_reapply()
    assert [(d.entry.customer, d.outcome) for d in done] == [
        (back.pk, "erased"),
        (other.pk, "already erased"),
    ]
    back.refresh_from_db()
    assert back.email == "" and back.name != NAME
    assert Customer.objects.get(pk=other.pk).name == "Anna Verdi"
