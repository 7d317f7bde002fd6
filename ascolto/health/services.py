"""Writes of the health score: computing and storing every customer's daily score (in bounded
batches, signals aggregated in the database), alerting account owners when a customer falls a
level (one alert per customer per change, grouped per recipient), the weekly digests, and the
workspace's settings."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ascolto.core.emails import LeasedEmail, leased_email_send
from ascolto.core.leases import lease_dispatched, lease_sweep
from ascolto.customers.models import Customer
from ascolto.health import hooks, measures, signals
from ascolto.health.models import (
    LEVEL_RANK,
    HealthAlert,
    HealthDigest,
    HealthFlagAlert,
    HealthScore,
    HealthSettings,
    Level,
)
from ascolto.health.selectors import AtRiskFilters, Config, at_risk_list, health_config
from ascolto.lib import emails
from ascolto.lib.periods import workspace_today, workspace_zone
from ascolto.notifications.models import Notification
from ascolto.notifications.services import notification_create, notification_texts
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

logger = logging.getLogger("ascolto.health")

BATCH = 2000


def health_scores_as_of(
    *, workspace: Workspace, at: datetime, config: Config | None = None, customers=None
) -> Iterable[tuple[dict[str, Any], measures.Scored]]:
    """Every customer's (signals, score) as of `at`, from events at or before `at` only.
    Nothing is stored: the nightly job stores these, the backtest compares them with losses."""
    config = config or health_config(workspace=workspace)
    day = at.astimezone(workspace_zone(workspace)).date()
    rows = signals.signal_table(
        workspace=workspace,
        at=at,
        window_days=config.bands["window_days"],
        flag_days=config.bands["flag_days"],
        customers=customers,
    )
    card = config.card.get("points") if config.card.get("adopted") else None
    for row in rows:
        yield (
            row,
            measures.score_row(row, day=day, weights=config.weights, bands=config.bands, card=card),
        )


def health_scores_compute(
    *,
    workspace: Workspace,
    now: datetime | None = None,
    customer_ids: list[int] | None = None,
    alert: bool = True,
) -> int:
    """Compute and store today's score (the workspace's day) of every active customer, or of
    `customer_ids`; the same day's row is replaced, so running again is harmless. Then alert on
    customers who fell a level. Returns the number of scores stored."""
    now = now or timezone.now()
    config = health_config(workspace=workspace)
    day = workspace_today(workspace, now)
    customers = signals.customers_as_of(workspace=workspace, at=now).filter(
        status=Customer.Status.ACTIVE
    )
    if customer_ids is not None:
        customers = customers.filter(pk__in=customer_ids)
    stored = 0
    connection = connections[router.db_for_write(HealthScore)]
    ops = connection.ops
    fixed = (
        ops.adapt_datefield_value(day),
        ops.adapt_datetimefield_value(now),
    )
    batch: list[tuple[Any, ...]] = []
    for row, scored in health_scores_as_of(
        workspace=workspace, at=now, config=config, customers=customers
    ):
        batch.append(
            (
                workspace.pk,
                row["pk"],
                fixed[0],
                scored.score,
                scored.level,
                ops.adapt_json_value([c.as_json() for c in scored.contributions], None),
                ops.adapt_json_value(scored.missing, None),
                ops.adapt_json_value(scored.flags, None),
                config.version,
                fixed[1],
            )
        )
        if len(batch) >= BATCH:
            stored += _store(connection, batch)
            batch = []
    stored += _store(connection, batch)
    if alert:
        health_alerts_raise(workspace=workspace, day=day, customer_ids=customer_ids)
    return stored


# Stored with one INSERT … ON CONFLICT (customer, day) DO UPDATE per batch, sent with
# `executemany`: the same as `bulk_create(update_conflicts=True)`, whose per-field preparation
# of three JSON columns cost more than computing the scores at 100,000 customers. The column
# names come from the model, so a renamed column follows; `tests/test_services.py` stores and
# reads back through the model on both databases.
STORED_FIELDS = (
    "workspace",
    "customer",
    "day",
    "score",
    "level",
    "contributions",
    "missing",
    "flags",
    "settings_version",
    "computed_at",
)
UPDATED_ON_CONFLICT = STORED_FIELDS[3:]


def _column(name: str) -> str:
    return str(HealthScore._meta.get_field(name).column)  # type: ignore[union-attr]


def _upsert_sql(connection) -> str:
    meta = HealthScore._meta
    qn = connection.ops.quote_name
    columns = [qn(_column(name)) for name in STORED_FIELDS]
    updates = ", ".join(
        f"{qn(_column(name))} = excluded.{qn(_column(name))}" for name in UPDATED_ON_CONFLICT
    )
    conflict = ", ".join(qn(_column(name)) for name in ("customer", "day"))
    return (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 (names from the model)
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


def _store(connection, rows: list[tuple[Any, ...]]) -> int:
    """Insert or replace one batch of rows (values in `STORED_FIELDS` order, adapted)."""
    if not rows:
        return 0
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(connection), rows)
    return len(rows)


def health_scores_nightly(*, now: datetime, workspace_id: int) -> int:
    """The scheduled job, for one workspace: its scores for today. The schedule runs it once
    per workspace, each on its own (`fan_out`), so a large workspace holds up no other."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return health_scores_compute(workspace=workspace, now=now)


