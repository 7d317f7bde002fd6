"""The audit table's append-only triggers, declared in one place (docs/audit.md).

`AuditEntry` refuses changes in the ORM; these triggers refuse them in the database too, for
every UPDATE and DELETE on `audit_auditentry` whatever sends it (raw SQL, another program, a
mistaken migration), on SQLite and PostgreSQL. The exceptions, written into the triggers:

- UPDATE that only empties `user_id` (the account was deleted: Django's SET_NULL), every other
  column unchanged;
- DELETE of rows an `audit_auditpurgepermit` row of the same transaction allows: older than its
  `before` (retention, `AuditEntry.objects.purge_before`), of its `workspace_id` (a workspace
  being deleted, `receivers.on_workspace_pre_delete`), or all (`everything`, the SQLite
  backend's flush).

`COLUMNS` are the table's columns, each compared in the UPDATE trigger: a column added to the
table and not to the trigger could be changed with the account's removal, so
`tests/test_append_only.py` fails when the table's columns and these differ, or when the
database's triggers are not exactly `TRIGGERS`. A migration that changes the table must keep
the triggers (`ascolto.lib.dbtriggers.KeepTriggers`), checked by
`dashboards/tests/test_triggers.py` like the dashboards' own.
"""

from __future__ import annotations

TABLE = "audit_auditentry"
PERMITS = "audit_auditpurgepermit"
MIGRATION = "0003_append_only"

# trigger name -> (table it fires on, audit migration that creates it)
TRIGGERS: dict[str, tuple[str, str]] = {
    "audit_entry_no_update": (TABLE, MIGRATION),
    "audit_entry_no_delete": (TABLE, MIGRATION),
}

COLUMNS = (
    "id",
    "at",
    "workspace_id",
    "user_id",
    "who",
    "ip",
    "action",
    "object_type",
    "object_id",
    "detail",
)
