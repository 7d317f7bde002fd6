"""Writes for promises: the catalogue, the checks of interactions against it, and the
broken-promise crises with their alerts.

Checks are recomputed, never appended: one row per (promise, interaction), so running them
again changes nothing unless the interaction changed. A crisis is opened at most once per
check (a one-to-one key), and only the call that opens it sends the alerts: a recheck, a
second worker or `ascolto promises check` run twice raises no second alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ascolto.audit.models import Action
from ascolto.audit.services import audit_record
from ascolto.customers.models import Customer
from ascolto.customers.services import StatusChangeRefused
from ascolto.interactions.models import Interaction
from ascolto.lib.business_calendar import BusinessCalendar
from ascolto.lib.updates import model_update, refuse_unknown_fields
from ascolto.promises import hooks
from ascolto.promises.evaluation import Outcome, evaluate
from ascolto.promises.models import (
    MINUTES_PER_UNIT,
    Crisis,
    CrisisStep,
    Expectation,
    Promise,
    PromiseCheck,
    TargetType,
)
from ascolto.workspaces.guards import require_member
from ascolto.workspaces.models import Membership, Role, Workspace

PROMISE_FIELDS = (
    "name_it",
    "name_en",
    "wording_it",
    "wording_en",
    "kind",
    "dimension",
    "touchpoint",
    "segment",
    "target_type",
    "start_moment",
    "end_moment",
    "business_hours",
    "measure",
    "comparison",
    "limit",
    "unit",
    "question",
    "active",
)

EXPECTATION_FIELDS = (
    "dimension",
    "touchpoint",
    "text",
    "target_type",
    "measure",
    "comparison",
    "limit",
    "unit",
)


def _in_minutes(values: dict[str, Any], target_type: str = "") -> dict[str, Any]:
    """Durations are entered in minutes, hours or days and stored in minutes. `target_type`
    is the one already stored, for an update that does not repeat it."""
    if (
        values.get("target_type", target_type) == TargetType.DURATION
        and values.get("limit") is not None
        and values.get("unit") in MINUTES_PER_UNIT
    ):
        values["limit"] = values["limit"] * MINUTES_PER_UNIT[values["unit"]]
    return values


# --- the catalogue --------------------------------------------------------------------------


@transaction.atomic
def promise_create(*, workspace: Workspace, by: Membership, **fields: Any) -> Promise:
    """Add a promise to the catalogue and check the interactions it applies to (managers and
    owners)."""
    require_member(by, workspace, Role.MANAGER)
    refuse_unknown_fields(Promise, fields, PROMISE_FIELDS)
    values = _in_minutes(dict(fields))
    promise = Promise(workspace=workspace, **values)
    promise.full_clean()
    promise.save()
    _recheck_later(promise)
    return promise


def _recheck_later(promise: Promise) -> None:
    """Check the interactions of the promise's touchpoint in the background once saved: a
    touchpoint with a long history must not hold the request."""
    from ascolto.promises.tasks import promise_recheck_task

    promise_pk = promise.pk
    transaction.on_commit(lambda: promise_recheck_task.enqueue(promise_pk))


@transaction.atomic
def promise_update(*, promise: Promise, by: Membership, **fields: Any) -> Promise:
    """Change or (de)activate a promise (managers and owners); its interactions are checked
    again in the background."""
    require_member(by, promise.workspace_id, Role.MANAGER)
    refuse_unknown_fields(Promise, fields, PROMISE_FIELDS)
    stored_type = Promise.objects.values_list("target_type", flat=True).get(pk=promise.pk)
    model_update(promise, _in_minutes(dict(fields), stored_type), PROMISE_FIELDS)
    _recheck_later(promise)
    return promise


# --- checks ---------------------------------------------------------------------------------


@dataclass
class CheckTally:
    kept: int = 0
    broken: int = 0
    not_measurable: int = 0
    alerts_raised: int = 0
    crises: list[int] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def as_dict(self) -> dict[str, int]:
        return {
            "kept": self.kept,
            "broken": self.broken,
            "not_measurable": self.not_measurable,
            "alerts_raised": self.alerts_raised,
        }


def _applicable_promises(workspace_id: int, touchpoint_id: int, segment_id: int | None):
    qs = Promise.objects.filter(workspace_id=workspace_id, touchpoint_id=touchpoint_id, active=True)
    return qs.filter(Q(segment__isnull=True) | Q(segment_id=segment_id))


def _store(
    promise: Promise,
    interaction: Interaction,
    existing: PromiseCheck | None,
    tz: ZoneInfo,
    tally: CheckTally,
    calendar: BusinessCalendar | None = None,
) -> None:
    if existing is not None and existing.manual:
        tally.add(existing.outcome)
        return
    result = evaluate(promise, interaction, tz, calendar)
    if existing is None:
        check = _new_check(promise, interaction, result)
        try:
            with transaction.atomic():
                check.save()
        except IntegrityError:  # another worker stored it first: recheck that row
            existing = PromiseCheck.objects.get(promise=promise, interaction=interaction)
            return _store(promise, interaction, existing, tz, tally, calendar)
    else:
        check = existing
        if _refresh(check, interaction, result):
            check.save(update_fields=REFRESHED_FIELDS)
    tally.add(check.outcome)
    _react(check, tally, by=None)


REFRESHED_FIELDS = ["outcome", "measured", "reason", "occurred_at", "checked_at"]


def _new_check(promise: Promise, interaction: Interaction, result: Outcome) -> PromiseCheck:
    return PromiseCheck(
        workspace_id=interaction.workspace_id,
        promise=promise,
        interaction=interaction,
        customer_id=interaction.customer_id,
        occurred_at=interaction.occurred_at,
        outcome=result.outcome,
        measured=result.measured,
        reason=result.reason,
    )


def _refresh(check: PromiseCheck, interaction: Interaction, result: Outcome) -> bool:
    """Copy a new evaluation onto an automatic check; True when anything changed."""
    fresh = (result.outcome, result.measured, result.reason, interaction.occurred_at)
    if (check.outcome, check.measured, check.reason, check.occurred_at) == fresh:
        return False
    check.outcome, check.measured, check.reason, check.occurred_at = fresh
    check.checked_at = timezone.now()
    return True


def _react(check: PromiseCheck, tally: CheckTally, by: Membership | None) -> None:
    """Open the crisis of a broken check (once), or withdraw it when the check is kept after all."""
    if check.outcome == PromiseCheck.Outcome.BROKEN:
        if crisis_open(check=check) is not None or crisis_reopen(check=check) is not None:
            tally.alerts_raised += 1
    elif check.outcome == PromiseCheck.Outcome.KEPT:
        _withdraw(Crisis.objects.filter(promise_check=check, closed_at__isnull=True), by)


def _withdraw(crises, by: Membership | None = None) -> None:
    """Close open crises as false alarms (their check is kept after all)."""
    ids = list(crises.values_list("pk", flat=True))
    if ids:
        Crisis.objects.filter(pk__in=ids, closed_at__isnull=True).update(
            closed_at=timezone.now(), withdrawn=True, closed_by=by
        )
        hooks.crises_closed.call(crisis_ids=ids, by=by, withdrawn=True)


@transaction.atomic
def promise_checks_for_interaction(*, interaction: Interaction) -> CheckTally:
    """Check one interaction against every promise of its touchpoint (and the customer's
    segment). Called whenever an interaction is recorded or changed."""
    tally = CheckTally()
    customer = interaction.customer
    tz = ZoneInfo(interaction.workspace.time_zone)
    calendar = interaction.workspace.calendar
    promises = list(
        _applicable_promises(
            interaction.workspace_id, interaction.touchpoint_id, customer.segment_id
        )
    )
    existing = {
        c.promise_id: c
        for c in PromiseCheck.objects.filter(interaction=interaction).select_for_update()
    }
    applicable = {p.pk for p in promises}
    # A changed touchpoint or segment: automatic checks of promises that no longer apply go,
    # unless a crisis already hangs on them.
    stale = [c.pk for pid, c in existing.items() if pid not in applicable and not c.manual]
    if stale:
        PromiseCheck.objects.filter(pk__in=stale, crisis__isnull=True).delete()
    for promise in promises:
        _store(promise, interaction, existing.get(promise.pk), tz, tally, calendar)
    return tally


# Broken checks older than this found by a recheck of the catalogue open their crisis quietly:
# the siren is for what can still be put right.
RECENT_FOR_ALERT = timedelta(days=7)


def promise_recheck(*, promise: Promise, batch_size: int = 2000) -> CheckTally:
    """Check every interaction of the promise's touchpoint against this one promise, after it
    was created or changed. Broken checks open their crisis; only those of the last
    `RECENT_FOR_ALERT` sound the alert."""
    tally = CheckTally()
    promise = Promise.objects.select_related("workspace").get(pk=promise.pk)
    if not promise.active:
        return tally
    tz = ZoneInfo(promise.workspace.time_zone)
    calendar = promise.workspace.calendar
    by_touchpoint = {promise.touchpoint_id: [promise]}
    alert_since = timezone.now() - RECENT_FOR_ALERT
    interactions = (
        Interaction.objects.filter(
            workspace_id=promise.workspace_id, touchpoint_id=promise.touchpoint_id
        )
        .select_related("customer")
        .order_by("pk")
    )
    last_pk = 0
    while True:
        batch = list(interactions.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        _run_batch(
            batch,
            by_touchpoint,
            tz,
            tally,
            alert=True,
            alert_since=alert_since,
            calendar=calendar,
        )
    return tally


def promise_checks_run(
    *,
    workspace: Workspace | None = None,
    batch_size: int = 2000,
    progress=None,
    alert: bool = True,
) -> CheckTally:
    """Recheck every interaction of every touchpoint that has an active promise.

    `alert=False` opens the crises of broken checks without notifying anyone (loading
    history, e.g. the demo business)."""
    tally = CheckTally()
    workspaces = [workspace] if workspace is not None else list(Workspace.objects.all())
    for ws in workspaces:
        tz = ZoneInfo(ws.time_zone)
        calendar = ws.calendar
        promises = list(Promise.objects.filter(workspace=ws, active=True))
        if not promises:
            continue
        by_touchpoint: dict[int, list[Promise]] = {}
        for p in promises:
            by_touchpoint.setdefault(p.touchpoint_id, []).append(p)
        interactions = (
            Interaction.objects.filter(workspace=ws, touchpoint_id__in=list(by_touchpoint))
            .select_related("customer")
            .order_by("pk")
        )
        last_pk = 0
        while True:
            batch = list(interactions.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            _run_batch(batch, by_touchpoint, tz, tally, alert, calendar=calendar)
            if progress is not None:
                progress(len(batch))
    return tally


@transaction.atomic
def _run_batch(
    batch: list[Interaction],
    by_touchpoint: dict[int, list[Promise]],
    tz: ZoneInfo,
    tally: CheckTally,
    alert: bool = True,
    alert_since: datetime | None = None,
    calendar: BusinessCalendar | None = None,
) -> None:
    promise_ids = [p.pk for promises in by_touchpoint.values() for p in promises]
    existing = {
        (c.promise_id, c.interaction_id): c
        for c in PromiseCheck.objects.filter(
            interaction__in=[i.pk for i in batch], promise__in=promise_ids
        )
    }
    to_create: list[PromiseCheck] = []
    changed: list[PromiseCheck] = []
    for interaction in batch:
        for promise in by_touchpoint.get(interaction.touchpoint_id, []):
            if promise.segment_id and promise.segment_id != interaction.customer.segment_id:
                continue
            check = existing.get((promise.pk, interaction.pk))
            if check is not None and check.manual:
                tally.add(check.outcome)
                continue
            result = evaluate(promise, interaction, tz, calendar)
            tally.add(result.outcome)
            if check is None:
                to_create.append(_new_check(promise, interaction, result))
            elif _refresh(check, interaction, result):
                changed.append(check)
    PromiseCheck.objects.bulk_create(to_create, ignore_conflicts=True)
    PromiseCheck.objects.bulk_update(changed, REFRESHED_FIELDS)
    for check in changed:  # broken again after a withdrawn crisis: the siren sounds again
        if check.outcome == PromiseCheck.Outcome.BROKEN:
            loud = alert and (alert_since is None or check.occurred_at >= alert_since)
            if crisis_reopen(check=check, alert=loud) is not None and loud:
                tally.alerts_raised += 1
    # Broken checks without a crisis (new ones, or ones whose alert was never raised) and
    # kept checks with an open crisis.
    ids = [i.pk for i in batch]
    quiet: list[Crisis] = []
    for check in PromiseCheck.objects.filter(
        interaction__in=ids,
        promise__in=promise_ids,
        outcome=PromiseCheck.Outcome.BROKEN,
        crisis__isnull=True,
    ).select_related("promise", "customer", "interaction"):
        loud = alert and (alert_since is None or check.occurred_at >= alert_since)
        if not loud:  # opened quietly, all at once below
            quiet.append(
                Crisis(
                    workspace_id=check.workspace_id,
                    customer_id=check.customer_id,
                    promise_id=check.promise_id,
                    promise_check=check,
                )
            )
        elif crisis_open(check=check, alert=True) is not None:
            tally.alerts_raised += 1
    Crisis.objects.bulk_create(quiet, ignore_conflicts=True)
    if quiet:
        opened = list(
            Crisis.objects.filter(
                promise_check__in=[c.promise_check_id for c in quiet], closed_at__isnull=True
            ).select_related("promise_check", "customer")
        )
        if opened:
            hooks.crises_opened.call(crises=opened)
    _withdraw(
        Crisis.objects.filter(
            promise_check__promise__in=promise_ids,
            promise_check__interaction__in=ids,
            promise_check__outcome=PromiseCheck.Outcome.KEPT,
            closed_at__isnull=True,
        )
    )


@transaction.atomic
def promise_check_set(
    *, check: PromiseCheck, by: Membership, outcome: str, note: str = ""
) -> PromiseCheck:
    """A member records or corrects a check ("the van was clean": kept). Automatic rechecks
    will not change it again.

    Any member records the outcome of a check that has none yet (not measurable: a flag that
    waits for staff's word, or an interaction missing its times). Changing a check that is kept
    or broken, whether the system measured it or someone set it, overrides a result: managers
    and owners only. The outcome is read from the database, not from the object given."""
    stored = PromiseCheck.objects.values_list("outcome", flat=True).get(pk=check.pk)
    needed = Role.AGENT if stored == PromiseCheck.Outcome.NOT_MEASURABLE else Role.MANAGER
    require_member(by, check.workspace_id, needed)
    if outcome not in PromiseCheck.Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    if stored != PromiseCheck.Outcome.NOT_MEASURABLE and stored != outcome:
        audit_record(
            action=Action.CHECK_OVERRIDE, member=by, target=check, detail=f"{stored} → {outcome}"
        )
    check.outcome = outcome
    check.manual = True
    check.set_by = by
    check.reason = note[:300]
    if check.promise.target_type == TargetType.FLAG:
        # A flag measures nothing but staff's word: 1 kept, 0 not kept.
        check.measured = {"kept": 1.0, "broken": 0.0}.get(outcome)
    check.checked_at = timezone.now()
    check.full_clean()
    check.save()
    _react(check, CheckTally(), by=by)
    return check


# --- crises ---------------------------------------------------------------------------------


def crisis_open(*, check: PromiseCheck, alert: bool = True) -> Crisis | None:
    """Open the crisis for a broken check and sound the alert, unless it is already open.
    Returns the new crisis, or None when there was one already."""
    with transaction.atomic():
        if Crisis.objects.filter(promise_check=check).exists():
            return None
        try:
            with transaction.atomic():
                crisis = Crisis.objects.create(
                    workspace_id=check.workspace_id,
                    customer_id=check.customer_id,
                    promise_id=check.promise_id,
                    promise_check=check,
                )
        except IntegrityError:  # opened at the same moment by another worker
            return None
        hooks.crises_opened.call(crises=[crisis])
        if alert:
            _crisis_alert(crisis)
    return crisis


def crisis_reopen(*, check: PromiseCheck, alert: bool = True) -> Crisis | None:
    """A check withdrawn as kept is broken again (corrected, or the interaction changed once
    more): its withdrawn crisis opens again and sounds the alert. A crisis handled by staff
    stays handled. Returns the reopened crisis, or None."""
    with transaction.atomic():
        reopened = Crisis.objects.filter(
            promise_check=check, withdrawn=True, closed_at__isnull=False
        ).update(closed_at=None, closed_by=None, withdrawn=False, opened_at=timezone.now())
        if not reopened:
            return None
        crisis = Crisis.objects.select_related("promise_check").get(promise_check=check)
        hooks.crises_opened.call(crises=[crisis])
        if alert:
            _crisis_alert(crisis)
    return crisis


def _alert_recipients(customer: Customer) -> list[Membership]:
    members = list(
        Membership.objects.filter(
            workspace_id=customer.workspace_id, role__in=[Role.OWNER, Role.MANAGER]
        ).select_related("user")
    )
    owner = customer.account_owner
    if owner is not None and all(m.pk != owner.pk for m in members):
        members.insert(0, owner)
    return members


def _crisis_alert(crisis: Crisis) -> None:
    from ascolto.notifications.services import notification_create, notification_texts

    hooks.promise_broken.call(crisis=crisis)
    check = crisis.promise_check
    customer = check.customer
    workspace = customer.workspace
    promise = check.promise
    url = reverse("customers:customer-detail", args=[customer.pk]) + f"#crisis-{crisis.pk}"

    def words() -> tuple[str, str]:
        language = translation.get_language() or workspace.language
        title = _("Broken promise: “%(promise)s” for %(customer)s") % {
            "promise": promise.label,
            "customer": customer.name,
        }
        body = _(
            "We promised: %(wording)s. What happened: %(what)s. "
            "Call the customer, apologise, explain honestly and offer a remedy."
        ) % {
            # the promise's own full stop would make "scarto.. Cosa è successo"
            "wording": promise.wording(language).rstrip(" ."),
            "what": check_summary(check),
        }
        return title, body

    texts = notification_texts(words)
    for recipient in _alert_recipients(customer):
        notification_create(
            workspace=workspace,
            recipient=recipient,
            kind="broken_promise",
            texts=texts,
            customer=customer,
            url=url,
        )


def check_summary(check: PromiseCheck) -> str:
    """ "arrived after 31 h 20 min", "45 min late", "defects: 2" — in the active language."""
    from ascolto.promises.formatting import measured_text

    return measured_text(check.promise, check.measured)


@transaction.atomic
def crisis_step_tick(*, crisis: Crisis, step: str, by: Membership, note: str = "") -> CrisisStep:
    """Tick a step of the crisis checklist (any member)."""
    require_member(by, crisis.workspace_id, Role.AGENT)
    if step not in Crisis.Step.values:
        raise ValueError(f"unknown step {step!r}")
    done, _created = CrisisStep.objects.get_or_create(
        crisis=crisis, step=step, defaults={"done_by": by, "note": note[:500]}
    )
    return done


@transaction.atomic
def crisis_step_untick(*, crisis: Crisis, step: str, by: Membership) -> None:
    """Untick a step of the crisis checklist (any member)."""
    require_member(by, crisis.workspace_id, Role.AGENT)
    CrisisStep.objects.filter(crisis=crisis, step=step).delete()


@transaction.atomic
def crisis_close(*, crisis: Crisis, by: Membership, note: str = "") -> Crisis:
    """The crisis is handled: the customer has been looked after. Managers and owners decide
    that; agents work through the checklist."""
    require_member(by, crisis.workspace_id, Role.MANAGER)
    if crisis.closed_at is None:
        crisis.closed_at = timezone.now()
        crisis.closed_by = by
        if note:
            crisis.note = note[:5_000]
        crisis.save(update_fields=["closed_at", "closed_by", "note"])
        hooks.crises_closed.call(crisis_ids=[crisis.pk], by=by, withdrawn=False)
    return crisis


# --- expectations ---------------------------------------------------------------------------


@transaction.atomic
def expectation_create(*, customer: Customer, by: Membership, **fields: Any) -> Expectation:
    """Record one of the customer's needs (any member)."""
    require_member(by, customer.workspace_id, Role.AGENT)
    refuse_unknown_fields(Expectation, fields, EXPECTATION_FIELDS)
    values = _in_minutes(dict(fields))
    expectation = Expectation(workspace_id=customer.workspace_id, customer=customer, **values)
    expectation.full_clean()
    expectation.save()
    return expectation


@transaction.atomic
def expectation_delete(*, expectation: Expectation, by: Membership) -> None:
    """Remove a recorded need. Managers and owners only: removing the need that does not fit
    would let a prospect past the fit check that is theirs to decide."""
    require_member(by, expectation.workspace_id, Role.MANAGER)
    expectation.delete()


# --- taking a prospect on: the fit check at conversion --------------------------------------


class ConversionRefused(StatusChangeRefused):
    """The prospect cannot be converted as asked; `reason` says why, in the active language."""


def customer_activating_fit_check(*, customer: Customer, by: Membership, reason: str) -> Any:
    """The fit check, run whenever a prospect becomes a customer (registered on
    `customers.hooks.customer_activating`, so the Edit form, the conversion page and any
    other path pass through it). When the needs fit, nothing is needed. When they do not, only
    managers and owners decide, with a reason, and a `FitOverride` records it with the
    mismatches (in words and as fields); it is returned."""
    from ascolto.promises.fit import fit_check_for_customer
    from ascolto.promises.models import FitOverride

    fit = fit_check_for_customer(workspace=customer.workspace, customer=customer)
    if not fit.misfit:
        return None
    convert_url = reverse("promises:customer-convert", args=[customer.pk])
    if not by.has_role(Role.MANAGER):
        raise ConversionRefused(
            _("Their needs do not fit your promises: a manager or an owner decides."),
            next_url=convert_url,
        )
    reason = (reason or "").strip()
    if not reason:
        raise ConversionRefused(
            _("Their needs do not fit your promises: say why you take them anyway."),
            field="reason",
            next_url=convert_url,
        )
    override = FitOverride(
        workspace_id=customer.workspace_id,
        customer=customer,
        reason=reason[:2_000],
        mismatches=fit.mismatch_records(),
        decided_by=by,
    )
    override.full_clean()
    override.save()
    return override


@transaction.atomic
def customer_convert(*, customer: Customer, by: Membership, reason: str = "") -> Any:
    """Make a prospect a customer after the fit check (`customer_activating_fit_check`, run by
    `customers.services.customer_activate` for every path). Returns the `FitOverride` when
    the prospect was taken despite a misfit, or None when none was needed."""
    from ascolto.customers.services import customer_activate
    from ascolto.promises.models import FitOverride

    require_member(by, customer.workspace_id, Role.AGENT)
    try:
        results = customer_activate(customer=customer, by=by, reason=reason)
    except StatusChangeRefused as exc:
        if isinstance(exc, ConversionRefused):
            raise
        raise ConversionRefused(exc.reason, field=exc.field) from exc
    return next((r for r in results if isinstance(r, FitOverride)), None)