def health_score_refresh(*, workspace_id: int, customer_id: int) -> int:
    """Recompute one customer's score for today (after their events changed)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return health_scores_compute(workspace=workspace, customer_ids=[customer_id])


def _enqueue_refresh(workspace_id: int, customer_id: int) -> None:
    from ascolto.health.tasks import health_score_refresh_task

    health_score_refresh_task.enqueue(workspace_id, customer_id)


def health_score_refresh_later(*, workspace_id: int, customer_id: int) -> None:
    """Queue the customer's recomputation once the current transaction commits."""
    transaction.on_commit(lambda: _enqueue_refresh(workspace_id, customer_id))


def interaction_health_refresh(*, interaction) -> None:
    """Hook: an interaction was saved."""
    health_score_refresh_later(
        workspace_id=interaction.workspace_id, customer_id=interaction.customer_id
    )


def review_health_refresh(*, review) -> None:
    """Hook (voice's `review_judged`): a review of a known customer was confirmed or labelled;
    its analysis counts in "their words"."""
    if review.customer_id is not None:
        health_score_refresh_later(workspace_id=review.workspace_id, customer_id=review.customer_id)


def staff_signal_health_refresh(*, signal) -> None:
    """Hook: a staff signal was recorded."""
    health_score_refresh_later(workspace_id=signal.workspace_id, customer_id=signal.customer_id)


# --- Alerts -------------------------------------------------------------------------------------
# Indicators another app already alerts on by itself (feedback: every detractor answer).
FLAGS_ALERTED_ELSEWHERE = frozenset({"detractor"})


def health_alerts_raise(
    *, workspace: Workspace, day: date, customer_ids: list[int] | None = None
) -> int:
    """Alert on every customer whose score of `day` is at a worse level than their previous
    stored score, or shows a risk indicator their previous score did not: one `HealthAlert` per
    customer per day and one `HealthFlagAlert` per indicator per day (a second run that day adds
    none), and one notification per recipient listing all their customers. A customer without
    a previous score raises nothing (the first night is not news)."""
    previous = HealthScore.objects.filter(customer=OuterRef("customer"), day__lt=day).order_by(
        "-day"
    )
    today = (
        HealthScore.objects.for_workspace(workspace)
        .filter(day=day)
        .annotate(
            previous_level=Subquery(previous.values("level")[:1]),
            previous_flags=Subquery(
                previous.values("flags")[:1], output_field=HealthScore._meta.get_field("flags")
            ),
        )
        .filter(previous_level__isnull=False)
        .select_related("customer__account_owner__user")
    )
    if customer_ids is not None:
        today = today.filter(customer_id__in=customer_ids)
    fallen, flagged = [], []
    for s in today:
        if (
            Level.UNKNOWN not in (s.level, s.previous_level)
            and LEVEL_RANK[Level(s.level)] > LEVEL_RANK[Level(s.previous_level)]
        ):
            fallen.append(s)
        before = set(s.previous_flags or [])
        new_flags = [f for f in s.flags if f not in before and f not in FLAGS_ALERTED_ELSEWHERE]
        if new_flags:
            flagged.append((s, new_flags))
    created = []
    for s in fallen:
        try:
            with transaction.atomic():
                HealthAlert.objects.create(
                    workspace=workspace,
                    customer_id=s.customer_id,
                    day=day,
                    from_level=s.previous_level,
                    to_level=s.level,
                )
                hooks.health_level_dropped.call(score=s, from_level=s.previous_level)
        except IntegrityError:
            continue  # another run alerted this customer today
        created.append(s)
    created_flags = []
    for s, new_flags in flagged:
        fresh = []
        for flag in new_flags:
            try:
                with transaction.atomic():
                    HealthFlagAlert.objects.create(
                        workspace=workspace, customer_id=s.customer_id, day=day, flag=flag
                    )
            except IntegrityError:
                continue
            fresh.append(flag)
        if fresh:
            created_flags.append((s, fresh))
    _notify(workspace, created, created_flags)
    for s in created:
        risk_case_open(workspace=workspace, score=s)
    return len(created) + sum(len(f) for _s, f in created_flags)


