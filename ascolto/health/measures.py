"""The health score's measures: what each reads, its bands, its weight, and its sentence.

Pure functions over one customer's signals (a row of `ascolto.health.signals.signal_rows`,
computed in the database), so the same inputs give the same score on every database.

Each measure puts the customer in a band: `healthy` (keeps all its points), `concerning`
(loses half) or `poor` (loses them all), or returns None when there is no data for it. Missing
data is never counted as healthy: the measure is left out, the others re-normalised to 100, and
"not enough data" is shown when too little is left. The score is 100 minus what the measures
took away; each loss is a whole number and they add up exactly (largest remainder).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

HEALTHY, CONCERNING, POOR = "healthy", "concerning", "poor"
BAND_LOSS = {HEALTHY: 0.0, CONCERNING: 0.5, POOR: 1.0}
BAND_LABELS = {
    HEALTHY: gettext_lazy("healthy"),
    CONCERNING: gettext_lazy("concerning"),
    POOR: gettext_lazy("poor"),
}

# Weights of the measures (points out of 100). A workspace may change them; they are
# re-normalised to 100 whatever they add up to.
DEFAULT_WEIGHTS: dict[str, int] = {
    "feedback": 15,
    "trend": 8,
    "silence": 10,
    "promises": 10,
    "cases": 8,
    "voice": 8,
    "staff": 7,
    "complaints": 5,
    "renewal": 8,
    "deeds": 6,
    "payments": 6,
    "rhythm": 6,
    "tenure": 3,
}

# Bands: days and counts where a measure turns concerning or poor; level limits on the score.
DEFAULT_BANDS: dict[str, int] = {
    "window_days": 90,  # how far back broken promises, complaints, texts and signals count
    "silence_concerning_days": 60,
    "silence_poor_days": 120,
    "renewal_concerning_days": 90,
    "renewal_poor_days": 30,
    "complaints_poor": 2,
    "broken_poor": 2,
    "flag_days": 7,  # how recent a single event must be to raise an immediate risk indicator
    "level_healthy": 75,  # score at or above: healthy
    "level_watch": 50,  # at or above: to watch
    "level_at_risk": 25,  # at or above: at risk; below: critical
    "min_weight": 30,  # less weight than this with data: "not enough data"
    "payments_poor": 2,  # missed payments in the window: poor from
    "rhythm_concerning_pct": 200,  # gap since the last contact, % of their usual interval
    "rhythm_poor_pct": 300,
    "tenure_new_days": 90,  # a customer for fewer days than this: poor (new)
}

MEASURE_LABELS = {
    "feedback": gettext_lazy("Last survey answer"),
    "trend": gettext_lazy("Score trend"),
    "silence": gettext_lazy("Silence"),
    "promises": gettext_lazy("Promises"),
    "voice": gettext_lazy("Their words"),
    "staff": gettext_lazy("Staff signals"),
    "complaints": gettext_lazy("Complaints"),
    "renewal": gettext_lazy("Renewal"),
    "cases": gettext_lazy("Open cases"),
    "deeds": gettext_lazy("Words against deeds"),
    "payments": gettext_lazy("Payments"),
    "rhythm": gettext_lazy("Their own rhythm"),
    "tenure": gettext_lazy("Time as a customer"),
}

Result = tuple[str, dict[str, Any]] | None


def _days(since: datetime | date | None, day: date) -> int | None:
    if since is None:
        return None
    since_day = since.date() if isinstance(since, datetime) else since
    return (day - since_day).days


def feedback(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """The last NPS answer: promoter healthy, passive concerning, detractor poor. A top score
    with "nothing to improve" is concerning: "everything is fine" is an alarm."""
    score = row.get("nps_last")
    if score is None:
        return None
    params = {"score": score}
    if score <= 6:
        return POOR, params
    if score <= 8:
        return CONCERNING, params
    if row.get("nps_last_all_good"):
        return CONCERNING, {**params, "all_good": True}
    return HEALTHY, params


def trend(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """The last NPS answer against the one before: down 3 or more poor, down 1–2 concerning."""
    last, previous = row.get("nps_last"), row.get("nps_previous")
    if last is None or previous is None:
        return None
    drop = previous - last
    params = {"previous": previous, "last": last}
    if drop >= 3:
        return POOR, params
    if drop >= 1:
        return CONCERNING, params
    return HEALTHY, params


def silence(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Days since the customer was last heard from (an answer or an interaction; since they
    became a customer when nothing yet), and invitations left unanswered."""
    heard = [at for at in (row.get("last_response_at"), row.get("last_interaction_at")) if at]
    since = max(heard) if heard else row.get("created_at")
    days = _days(since, day)
    if days is None:
        return None
    days = max(0, days)
    unanswered = row.get("unanswered") or 0
    params = {"days": days, "unanswered": unanswered, "never": not heard}
    if days >= bands["silence_poor_days"] or unanswered >= 3:
        return POOR, params
    if days >= bands["silence_concerning_days"] or unanswered >= 2:
        return CONCERNING, params
    return HEALTHY, params


