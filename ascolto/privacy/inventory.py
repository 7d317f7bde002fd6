"""Every column that can hold text, in every table of the installation, and what it is to a
data subject (a customer of the business). One table, so that finding, exporting and erasing a
person miss nothing, and a test (`tests/test_inventory.py`) fails when a model or a text field
is added without a line here.

Kinds:

- SUBJECT: about the customer the row belongs to (name, address, phone, their own notes).
  Exported; on erasure blanked (the name becomes a pseudonym).
- FREE_TEXT: typed by staff or by customers; about the row's customer, and may mention anyone.
  Exported; on erasure blanked on the customer's own rows, and searched in everyone else's rows
  for mentions of the person, listed for redaction.
- GENERATED: written by the system from other data (notification texts, mail errors, task
  arguments, the admin's history); may repeat a name or an address. On erasure every occurrence
  is replaced by the pseudonym, in every row, automatically.
- STAFF: about members of the business (their accounts, sign-in attempts), not customers.
- SECRET: tokens, hashes and salts: never exported.
- NONE: codes, settings, catalogues, labels the business wrote, numbers as text.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    SUBJECT = "subject"
    FREE_TEXT = "free_text"
    GENERATED = "generated"
    STAFF = "staff"
    SECRET = "secret"  # noqa: S105 (a kind of field, not a password)
    NONE = "none"


S, F, G, T, X, N = Kind.SUBJECT, Kind.FREE_TEXT, Kind.GENERATED, Kind.STAFF, Kind.SECRET, Kind.NONE

_LEASED = {"state": N, "lease_owner": N, "last_error": G}

FIELDS: dict[str, dict[str, Kind]] = {
    # Django and third-party tables.
    "admin.LogEntry": {"object_id": N, "object_repr": G, "change_message": G},
    "auth.Permission": {"name": N, "codename": N},
    "auth.Group": {"name": N},
    "auth.User": {"password": X, "username": T, "first_name": T, "last_name": T, "email": T},
    "contenttypes.ContentType": {"app_label": N, "model": N},
    # Signed and encoded: holds the member's session, never a customer's data.
    "sessions.Session": {"session_key": X, "session_data": X},
    "axes.AccessFailureLog": {
        "user_agent": T,
        "ip_address": T,
        "username": T,
        "http_accept": N,
        "path_info": N,
    },
    "axes.AccessAttempt": {
        "user_agent": T,
        "ip_address": T,
        "username": T,
        "http_accept": N,
        "path_info": N,
        "get_data": T,
        "post_data": T,
    },
    "axes.AccessLog": {
        "user_agent": T,
        "ip_address": T,
        "username": T,
        "http_accept": N,
        "path_info": N,
        "session_hash": X,
    },
    "django_tasks_database.DBTaskResult": {
        "status": N,
        "args_kwargs": G,
        "task_path": N,
        "worker_ids": N,
        "queue_name": N,
        "backend_name": N,
        "return_value": G,
        "exception_class_path": N,
        "traceback": G,
    },
    # Ascolto.
    "core.ScheduledRun": {**_LEASED, "job": N, "period_key": N},
    "workspaces.Workspace": {
        "name": N,
        "language": N,
        "time_zone": N,
        "currency": N,
        "opening_hours": N,
        "closed_days": N,
        "customer_address": N,
    },
    "workspaces.Membership": {"role": N},
    "workspaces.MemberInvitation": {
        **_LEASED,
        "email": T,
        "role": N,
        "token_hash": X,
        "token_salt": X,
    },
    "workspaces.PasswordResetEmail": {**_LEASED},
    "workspaces.RecoveryCode": {"code_hash": X},
    "core.RateCounter": {"key": X, "limit": N},
    "otp_totp.TOTPDevice": {"key": X, "name": T},
    # Masked addresses of staff, objects by id only (docs/audit.md).
    "audit.AuditEntry": {
        "who": T,
        "ip": T,
        "action": N,
        "object_type": N,
        "object_id": N,
        "detail": N,
    },
    "customers.Segment": {"name": N},
    "customers.Customer": {
        "kind": N,
        "name": S,
        "company": S,
        "email": S,
        "phone": S,
        "preferred_language": N,
        "status": N,
        "notes": F,
    },
    "customers.Contract": {"title": F},
    "customers.LostReason": {"code": N, "name_it": N, "name_en": N},
    "customers.LostRecord": {"details": F, "competitor": N},
    "customers.ConsentEvent": {"channel": N, "action": N, "source": N},
    "interactions.Touchpoint": {"code": N, "name_it": N, "name_en": N},
    "interactions.Interaction": {"channel": N, "text": F, "measures": N},
    "interactions.StaffSignal": {"text": F, "polarity": N},
    "notifications.Notification": {
        **_LEASED,
        "kind": N,
        "title": G,
        "body": G,
        "url": N,
    },
    "feedback.Survey": {
        "name": N,
        "kind": N,
        "title_it": N,
        "title_en": N,
        "intro_it": N,
        "intro_en": N,
        "thanks_it": N,
        "thanks_en": N,
    },
    "feedback.Question": {
        "kind": N,
        "role": N,
        "text_it": N,
        "text_en": N,
        "choices": N,
        "dimension": N,
    },
    "feedback.Invitation": {
        **_LEASED,
        "channel": N,
        "token_salt": X,
        "token_hash": X,
        "language": N,
        "message_id": N,
    },
    "feedback.OpenLink": {"token": X, "label": N, "language": N},
    "feedback.Response": {"language": N, "kind": N, "band": N, "import_key": X},
    "feedback.Answer": {"text": F, "choice": N},
    "feedback.Submission": {"answers": F, "error": G},
    "feedback.CadenceRule": {"name": N, "customer_kind": N},
    "feedback.CadenceTrigger": {"source_kind": N, "source_key": N},
    "textanalysis.TextAnalysis": {
        "source_kind": N,
        "text_hash": X,
        "language": N,
        "sentiment": N,
        "emotion": N,
        "predicted_sentiment": N,
        "predicted_emotion": N,
        "emotion_scores": N,
        "analyser_version": N,
        # The words of the text that made the prediction: pieces of the customer's text.
        "aspects": F,
        "explanation": F,
    },
    "textanalysis.TextAspect": {"name": N},
    "textanalysis.TextCorrection": {
        "text_hash": X,
        "sentiment": N,
        "emotion": N,
        "aspects": N,
    },
    "textanalysis.TextModel": {"params": N},
    "promises.Promise": {
        "name_it": N,
        "name_en": N,
        "wording_it": N,
        "wording_en": N,
        "kind": N,
        "dimension": N,
        "target_type": N,
        "start_moment": N,
        "end_moment": N,
        "measure": N,
        "comparison": N,
        "unit": N,
    },
    "promises.PromiseCheck": {"outcome": N, "reason": F},
    "promises.Crisis": {"note": F},
    "promises.CrisisStep": {"step": N, "note": F},
    "promises.Expectation": {
        "dimension": N,
        "text": F,
        "target_type": N,
        "measure": N,
        "comparison": N,
        "unit": N,
    },
    "promises.FitOverride": {"reason": F, "mismatches": N},
    "cases.CaseCategory": {"code": N, "name_it": N, "name_en": N},
    "cases.Case": {
        "channel": N,
        "description": F,
        "severity": N,
        "emotion": N,
        "status": N,
        "outcome": N,
        "source_key": N,
    },
    # `data` keeps a changed description's old and new text.
    "cases.CaseEvent": {"kind": N, "from_status": N, "to_status": N, "data": F, "note": F},
    "cases.SlaPolicy": {"severity": N},
    "cases.SlaAlert": {"clock": N, "level": N},
    "cases.RemedyOption": {"kind": N},
    "cases.SpendingBudget": {"role": N},
    "cases.Remedy": {"kind": N, "why": F, "status": N, "decision_reason": F},
    "cases.ReplyTemplate": {"emotion": N, "language": N, "subject": N, "body": N},
    # The greeting as sent: the template filled in with the customer's name.
    "cases.CaseEmail": {
        **_LEASED,
        "kind": N,
        "to_email": S,
        "language": N,
        "subject": G,
        "body": G,
    },
    "dashboards.MonthlyReport": {**_LEASED},
    "dashboards.DailyScore": {"kind": N},
    "dashboards.LastHeard": {"status": N},
    "dashboards.DailySegmentScore": {"kind": N},
    "health.HealthAlert": {"from_level": N, "to_level": N},
    "health.HealthFlagAlert": {"flag": N},
    # A survey sent to many: the members' choice and the ids it reached, no texts.
    "feedback.BulkSend": {**_LEASED, "choice": N, "customer_ids": N},
    "health.HealthDigest": {**_LEASED},
    # The score's reasons, written by the system ("promise 'on site in 24 h' broken twice").
    "health.HealthScore": {"contributions": G, "flags": N, "level": N, "missing": N},
    "health.HealthSettings": {"bands": N, "card": N, "weights": N},
    "onboarding.Onboarding": {"sector": N},
    "api.ApiToken": {"name": N, "prefix": X, "role": N, "token_hash": X},
    # Ids the business's other systems give its customers and records.
    "api.ExternalRef": {"external_id": N, "kind": N},
    # A write's first answer, returned again to a retry for a day: may hold a customer's data.
    "api.IdempotencyRecord": {"body": G, "content_type": N, "fingerprint": X, "key": N},
    "api.ImportMapping": {"kind": N, "mapping": N},
    # The webhook log: each payload may carry a customer's data.
    "api.WebhookDelivery": {**_LEASED, "event": N, "payload": G},
    "api.WebhookSubscription": {"events": N, "secret": X, "url": N},
    "voice.Review": {
        "author": S,
        "author_email": S,
        "author_phone": S,
        "dedupe_key": X,
        "emotion": N,
        "language": N,
        "match_reason": G,
        "match_state": N,
        "platform": N,
        "platform_id": N,
        "rating_original": N,
        "reply_text": F,
        "sentiment": N,
        "text": F,
        "title": F,
        "url": N,
    },
    "voice.ReviewAspect": {"name": N},
    # The business's own reply drafts, with placeholders instead of names.
    "voice.ReplyTemplate": {"kind": N, "language": N, "text": N},
    "voice.Source": {
        "etag": N,
        "feed_url": N,
        "kind": N,
        "last_error": G,
        "last_modified": N,
        "name": N,
        "platform": N,
        "token_hash": X,
    },
    "privacy.DataRequest": {"kind": N, "subject_key": X, "channel": N},
}

# How to reach the customer from a row of a model that holds SUBJECT or FREE_TEXT fields (or
# is exported with the person): a lookup path ending at the customer.
CUSTOMER_PATHS: dict[str, str] = {
    "customers.Customer": "pk",
    "customers.Contract": "customer",
    "customers.LostRecord": "customer",
    "customers.ConsentEvent": "customer",
    "interactions.Interaction": "customer",
    "interactions.StaffSignal": "customer",
    "notifications.Notification": "customer",
    "feedback.Invitation": "customer",
    "feedback.Response": "customer",
    "feedback.Answer": "response__customer",
    "feedback.Submission": "invitation__customer",
    "feedback.CadenceTrigger": "customer",
    "textanalysis.TextAnalysis": "customer",
    "promises.PromiseCheck": "customer",
    "promises.Crisis": "customer",
    "promises.CrisisStep": "crisis__customer",
    "promises.Expectation": "customer",
    "promises.FitOverride": "customer",
    "cases.Case": "customer",
    "cases.CaseEvent": "customer",
    "cases.Remedy": "case__customer",
    "cases.CaseEmail": "case__customer",
    "dashboards.LastHeard": "customer",
    "cases.SlaAlert": "case__customer",
    "health.HealthScore": "customer",
    "health.HealthAlert": "customer",
    "health.HealthFlagAlert": "customer",
    "voice.Review": "customer",
}

# Rows about the customer that their path does not reach: a review only suggested for them, or
# written under their address. Each entry: (field pointing to a customer, field holding an
# address), either may be empty.
CUSTOMER_ALSO: dict[str, tuple[str, str]] = {
    "voice.Review": ("suggested_customer", "author_email"),
}

# The field types that can hold text: each must be classified in FIELDS.
TEXT_TYPES = (
    "BinaryField",
    "CharField",
    "TextField",
    "EmailField",
    "SlugField",
    "JSONField",
    "GenericIPAddressField",
    "URLField",
)


def kinds(label: str) -> dict[str, Kind]:
    return FIELDS.get(label, {})


def fields_of_kind(*wanted: Kind) -> list[tuple[str, str]]:
    """(model label, field name) of every field of the given kinds."""
    return [
        (label, name)
        for label, fields in FIELDS.items()
        for name, kind in fields.items()
        if kind in wanted
    ]
