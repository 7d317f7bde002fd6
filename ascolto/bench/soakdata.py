"""The soak's data: what it prepares before the load, and what it reads to check the invariants
afterwards (`ascolto bench soak`, ascolto/bench/soak.py). Runs in the soak's own database."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import UTC
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import Count, Max

from ascolto.bench.survey import prepare_survey
from ascolto.core.leases import LeasedWork, WorkState
from ascolto.customers.models import Customer
from ascolto.dashboards.models import DailyInvitations, DailyScore, LastHeard
from ascolto.feedback.models import Invitation, Response, Submission, token_hash_of
from ascolto.interactions.models import Interaction, Touchpoint
from ascolto.lib import emails

COMMENTS = (
    "Puntuali e gentili, il tecnico ha spiegato tutto.",
    "Prezzo giusto, ma la prima chiamata ha richiesto due tentativi.",
    "Servizio rapido; migliorerei la comunicazione degli orari.",
    "Tutto bene.",
    "Il tecnico è arrivato in ritardo e nessuno ha avvisato.",
    "Fattura sbagliata per la seconda volta, che pazienza.",
)
UNFINISHED = (WorkState.PENDING, WorkState.RUNNING)


def prepare(*, answers: int) -> dict[str, Any]:
    """A workspace with an NPS survey and `answers` link invitations (the survey wave), 300
    customers with an email address (invitations emailed by the staff), a touchpoint, and a
    signed-in session of the owner, who has an email address (the detractor alerts, the
    monthly report and the digest are emailed to them)."""
    bench = prepare_survey(answers)
    workspace = bench.workspace
    workspace.name = "Soak"
    workspace.require_two_factor = False
    workspace.save()
    owner = workspace.memberships.select_related("user").get()
    user = owner.user
    user.email = "titolare@soak.test"
    user.save(update_fields=["email"])
    touchpoint = Touchpoint.objects.create(
        workspace=workspace, code="telefonata", name_it="Telefonata", name_en="Phone call"
    )
    mailable = Customer.objects.bulk_create(
        [
            Customer(workspace=workspace, name=f"Cliente {i}", email=f"cliente{i}@soak.test")
            for i in range(300)
        ]
    )
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    some = list(
        Customer.objects.filter(workspace=workspace)
        .order_by("pk")
        .values_list("pk", flat=True)[:300]
    )
    return {
        "workspace": workspace.pk,
        "survey": bench.survey_id,
        "links": bench.tokens,
        "fields": {str(role): name for role, name in bench.fields.items()},
        "session": session.session_key,
        "member": owner.pk,
        "touchpoint": touchpoint.pk,
        "customers": some + [c.pk for c in mailable],
        "mailable": [c.pk for c in mailable],
        "nonce": secrets.token_hex(4),
    }


def _leased_models() -> list[type[LeasedWork]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, LeasedWork) and model._meta.app_label != "probeapp"
    ]


def leases_held_by(pid: int) -> list[dict]:
    """The units a process (by its id, part of every lease owner's name) held when it died."""
    held = []
    for model in _leased_models():
        rows = model._base_manager.filter(
            state=WorkState.RUNNING, lease_owner__contains=f":{pid}:"
        ).values_list("pk", "lease_expires_at")
        for pk, expires in rows:
            held.append(
                {
                    "model": model._meta.label,
                    "pk": pk,
                    "expires": expires.timestamp() if expires else 0,
                }
            )
    return held


def picked_up(lease: dict, pid: int) -> bool:
    """Whether a dead process's unit was taken by another (or finished)."""
    model = apps.get_model(lease["model"])
    row = model._base_manager.filter(pk=lease["pk"]).values("state", "lease_owner").first()
    if row is None:
        return True
    return f":{pid}:" not in row["lease_owner"] or row["state"] not in UNFINISHED


def _email_models() -> dict[str, Any]:
    from ascolto.dashboards.models import MonthlyReport
    from ascolto.health.models import HealthDigest
    from ascolto.notifications.models import Notification

    return {
        "notifications": Notification._base_manager.all(),
        "survey invitations": Invitation._base_manager.filter(channel=Invitation.Channel.EMAIL),
        "monthly reports": MonthlyReport._base_manager.all(),
        "health digests": HealthDigest._base_manager.all(),
    }


def outstanding() -> dict[str, int]:
    """What is still to be done: answers to file, emails to send."""
    waiting = {"answers": Submission.objects.filter(error="").count()}
    for name, rows in _email_models().items():
        waiting[name] = rows.filter(state__in=UNFINISHED).count()
    return waiting


def submissions_filed(data: dict, accepted: list[str]) -> dict[str, int]:
    hashes = {token_hash_of(token) for token in accepted}
    answered = dict(
        Response.objects.filter(survey_id=data["survey"])
        .values("invitation_id")
        .annotate(n=Count("pk"))
        .values_list("invitation_id", "n")
    )
    by_hash = dict(
        Invitation.objects.filter(survey_id=data["survey"]).values_list("token_hash", "pk")
    )
    accepted_ids = {by_hash[h] for h in hashes if h in by_hash}
    return {
        "accepted": len(accepted),
        "responses": sum(answered.values()),
        "missing": len(accepted_ids - answered.keys()) + len(hashes - by_hash.keys()),
        "twice": sum(1 for n in answered.values() if n > 1),
        "unexpected": len(answered.keys() - accepted_ids),
        "waiting": Submission.objects.filter(workspace_id=data["workspace"]).count(),
        "with_error": Submission.objects.filter(workspace_id=data["workspace"])
        .exclude(error="")
        .count(),
    }


def rollups_match(data: dict) -> dict[str, tuple[bool, str]]:
    """Each count the dashboards read, against the rows it counts, for the soak's workspace."""
    ws = data["workspace"]
    scores: Counter = Counter()
    for at, kind, score in Response.objects.filter(
        workspace_id=ws, score__isnull=False
    ).values_list("submitted_at", "kind", "score"):
        scores[(at.astimezone(UTC).date(), kind, score)] += 1
    kept_scores = {
        (d.day, d.kind, d.score): d.n for d in DailyScore.objects.filter(workspace_id=ws, n__gt=0)
    }
    invitations: dict = {}
    for created, opened, answered in Invitation.objects.filter(workspace_id=ws).values_list(
        "created_at", "opened_at", "answered_at"
    ):
        key = created.astimezone(UTC).date()
        i, o, a = invitations.get(key, (0, 0, 0))
        invitations[key] = (
            i + 1,
            o + (opened is not None or answered is not None),
            a + (answered is not None),
        )
    kept_invitations = {
        d.day: (d.invited, d.opened, d.answered)
        for d in DailyInvitations.objects.filter(workspace_id=ws, invited__gt=0)
    }
    heard: dict = {}
    for model, column in ((Interaction, "occurred_at"), (Response, "submitted_at")):
        for customer, at in (
            model.objects.filter(workspace_id=ws)
            .values("customer_id")
            .annotate(at=Max(column))
            .values_list("customer_id", "at")
        ):
            if customer is not None and (heard.get(customer) is None or at > heard[customer]):
                heard[customer] = at
    customers = set(Customer.objects.filter(workspace_id=ws).values_list("pk", flat=True))
    expected_heard = {pk: heard.get(pk) for pk in customers}
    kept_heard = dict(LastHeard.objects.filter(workspace_id=ws).values_list("customer_id", "at"))
    return {
        "daily scores": (
            scores == kept_scores,
            f"{sum(scores.values())} scores in {len(scores)} day/kind/score rows; "
            f"{_diff(scores, kept_scores)} rows differ",
        ),
        "daily invitations": (
            invitations == kept_invitations,
            f"{sum(v[0] for v in invitations.values())} invitations, "
            f"{sum(v[2] for v in invitations.values())} answered; "
            f"{_diff(invitations, kept_invitations)} days differ",
        ),
        "last heard": (
            expected_heard == kept_heard,
            f"{len(customers)} customers, {sum(1 for v in heard.values() if v)} heard from; "
            f"{_diff(expected_heard, kept_heard)} differ",
        ),
    }


def _diff(a: dict, b: dict) -> int:
    return sum(1 for key in a.keys() | b.keys() if a.get(key) != b.get(key))


def emails_expected(data: dict) -> dict[str, Any]:
    """The Message-ID of every email recorded as sent, and how many are not sent (pending,
    running or failed)."""
    from ascolto.dashboards.models import MonthlyReport
    from ascolto.health.models import HealthDigest
    from ascolto.notifications.models import Notification

    ids: list[str] = []
    by_kind: dict[str, int] = {}
    notes = Notification._base_manager.filter(emailed_at__isnull=False).values_list(
        "pk", "workspace_id"
    )
    by_kind["notifications"] = len(notes)
    ids += [emails.message_id(f"notification.{pk}.{ws}") for pk, ws in notes]
    sent = Invitation._base_manager.filter(
        channel=Invitation.Channel.EMAIL, sent_at__isnull=False
    ).values_list("message_id", flat=True)
    by_kind["survey invitations"] = len(sent)
    ids += list(sent)
    reports = MonthlyReport._base_manager.filter(sent_at__isnull=False, recipients__gt=0)
    by_kind["monthly reports"] = reports.count()
    ids += [emails.message_id(f"monthly-report-{r.pk}-{r.month:%Y%m}") for r in reports]
    digests = HealthDigest._base_manager.filter(sent_at__isnull=False).values_list(
        "pk", "workspace_id"
    )
    by_kind["health digests"] = len(digests)
    ids += [emails.message_id(f"health-digest.{pk}.{ws}") for pk, ws in digests]
    unsent = sum(rows.exclude(state=WorkState.DONE).count() for rows in _email_models().values())
    return {"ids": ids, "by_kind": by_kind, "unsent": unsent}


def scheduled_failures() -> int:
    from ascolto.core.models import ScheduledRun

    return ScheduledRun.objects.filter(state=WorkState.FAILED).count()


def sweep_as_at(moment: float) -> float:
    """Run every sweeper as at `moment` (a Unix time after the leases left expire); returns
    the time it was run."""
    from datetime import datetime

    from ascolto.core.sweep import sweep_all

    sweep_all(now=datetime.fromtimestamp(moment, tz=UTC))
    import time

    return time.time()