def promises(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Broken promise checks in the window and crises still open: none healthy; one broken
    concerning; as many as `broken_poor`, or an open crisis, poor. No checks: no data."""
    broken, checks, crises = (row.get(k) or 0 for k in ("broken", "checks", "open_crises"))
    if not checks and not crises:
        return None
    params = {"broken": broken, "checks": checks, "crises": crises}
    if crises or broken >= bands["broken_poor"]:
        return POOR, params
    if broken:
        return CONCERNING, params
    return HEALTHY, params


def voice(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Their texts in the window (survey comments, notes, staff signals as analysed): anger
    twice, or three negative texts making half of them, poor; anger once, or a quarter of them
    negative, concerning. One sour note among many is not a trend. No texts: no data."""
    texts, negative, angry = (row.get(k) or 0 for k in ("texts", "negative", "angry"))
    if not texts:
        return None
    params = {"texts": texts, "negative": negative, "angry": angry}
    if angry >= 2 or (negative >= 3 and negative * 2 >= texts):
        return POOR, params
    if angry or negative * 4 >= texts and negative:
        return CONCERNING, params
    return HEALTHY, params


def staff(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Staff signals in the window: two negative poor; one negative, or an "everything is
    fine" signal, concerning (friendship is no guarantee). None: no data."""
    signals, negative, fine = (row.get(k) or 0 for k in ("signals", "signals_negative", "fine"))
    if not signals:
        return None
    params = {"signals": signals, "negative": negative, "fine": fine}
    if negative >= 2:
        return POOR, params
    if negative or fine:
        return CONCERNING, params
    return HEALTHY, params


def complaints(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Complaints, errors and delays (negative touchpoints; missed payments have their own
    measure) in the window. No interaction in a year: no data."""
    if not row.get("interactions_year"):
        return None
    count = row.get("negative_events") or 0
    params = {"count": count}
    if count >= bands["complaints_poor"]:
        return POOR, params
    if count:
        return CONCERNING, params
    return HEALTHY, params


def renewal(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """The next renewal: within `renewal_poor_days` poor, within `renewal_concerning_days`
    concerning (renewals are where customers leave), unless it renews by itself. No contract:
    no data."""
    when = row.get("renewal_date")
    if when is None:
        return None
    days = (when - day).days
    params = {"days": days, "auto": bool(row.get("renewal_auto"))}
    if params["auto"] or days >= bands["renewal_concerning_days"]:
        return HEALTHY, params
    if days < bands["renewal_poor_days"]:
        return POOR, params
    return CONCERNING, params


def cases(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Cases (complaints handled with clocks): none open and no deadline missed in the window
    healthy; one open, or a missed deadline, concerning; two open, or an open case past a
    deadline, poor. A customer who never had a case: no data."""
    if not row.get("cases_ever"):
        return None
    open_, breaches = row.get("cases_open") or 0, row.get("sla_breaches") or 0
    params = {"open": open_, "breaches": breaches}
    if open_ >= 2 or (open_ and breaches):
        return POOR, params
    if open_ or breaches:
        return CONCERNING, params
    return HEALTHY, params


DEED_FALLS = ("rhythm", "payments", "problems", "value")


def deeds(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Words against deeds: a customer who says all is well (a promoter's score, "nothing to
    improve", or "everything is fine" to the staff) while their deeds fall: contacts in the
    window less than half of the window before, a missed payment, problems still open (a case,
    a broken promise being handled), a renewed contract worth less than the one before. One
    falling deed concerning, two or more poor. Nobody saying all is well: no data (there are
    no words to weigh the deeds against)."""
    says_fine = (row.get("nps_last") or 0) >= 9 or row.get("nps_last_all_good") or row.get("fine")
    if not says_fine:
        return None
    falls = []
    before, now = row.get("interactions_before") or 0, row.get("interactions_window") or 0
    if before >= 2 and now * 2 < before:
        falls.append("rhythm")
    if row.get("missed_payments"):
        falls.append("payments")
    if row.get("cases_open") or row.get("open_crises"):
        falls.append("problems")
    last, previous = row.get("contract_value_last"), row.get("contract_value_previous")
    if last is not None and previous is not None and last < previous:
        falls.append("value")
    params = {"falls": falls, "before": before, "now": now}
    if len(falls) >= 2:
        return POOR, params
    if falls:
        return CONCERNING, params
    return HEALTHY, params


def payments(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Missed payments (interactions "missed payment") in the window: `payments_poor` or more
    poor, one concerning, none healthy; and more missed than in the window before is never
    healthy. No payment recorded in a year (paid or missed): no data."""
    if not row.get("payments_year"):
        return None
    missed, before = row.get("missed_payments") or 0, row.get("missed_payments_before") or 0
    params = {"missed": missed, "before": before}
    if missed >= bands["payments_poor"]:
        return POOR, params
    if missed:
        return CONCERNING, params
    return HEALTHY, params


def rhythm(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """Their own rhythm: days since the last interaction against the customer's usual interval
    over the past year (first to last contact divided by the gaps between them), not one limit
    for everybody: a weekly customer silent for a month is poor, a yearly one is not. At least
    three contacts in a year are needed (two intervals): fewer, no data."""
    count = row.get("interactions_year") or 0
    first, last = row.get("first_interaction_year"), row.get("last_interaction_at")
    if count < 3 or first is None or last is None:
        return None
    usual = max(1.0, (last - first).total_seconds() / 86400 / (count - 1))
    gap = max(0, _days(last, day) or 0)
    params = {"usual": max(1, round(usual)), "gap": gap}
    ratio = gap * 100 / usual
    if ratio >= bands["rhythm_poor_pct"] and gap >= 14:
        return POOR, params
    if ratio >= bands["rhythm_concerning_pct"] and gap >= 7:
        return CONCERNING, params
    return HEALTHY, params


def tenure(row: Mapping[str, Any], bands: Mapping[str, int], day: date) -> Result:
    """How long they have been a customer: since the earliest of their first contract, their
    first interaction and the day they were added. Under `tenure_new_days` poor (new customers
    decide in the first months), under a year concerning (the first renewal is ahead)."""
    starts = [
        v
        for v in (
            row.get("contract_first_start"),
            row.get("first_interaction_at"),
            row.get("created_at"),
        )
        if v is not None
    ]
    days = max((_days(v, day) or 0) for v in starts) if starts else None
    if days is None:
        return None
    params = {"days": max(0, days)}
    if days < bands["tenure_new_days"]:
        return POOR, params
    if days < 365:
        return CONCERNING, params
    return HEALTHY, params


MEASURES: dict[str, Callable[[Mapping[str, Any], Mapping[str, int], date], Result]] = {
    "feedback": feedback,
    "trend": trend,
    "silence": silence,
    "promises": promises,
    "cases": cases,
    "voice": voice,
    "staff": staff,
    "complaints": complaints,
    "renewal": renewal,
    "deeds": deeds,
    "payments": payments,
    "rhythm": rhythm,
    "tenure": tenure,
}


# --- Immediate risk indicators ------------------------------------------------------------------
FLAG_LABELS = {
    "missed_payment": gettext_lazy("Missed payment"),
    "complaint": gettext_lazy("New complaint"),
    "detractor": gettext_lazy("Detractor answer"),
    "broken_twice": gettext_lazy("A promise broken twice in 30 days"),
    "staff_negative": gettext_lazy("Negative staff signal"),
    "leaving_words": gettext_lazy("Words of leaving in their text"),
}


def flags(row: Mapping[str, Any]) -> list[str]:
    """Single events that raise a risk at once, whatever the score."""
    found = []
    if row.get("flag_missed_payment"):
        found.append("missed_payment")
    if row.get("flag_complaint"):
        found.append("complaint")
    if row.get("flag_detractor"):
        found.append("detractor")
    if (row.get("broken_30") or 0) >= 2:
        found.append("broken_twice")
    if row.get("flag_staff_negative"):
        found.append("staff_negative")
    if row.get("flag_leaving"):
        found.append("leaving_words")
    return found


# --- The score -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contribution:
    measure: str
    band: str
    points: int  # points taken away (0 for a healthy measure)
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "band": self.band,
            "points": self.points,
            "params": self.params,
        }


@dataclass(frozen=True)
class Scored:
    score: int | None
    level: str
    contributions: list[Contribution]
    missing: list[str]
    flags: list[str]


def level_for(score: int | None, bands: Mapping[str, int]) -> str:
    if score is None:
        return "unknown"
    if score >= bands["level_healthy"]:
        return "healthy"
    if score >= bands["level_watch"]:
        return "watch"
    if score >= bands["level_at_risk"]:
        return "at_risk"
    return "critical"


def whole_losses(losses: Mapping[str, float]) -> dict[str, int]:
    """Whole points per measure whose sum is the rounded total (largest remainder)."""
    total = round(sum(losses.values()) + 1e-9)
    floors = {name: math.floor(value + 1e-9) for name, value in losses.items()}
    short = total - sum(floors.values())
    order = sorted(losses, key=lambda n: (-(losses[n] - floors[n]), n))
    for name in order[: max(0, short)]:
        floors[name] += 1
    return floors


def score_row(
    row: Mapping[str, Any],
    *,
    day: date,
    weights: Mapping[str, int],
    bands: Mapping[str, int],
    measures: Mapping[str, Callable[..., Result]] | None = None,
    card: Mapping[str, Mapping[str, int]] | None = None,
) -> Scored:
    """The score of one customer's signals: by the weights and bands, or, when the workspace
    adopted a learned points card, 100 minus the card's points for the customer's bands (a
    missing measure in its "missing" band)."""
    banded: dict[str, tuple[str, dict[str, Any]]] = {}
    missing: list[str] = []
    for name, measure in (measures or MEASURES).items():
        if weights.get(name, 0) <= 0:
            continue
        result = measure(row, bands, day)
        if result is None:
            missing.append(name)
        else:
            banded[name] = result
    available = sum(weights[name] for name in banded)
    found_flags = flags(row)
    if (
        available <= 0
        or available < bands["min_weight"] * sum(w for w in weights.values() if w > 0) / 100
    ):
        return Scored(None, "unknown", [], missing, found_flags)
    if card:
        points = {
            name: int(card.get(name, {}).get(banded[name][0] if name in banded else "missing", 0))
            for name in card
        }
        for name in missing:
            if points.get(name):
                banded[name] = ("missing", {})
    else:
        losses = {
            name: weights[name] * BAND_LOSS[band] * 100 / available
            for name, (band, _params) in banded.items()
        }
        points = whole_losses(losses)
    contributions = sorted(
        (
            Contribution(name, band, points.get(name, 0), params)
            for name, (band, params) in banded.items()
        ),
        key=lambda c: (-c.points, c.measure),
    )
    score = 100 - sum(c.points for c in contributions)
    return Scored(score, level_for(score, bands), contributions, missing, found_flags)


# --- Sentences ----------------------------------------------------------------------------------
def sentence(measure: str, band: str, params: Mapping[str, Any]) -> str:
    """What a measure saw, as a sentence a shop owner reads."""
    p = dict(params)
    if band == "missing":
        return _("No data: the learned card counts that as a risk.")
    if measure == "feedback":
        if p.get("all_good"):
            return _("Top score with nothing to improve: “everything is fine” can hide a problem.")
        return _("Last recommendation score: %(score)s out of 10.") % p
    if measure == "trend":
        if band == HEALTHY:
            return _("Recommendation score steady or rising (%(previous)s → %(last)s).") % p
        return _("Recommendation score fell from %(previous)s to %(last)s.") % p
    if measure == "silence":
        if p.get("unanswered", 0) >= 2 and band != HEALTHY:
            return (
                ngettext(
                    "%(unanswered)s survey left unanswered.",
                    "%(unanswered)s surveys left unanswered in a row.",
                    p["unanswered"],
                )
                % p
            )
        if p.get("never"):
            return (
                ngettext(
                    "Never heard from since becoming a customer %(days)s day ago.",
                    "Never heard from since becoming a customer %(days)s days ago.",
                    p["days"],
                )
                % p
            )
        return (
            ngettext(
                "Last heard from %(days)s day ago.", "Last heard from %(days)s days ago.", p["days"]
            )
            % p
        )
    if measure == "promises":
        if p.get("crises"):
            return (
                ngettext(
                    "%(crises)s broken promise still being handled.",
                    "%(crises)s broken promises still being handled.",
                    p["crises"],
                )
                % p
            )
        if p.get("broken"):
            return (
                ngettext(
                    "Promise broken %(broken)s time out of %(checks)s in 90 days.",
                    "Promises broken %(broken)s times out of %(checks)s in 90 days.",
                    p["broken"],
                )
                % p
            )
        return (
            ngettext(
                "Every promise kept (%(checks)s check in 90 days).",
                "Every promise kept (%(checks)s checks in 90 days).",
                p["checks"],
            )
            % p
        )
    if measure == "voice":
        if p.get("angry"):
            return (
                ngettext(
                    "Anger in %(angry)s of their %(texts)s texts in 90 days.",
                    "Anger in %(angry)s of their %(texts)s texts in 90 days.",
                    p["angry"],
                )
                % p
            )
        if p.get("negative"):
            return (
                ngettext(
                    "%(negative)s negative text out of %(texts)s in 90 days.",
                    "%(negative)s negative texts out of %(texts)s in 90 days.",
                    p["negative"],
                )
                % p
            )
        return _("Nothing negative in their words in 90 days.")
    if measure == "staff":
        if p.get("negative"):
            return (
                ngettext(
                    "%(negative)s negative staff signal in 90 days.",
                    "%(negative)s negative staff signals in 90 days.",
                    p["negative"],
                )
                % p
            )
        if p.get("fine"):
            return _("Staff say “everything is fine”: friendship is no guarantee, ask them.")
        return _("Staff signals are positive.")
    if measure == "complaints":
        if p.get("count"):
            return (
                ngettext(
                    "%(count)s complaint, error or delay in 90 days.",
                    "%(count)s complaints, errors or delays in 90 days.",
                    p["count"],
                )
                % p
            )
        return _("No complaints in 90 days.")
    if measure == "renewal":
        if p.get("auto"):
            return _("The contract renews by itself.")
        if p["days"] < 0:
            return _("The contract's renewal date has passed.")
        return (
            ngettext(
                "Contract renewal in %(days)s day.", "Contract renewal in %(days)s days.", p["days"]
            )
            % p
        )
    if measure == "cases":
        if p.get("breaches") and not p.get("open"):
            return (
                ngettext(
                    "%(breaches)s deadline missed on a case in 90 days.",
                    "%(breaches)s deadlines missed on cases in 90 days.",
                    p["breaches"],
                )
                % p
            )
        if p.get("breaches"):
            return ngettext(
                "%(open)s open case, %(breaches)s past its deadline.",
                "%(open)s open cases, %(breaches)s past their deadline.",
                p.get("open", 0),
            ) % {"open": p.get("open", 0), "breaches": p["breaches"]}
        if p.get("open"):
            return ngettext("%(open)s open case.", "%(open)s open cases.", p["open"]) % p
        return _("No open cases.")
    if measure == "deeds":
        if band == HEALTHY:
            return _("They say all is well, and their deeds agree.")
        what = {
            "rhythm": _("their contacts fell from %(before)s to %(now)s in 90 days") % p,
            "payments": _("a payment was missed"),
            "problems": _("problems are still open"),
            "value": _("their contract is worth less than before"),
        }
        return _("They say all is well, but %(deeds)s.") % {
            "deeds": _(", ").join(str(what[f]) for f in p.get("falls", []) if f in what)
        }
    if measure == "payments":
        if p.get("missed"):
            return (
                ngettext(
                    "%(missed)s missed payment in 90 days.",
                    "%(missed)s missed payments in 90 days.",
                    p["missed"],
                )
                % p
            )
        return _("No missed payment in 90 days.")
    if measure == "rhythm":
        if band == HEALTHY:
            return (
                ngettext(
                    "In touch at their usual rhythm (about every %(usual)s day).",
                    "In touch at their usual rhythm (about every %(usual)s days).",
                    p["usual"],
                )
                % p
            )
        return (
            ngettext(
                "Usually in touch about every %(usual)s day; nothing for %(gap)s days.",
                "Usually in touch about every %(usual)s days; nothing for %(gap)s days.",
                p["usual"],
            )
            % p
        )
    if measure == "tenure":
        if band == POOR:
            return (
                ngettext(
                    "A new customer (%(days)s day): the first months decide.",
                    "A new customer (%(days)s days): the first months decide.",
                    p["days"],
                )
                % p
            )
        if band == CONCERNING:
            return _("A customer for less than a year: the first renewal is ahead.")
        return _("A customer for more than a year.")
    return str(MEASURE_LABELS.get(measure, measure))


# --- Suggested next action ----------------------------------------------------------------------
ACTIONS = {
    "promises": gettext_lazy("Apologise for the broken promise and say what you will do."),
    "complaints": gettext_lazy("Call them about the complaint and offer a remedy."),
    "feedback": gettext_lazy("Call them: ask what went wrong."),
    "trend": gettext_lazy("Call them: ask what changed."),
    "silence": gettext_lazy("Send a survey or call: they have gone quiet."),
    "voice": gettext_lazy("Call them: their words are negative."),
    "staff": gettext_lazy("Ask the colleague who noticed, then call them."),
    "renewal": gettext_lazy("Meet them before the renewal."),
    "cases": gettext_lazy("Close the open case."),
    "deeds": gettext_lazy("Ask them openly: what they say and what they do disagree."),
    "payments": gettext_lazy("Call about the payment before it turns into a dispute."),
    "rhythm": gettext_lazy("Get in touch: they are quieter than usual for them."),
    "tenure": gettext_lazy("Check in: new customers decide in the first months."),
}


def next_action(contributions: list[dict[str, Any]]) -> str:
    """The action for the measure that took the most points (nothing when none did)."""
    for item in contributions:
        if item.get("points"):
            return str(ACTIONS.get(item["measure"], ""))
    return ""
