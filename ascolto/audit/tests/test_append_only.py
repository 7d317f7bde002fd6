"""The audit log is append-only below the ORM (docs/audit.md): the database's triggers refuse
UPDATE and DELETE on `audit_auditentry` whatever sends them, on SQLite and PostgreSQL, except
the declared paths (retention's purge, a workspace deleted, an account deleted); and the
triggers follow the table: a column added to it and not to them fails here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ascolto.audit.models import Action, AuditEntry, AuditPurgePermit
from ascolto.audit.services import audit_record
from ascolto.audit.triggers import COLUMNS, TABLE, TRIGGERS
from ascolto.lib.dbtriggers import triggers_in
from ascolto.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: tuple = ()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _entry(member, *, object_id: str, at=None) -> AuditEntry:
    if at is None:
        return audit_record(
            action=Action.EXPORT, member=member, object_type="table", object_id=object_id
        )
    return AuditEntry.objects.create(
        action=Action.EXPORT,
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        object_type="table",
        object_id=object_id,
        at=at,
    )


def test_the_table_and_its_triggers_agree():
    """Fails when the table gains or loses a column the UPDATE trigger does not compare, or
    the triggers are not the declared ones."""
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, TABLE)]
    assert sorted(columns) == sorted(COLUMNS)
    found = {t.name: t for t in triggers_in(connection) if t.table == TABLE}
    assert set(found) == set(TRIGGERS)
    update = found["audit_entry_no_update"]
    text = update.sql + getattr(update, "body", "")
    for column in COLUMNS:
        assert f"NEW.{column}" in text, f"the update trigger does not compare {column}"


def test_raw_sql_cannot_change_or_delete_an_entry(alice):
    entry = _entry(alice, object_id="summary")
    for sql in (
        f"UPDATE {TABLE} SET detail = 'forged' WHERE id = %s",  # noqa: S608
        f"UPDATE {TABLE} SET at = at WHERE id = %s",  # noqa: S608 (even a no-op is refused)
        f"UPDATE {TABLE} SET user_id = NULL, detail = 'x' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {TABLE} WHERE id = %s",  # noqa: S608
    ):
        with pytest.raises(DatabaseError, match="audit entries cannot be changed or deleted"):
            _raw(sql, (entry.pk,))
    with pytest.raises(DatabaseError):
        _raw(f"DELETE FROM {TABLE}")  # noqa: S608
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_retention_purges_only_what_is_older_than_its_cutoff(alice):
    old = _entry(alice, object_id="old", at=timezone.now() - timedelta(days=800))
    new = _entry(alice, object_id="new")
    assert AuditEntry.objects.purge_before(timezone.now() - timedelta(days=730)) == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [new.pk]
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert not AuditPurgePermit.objects.exists()
    # Without a permit the same delete is refused.
    _entry(alice, object_id="old again", at=timezone.now() - timedelta(days=800))
    with pytest.raises(DatabaseError):
        _raw(f"DELETE FROM {TABLE} WHERE object_id = 'old again'")  # noqa: S608


def test_deleting_an_account_keeps_its_entries_without_it(alice):
    entry = _entry(alice, object_id="summary")
    User.objects.filter(pk=alice.user_id).delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.user_id is None and entry.object_id == "summary" and entry.who


def test_deleting_a_workspace_takes_its_entries_only(alice, mallory, workspace_a):
    _entry(alice, object_id="a")
    theirs = _entry(mallory, object_id="b")
    Workspace.objects.filter(pk=workspace_a.pk).delete()
    assert list(AuditEntry.objects.filter(object_type="table").values_list("pk", flat=True)) == [
        theirs.pk
    ]
    assert not AuditPurgePermit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_entries_committed_for_real_are_guarded_and_the_database_can_still_be_emptied(alice):
    """Committed (not inside the test's transaction); the flush after this test empties the
    table through the backend's permit (SQLite) or TRUNCATE (PostgreSQL)."""
    entry = _entry(alice, object_id="committed")
    with pytest.raises(DatabaseError):
        _raw(f"UPDATE {TABLE} SET detail = 'forged' WHERE id = %s", (entry.pk,))  # noqa: S608
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""