# The work queue: a customer who enters the poor band (at risk or critical) from a better level
# gets one "call back" case for their account owner, named by the alert that saw the fall.
POOR_LEVELS = frozenset({Level.AT_RISK, Level.CRITICAL})
RISK_CASE_PREFIX = signals.RISK_CASE_PREFIX


def risk_case_open(*, workspace: Workspace, score: HealthScore):
    """Open the "call back" case of a customer who fell into the poor band, with the top
    reasons and the next step, unless they already have an open call-back case. Once per fall:
    the case's source key is the day's alert, and a fall from at risk to critical (already in
    the poor band) opens nothing new. Returns the case or None."""
    from ascolto.cases.selectors import case_list_open
    from ascolto.cases.services.cases import CALL_BACK, case_open_for_system

    if score.level not in POOR_LEVELS or getattr(score, "previous_level", None) in POOR_LEVELS:
        return None
    customer = score.customer
    if (
        case_list_open(workspace=workspace, customer=customer)
        .filter(category__code=CALL_BACK)
        .exists()
    ):
        return None
    with translation.override(workspace.language):
        reasons = [
            f"−{c['points']}: {measures.sentence(c['measure'], c['band'], c['params'])}"
            for c in score.contributions[:3]
            if c["points"]
        ]
        description = "\n".join(
            [
                _("Health score %(score)s/100, now “%(level)s”.")
                % {"score": score.score, "level": Level(score.level).label},
                *reasons,
                measures.next_action(score.contributions),
            ]
        ).strip()
    return case_open_for_system(
        customer=customer,
        category_code=CALL_BACK,
        source_key=f"{RISK_CASE_PREFIX}{score.customer_id}:{score.day.isoformat()}",
        severity="high" if score.level == Level.CRITICAL else "medium",
        description=description,
    )


def _recipients(workspace: Workspace, customer: Customer) -> list[Membership]:
    if customer.account_owner is not None:
        return [customer.account_owner]
    return list(
        Membership.objects.filter(workspace=workspace, role=Role.OWNER)
        .select_related("user")
        .order_by("pk")
    )


def _alert_words(
    entries: list[tuple[HealthScore, list[str]]], fallen_ids: set[int]
) -> tuple[str, str]:
    """The title and body of one member's alert, in the active language."""
    if len(entries) == 1:
        score, flags = entries[0]
        if score.customer_id in fallen_ids:
            title = _("%(name)s is now “%(level)s”") % {
                "name": score.customer.name,
                "level": Level(score.level).label,
            }
        else:
            title = _("%(name)s: %(what)s") % {
                "name": score.customer.name,
                "what": ", ".join(str(measures.FLAG_LABELS[f]) for f in flags),
            }
    else:
        title = ngettext(
            "%(count)s customer needs attention",
            "%(count)s customers need attention",
            len(entries),
        ) % {"count": len(entries)}
    lines = []
    for score, flags in entries:
        reasons = "; ".join(
            [str(measures.FLAG_LABELS[f]) for f in flags]
            + [
                measures.sentence(c["measure"], c["band"], c["params"])
                for c in score.contributions[:3]
                if c["points"]
            ]
        )
        lines.append(
            _("%(name)s: %(level)s (%(score)s/100). %(reasons)s")
            % {
                "name": score.customer.name,
                "level": Level(score.level).label,
                "score": "–" if score.score is None else score.score,
                "reasons": reasons,
            }
        )
    body = "\n".join(lines)
    return title, body


