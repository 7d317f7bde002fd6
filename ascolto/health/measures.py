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
    "feedback": 20,
    "trend": 10,
    "silence": 15,
    "promises": 15,
    "voice": 10,
    "staff": 10,
    "complaints": 10,
    "renewal": 10,
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
    "min_weight": 40,  # less weight than this with data: "not enough data"
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
    """Their texts in the window (survey comments, notes, staff signals as analysed): anger or
    half of them negative poor, any negative concerning. No texts: no data."""
    texts, negative, angry = (row.get(k) or 0 for k in ("texts", "negative", "angry"))
    if not texts:
        return None
    params = {"texts": texts, "negative": negative, "angry": angry}
    if angry or negative * 2 >= texts:
        return POOR, params
    if negative:
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
    """Complaints, errors, delays and missed payments (negative touchpoints) in the window.
    No interaction in a year: no data."""
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


MEASURES: dict[str, Callable[[Mapping[str, Any], Mapping[str, int], date], Result]] = {
    "feedback": feedback,
    "trend": trend,
    "silence": silence,
    "promises": promises,
    "voice": voice,
    "staff": staff,
    "complaints": complaints,
    "renewal": renewal,
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
                    "%(count)s complaint, error, delay or missed payment in 90 days.",
                    "%(count)s complaints, errors, delays or missed payments in 90 days.",
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
        if p.get("breaches"):
            return ngettext(
                "%(open)s open case, %(breaches)s past its deadline.",
                "%(open)s open cases, %(breaches)s past their deadline.",
                p.get("open", 0),
            ) % {"open": p.get("open", 0), "breaches": p["breaches"]}
        if p.get("open"):
            return ngettext("%(open)s open case.", "%(open)s open cases.", p["open"]) % p
        return _("No open cases.")
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
}


def next_action(contributions: list[dict[str, Any]]) -> str:
    """The action for the measure that took the most points (nothing when none did)."""
    for item in contributions:
        if item.get("points"):
            return str(ACTIONS.get(item["measure"], ""))
    return ""
