"""The pure evaluation of one interaction against one promise: every kind of target, business
hours over weekends and Italian holidays, time zones, DST, and the cases that are never "kept"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from ascolto.promises.evaluation import (
    BROKEN,
    KEPT,
    NOT_MEASURABLE,
    business_minutes_between,
    evaluate,
    is_business_day,
)

ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")


def promise(target_type: str, **fields):
    values = {
        "target_type": target_type,
        "limit": None,
        "start_moment": "",
        "end_moment": "",
        "business_hours": False,
        "measure": "",
        "comparison": "",
    }
    values.update(fields)
    return SimpleNamespace(**values)


def interaction(**fields):
    values = {
        "requested_at": None,
        "scheduled_for": None,
        "started_at": None,
        "completed_at": None,
        "occurred_at": datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
        "measures": {},
    }
    values.update(fields)
    return SimpleNamespace(**values)


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


# --- duration -------------------------------------------------------------------------------


def within_24h(**fields):
    return promise(
        "duration",
        limit=Decimal(24 * 60),
        start_moment="requested_at",
        end_moment="started_at",
        **fields,
    )


def test_duration_within_limit_is_kept_and_measures_minutes():
    """GIVEN "within 24 h" WHEN the technician starts 5 h after the call THEN kept, 300 min."""
    asked = rome(2026, 3, 2, 9, 0)
    result = evaluate(
        within_24h(), interaction(requested_at=asked, started_at=asked + timedelta(hours=5)), ROME
    )
    assert (result.outcome, result.measured) == (KEPT, 300)


def test_duration_exactly_on_the_limit_is_kept_one_minute_more_is_broken():
    asked = rome(2026, 3, 2, 9, 0)
    on_limit = evaluate(
        within_24h(), interaction(requested_at=asked, started_at=asked + timedelta(hours=24)), ROME
    )
    over = evaluate(
        within_24h(),
        interaction(requested_at=asked, started_at=asked + timedelta(hours=24, minutes=1)),
        ROME,
    )
    assert (on_limit.outcome, on_limit.measured) == (KEPT, 1440)
    assert (over.outcome, over.measured) == (BROKEN, 1441)


@pytest.mark.parametrize(
    "fields",
    [
        {"requested_at": None, "started_at": rome(2026, 3, 2, 9, 0)},
        {"requested_at": rome(2026, 3, 2, 9, 0), "started_at": None},
        {},
    ],
    ids=["no-start", "no-end", "nothing"],
)
def test_duration_with_a_missing_time_is_not_measurable_never_kept(fields):
    result = evaluate(within_24h(), interaction(**fields), ROME)
    assert (result.outcome, result.measured, result.reason) == (
        NOT_MEASURABLE,
        None,
        "missing_time",
    )


def test_duration_with_times_out_of_order_is_not_measurable():
    """GIVEN work that "started" before it was requested (a typing error) THEN not measurable,
    not a kept promise of -2 hours."""
    asked = rome(2026, 3, 2, 11, 0)
    result = evaluate(
        within_24h(), interaction(requested_at=asked, started_at=asked - timedelta(hours=2)), ROME
    )
    assert (result.outcome, result.reason) == (NOT_MEASURABLE, "out_of_order")


def test_duration_without_a_limit_is_not_measurable():
    result = evaluate(
        promise("duration", start_moment="requested_at", end_moment="started_at"),
        interaction(requested_at=rome(2026, 3, 2, 9, 0), started_at=rome(2026, 3, 2, 10, 0)),
        ROME,
    )
    assert (result.outcome, result.reason) == (NOT_MEASURABLE, "no_limit")


def test_duration_across_the_dst_night_counts_real_elapsed_time():
    """GIVEN a request on Saturday 28 March 2026 at noon in Rome WHEN work starts on Sunday at
    noon (clocks went forward that night) THEN 23 h elapsed, not 24 h."""
    result = evaluate(
        within_24h(),
        interaction(requested_at=rome(2026, 3, 28, 12, 0), started_at=rome(2026, 3, 29, 12, 0)),
        ROME,
    )
    assert (result.outcome, result.measured) == (KEPT, 23 * 60)


# --- business hours -------------------------------------------------------------------------


def test_business_hours_skip_the_weekend():
    """GIVEN a request on Friday at 17:00 WHEN work starts Monday at 10:00 THEN 2 business
    hours (Friday 17–18, Monday 9–10)."""
    minutes = business_minutes_between(rome(2026, 3, 6, 17, 0), rome(2026, 3, 9, 10, 0), ROME)
    assert minutes == 120


def test_business_hours_skip_easter_monday():
    """GIVEN a request on Friday 3 April 2026 at 17:00, before Easter Monday WHEN work starts
    Tuesday at 10:00 THEN still 2 business hours: the holiday does not count."""
    assert not is_business_day(datetime(2026, 4, 6).date())
    promise_8h = promise(
        "duration",
        limit=Decimal(8 * 60),
        start_moment="requested_at",
        end_moment="started_at",
        business_hours=True,
    )
    result = evaluate(
        promise_8h,
        interaction(requested_at=rome(2026, 4, 3, 17, 0), started_at=rome(2026, 4, 7, 10, 0)),
        ROME,
    )
    assert (result.outcome, result.measured) == (KEPT, 120)
    # The same wall-clock span a week later (no holiday) counts Monday too.
    assert business_minutes_between(rome(2026, 4, 10, 17, 0), rome(2026, 4, 14, 10, 0), ROME) == (
        60 + 9 * 60 + 60
    )


def test_business_hours_over_christmas_and_st_stephen():
    """GIVEN a request on Thursday 24 December 2026 at 17:00 WHEN work starts Monday 28 at 10:00
    THEN 2 business hours: Christmas (Friday) and the weekend with St Stephen do not count."""
    minutes = business_minutes_between(rome(2026, 12, 24, 17, 0), rome(2026, 12, 28, 10, 0), ROME)
    assert minutes == 120


def test_business_hours_broken_when_the_working_time_exceeds_the_limit():
    promise_4h = promise(
        "duration",
        limit=Decimal(4 * 60),
        start_moment="requested_at",
        end_moment="started_at",
        business_hours=True,
    )
    result = evaluate(
        promise_4h,
        interaction(requested_at=rome(2026, 3, 2, 9, 0), started_at=rome(2026, 3, 2, 14, 30)),
        ROME,
    )
    assert (result.outcome, result.measured) == (BROKEN, 330)


def test_business_hours_depend_on_the_time_zone():
    """GIVEN the same two instants WHEN evaluated in Rome and in New York THEN different
    business minutes: 9:00–17:00 in Rome is 3:00–11:00 in New York."""
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    end = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    assert business_minutes_between(start, end, ROME) == 8 * 60
    assert business_minutes_between(start, end, NEW_YORK) == 2 * 60


def test_business_hours_follow_local_time_on_the_monday_after_dst():
    """GIVEN 07:00–08:00 UTC on two Mondays THEN before the DST change it is 8–9 in Rome (closed),
    after it 9–10 (one business hour)."""
    before = business_minutes_between(
        datetime(2026, 3, 23, 7, 0, tzinfo=UTC), datetime(2026, 3, 23, 8, 0, tzinfo=UTC), ROME
    )
    after = business_minutes_between(
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC), datetime(2026, 3, 30, 8, 0, tzinfo=UTC), ROME
    )
    assert (before, after) == (0, 60)


def test_business_hours_of_an_empty_or_reversed_span_are_zero():
    moment = rome(2026, 3, 2, 10, 0)
    assert business_minutes_between(moment, moment, ROME) == 0
    assert business_minutes_between(moment, moment - timedelta(hours=3), ROME) == 0


# --- punctuality ----------------------------------------------------------------------------


def on_time_15():
    return promise("punctuality", limit=Decimal(15), unit="minutes")


@pytest.mark.parametrize(
    ("delay", "outcome"),
    [(0, KEPT), (15, KEPT), (-15, KEPT), (16, BROKEN), (-40, BROKEN)],
    ids=["on-time", "edge-late", "edge-early", "late", "too-early"],
)
def test_punctuality_window_both_ways(delay, outcome):
    planned = rome(2026, 3, 2, 10, 0)
    result = evaluate(
        on_time_15(),
        interaction(scheduled_for=planned, started_at=planned + timedelta(minutes=delay)),
        ROME,
    )
    assert (result.outcome, result.measured) == (outcome, delay)


def test_punctuality_without_the_appointment_time_is_not_measurable():
    result = evaluate(on_time_15(), interaction(started_at=rome(2026, 3, 2, 10, 0)), ROME)
    assert (result.outcome, result.reason) == (NOT_MEASURABLE, "missing_time")


def test_punctuality_reads_the_chosen_moments():
    promise_done = promise(
        "punctuality", limit=Decimal(30), start_moment="scheduled_for", end_moment="completed_at"
    )
    planned = rome(2026, 3, 2, 10, 0)
    result = evaluate(
        promise_done,
        interaction(
            scheduled_for=planned, started_at=planned, completed_at=planned + timedelta(hours=1)
        ),
        ROME,
    )
    assert (result.outcome, result.measured) == (BROKEN, 60)


# --- threshold ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparison", "value", "outcome"),
    [
        ("at_most", 0, KEPT),
        ("at_most", 2, KEPT),
        ("at_most", 3, BROKEN),
        ("at_least", 2, KEPT),
        ("at_least", 1.99, BROKEN),
        ("equal", 2, KEPT),
        ("equal", 2.0, KEPT),
        ("equal", 2.5, BROKEN),
    ],
)
def test_threshold_comparisons_including_equal(comparison, value, outcome):
    p = promise("threshold", limit=Decimal(2), measure="defects", comparison=comparison)
    result = evaluate(p, interaction(measures={"defects": value}), ROME)
    assert (result.outcome, result.measured) == (outcome, float(value))


@pytest.mark.parametrize(
    "measures",
    [
        {},
        {"other": 1},
        {"defects": float("nan")},
        {"defects": float("inf")},
        {"defects": "2"},
        {"defects": True},
        None,
    ],
    ids=["empty", "other-measure", "nan", "infinite", "text", "bool", "not-a-dict"],
)
def test_threshold_without_a_usable_value_is_not_measurable(measures):
    p = promise("threshold", limit=Decimal(0), measure="defects", comparison="at_most")
    result = evaluate(p, interaction(measures=measures), ROME)
    assert (result.outcome, result.measured, result.reason) == (
        NOT_MEASURABLE,
        None,
        "not_recorded",
    )


# --- flag and unknown -----------------------------------------------------------------------


def test_flag_waits_for_staff():
    result = evaluate(promise("flag"), interaction(), ROME)
    assert (result.outcome, result.reason) == (NOT_MEASURABLE, "waiting_staff")


def test_unknown_target_is_not_measurable():
    result = evaluate(promise("mystery", limit=Decimal(1)), interaction(), ROME)
    assert (result.outcome, result.reason) == (NOT_MEASURABLE, "unknown_target")