def _notify(
    workspace: Workspace,
    fallen: Sequence[HealthScore],
    flagged: Sequence[tuple[HealthScore, list[str]]] = (),
) -> None:
    """One notification per recipient for all their customers who fell or raised an
    indicator in this run."""
    items: dict[int, tuple[Membership, list[tuple[HealthScore, list[str]]]]] = {}
    flags_of = {s.customer_id: f for s, f in flagged}
    scores = {s.customer_id: s for s in fallen} | {s.customer_id: s for s, _f in flagged}
    for customer_id, score in scores.items():
        for member in _recipients(workspace, score.customer):
            entry = items.setdefault(member.pk, (member, []))
            entry[1].append((score, flags_of.get(customer_id, [])))
    url = reverse("health:at-risk")
    fallen_ids = {s.customer_id for s in fallen}
    for member, entries in items.values():
        texts = notification_texts(functools.partial(_alert_words, entries, fallen_ids))
        notification_create(
            workspace=workspace,
            recipient=member,
            kind=Notification.Kind.OTHER,
            texts=texts,
            customer=entries[0][0].customer if len(entries) == 1 else None,
            url=url,
        )


# --- Weekly digest ------------------------------------------------------------------------------
def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def digest_recipients(workspace: Workspace) -> list[Membership]:
    """Owners and managers, and agents who own customers."""
    owners = Customer.objects.filter(workspace=workspace, account_owner=OuterRef("pk"))
    return list(
        Membership.objects.filter(workspace=workspace)
        .filter(Q(role__in=[Role.OWNER, Role.MANAGER]) | Q(Exists(owners)))
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )


def health_digests_schedule(*, now: datetime) -> int:
    """The daily job: create this week's digest for every recipient (once per week; the first
    run of the week sends it) and enqueue the sending."""
    from ascolto.health.tasks import health_digest_send_task

    created = 0
    for workspace in Workspace.objects.order_by("pk").iterator():
        week = _week_start(workspace_today(workspace, now))
        for member in digest_recipients(workspace):
            try:
                with transaction.atomic():
                    digest = HealthDigest.objects.create(
                        workspace=workspace, recipient=member, week=week
                    )
            except IntegrityError:
                continue
            created += 1
            lease_dispatched(HealthDigest.objects.filter(pk=digest.pk), now=now)
            transaction.on_commit(partial(health_digest_send_task.enqueue, digest.pk))
    return created


def health_digests_sweep(*, now: datetime) -> int:
    from ascolto.health.tasks import health_digest_send_task

    return lease_sweep(HealthDigest.objects.all(), enqueue=health_digest_send_task.enqueue, now=now)


def health_digest_send(*, digest_id: int, owner: str | None = None) -> bool:
    """Claim the digest row and email it (retried with back-off on failure)."""
    return leased_email_send(
        HealthDigest, digest_id, build=_digest_email, logger=logger, owner=owner
    )


def health_digest_context(*, digest: HealthDigest) -> dict[str, Any]:
    """What one recipient's digest holds: their customers at risk (all customers for owners
    and managers), the week's falls and the renewals of the next 60 days among them."""
    workspace = digest.workspace
    member = digest.recipient
    mine = None if member.has_role(Role.MANAGER) else member.pk
    at_risk = list(
        at_risk_list(
            workspace=workspace,
            filters=AtRiskFilters(owner=mine, sort="score"),
        ).exclude(level=Level.WATCH)[:50]
    )
    alerts = HealthAlert.objects.for_workspace(workspace).filter(
        day__gte=digest.week - timedelta(days=7), day__lte=digest.week + timedelta(days=6)
    )
    if mine is not None:
        alerts = alerts.filter(customer__account_owner_id=mine)
    renewals_until = digest.week + timedelta(days=60)
    return {
        "workspace": workspace,
        "recipient": member,
        "week": digest.week,
        "at_risk": [
            {
                "score": s,
                "reasons": [
                    measures.sentence(c["measure"], c["band"], c["params"])
                    for c in s.contributions[:3]
                    if c["points"]
                ],
                "action": measures.next_action(s.contributions),
            }
            for s in at_risk
        ],
        "alerts": list(alerts.select_related("customer").order_by("-day")[:50]),
        "renewals": [s for s in at_risk if _renews_by(s, renewals_until)],
        "link": settings.SITE_URL + reverse("health:at-risk"),
    }


def _renews_by(score: HealthScore, day: date) -> bool:
    renewal = getattr(score, "renewal_date", None)  # annotated by `at_risk_list`
    return renewal is not None and renewal <= day


def _digest_email(claimed: HealthDigest) -> LeasedEmail | None:
    digest = HealthDigest.objects.select_related("workspace", "recipient__user").get(pk=claimed.pk)
    if not digest.recipient.user.email:
        return None
    # In the recipient's own language (the last one they picked), else the workspace's.
    with translation.override(digest.recipient.language or digest.workspace.language):
        context = health_digest_context(digest=digest)
        subject = render_to_string("emails/health_digest_subject.txt", context)
        body = render_to_string("emails/health_digest_body.txt", context)
        html = render_to_string("emails/health_digest_body.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        body,
        to=[digest.recipient.user.email],
        headers={
            "Message-ID": emails.message_id(f"health-digest.{digest.pk}.{digest.workspace_id}"),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return LeasedEmail(message, sent_field="sent_at")


# --- Settings -----------------------------------------------------------------------------------
@transaction.atomic
def health_settings_update(
    *, workspace: Workspace, by: Membership, weights: dict[str, int], bands: dict[str, int]
) -> HealthSettings:
    """Change the workspace's weights and bands (managers); the version grows so the history
    shows where the configuration changed."""
    require_member(by, workspace, Role.MANAGER)
    unknown = (set(weights) - set(measures.DEFAULT_WEIGHTS)) | (
        set(bands) - set(measures.DEFAULT_BANDS)
    )
    if unknown:
        raise ValidationError(_("Unknown settings: %(names)s") % {"names": ", ".join(unknown)})
    if any(int(v) < 0 or int(v) > 100 for v in weights.values()):
        raise ValidationError(_("Each weight must be between 0 and 100."))
    if sum(int(v) for v in weights.values()) <= 0:
        raise ValidationError(_("At least one measure must have a weight."))
    if any(int(v) < 0 for v in bands.values()):
        raise ValidationError(_("Days and limits cannot be negative."))
    row, _created = HealthSettings.objects.select_for_update().get_or_create(workspace=workspace)
    row.weights = {k: int(v) for k, v in weights.items()}
    row.bands = {k: int(v) for k, v in bands.items()}
    row.version += 1  # version 1 is the defaults
    row.updated_at = timezone.now()
    row.save()
    return row


# --- The learned points card --------------------------------------------------------------------
def health_card_propose(*, workspace: Workspace, horizon: int = 90, now: datetime | None = None):
    """Fit the learned card on the workspace's own past and store it as a proposal (not
    adopted) with its backtest beside the default weights'. Run by a command or a manager."""
    from ascolto.health.backtest import card_fit

    fit = card_fit(workspace=workspace, today=workspace_today(workspace, now), horizon=horizon)
    if fit.card is None:
        return fit
    with transaction.atomic():
        row, _created = HealthSettings.objects.select_for_update().get_or_create(
            workspace=workspace
        )
        row.card = {
            "points": fit.card.as_json(),
            "adopted": False,
            "lost": fit.lost,
            "card_auc": fit.card_auc,
            "default_auc": fit.default_auc,
            "test_rows": fit.test_rows,
            "fitted_at": (now or timezone.now()).isoformat(),
        }
        row.save(update_fields=["card"])
    return fit


@transaction.atomic
def health_card_adopt(*, workspace: Workspace, by: Membership, adopt: bool) -> HealthSettings:
    """Score with the proposed learned card (or go back to the weights). Managers."""
    require_member(by, workspace, Role.MANAGER)
    row = HealthSettings.objects.select_for_update().filter(workspace=workspace).first()
    if row is None or not row.card.get("points"):
        raise ValidationError(_("There is no learned card to adopt yet."))
    if bool(row.card.get("adopted")) != adopt:
        row.card = {**row.card, "adopted": adopt}
        row.version += 1
        row.updated_at = timezone.now()
        row.save(update_fields=["card", "version", "updated_at"])
    return row
