"""Each measure's bands, missing data, and contributions that add up to the score."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ascolto.health import measures
from ascolto.health.measures import (
    CONCERNING,
    DEFAULT_BANDS,
    DEFAULT_WEIGHTS,
    HEALTHY,
    POOR,
    score_row,
    whole_losses,
)

DAY = date(2026, 6, 15)
AT = datetime(2026, 6, 15, 12, tzinfo=UTC)
B = DEFAULT_BANDS


def band(result):
    return None if result is None else result[0]


@pytest.mark.parametrize(
    ("score", "all_good", "expected"),
    [(10, False, HEALTHY), (9, True, CONCERNING), (8, False, CONCERNING), (6, False, POOR)],
)
def test_feedback_bands_and_all_good_is_a_warning(score, all_good, expected):
    assert band(measures.feedback({"nps_last": score, "nps_last_all_good": all_good}, B, DAY)) == (
        expected
    )


def test_feedback_without_answer_is_missing_not_healthy():
    assert measures.feedback({}, B, DAY) is None


@pytest.mark.parametrize(
    ("previous", "last", "expected"),
    [(9, 9, HEALTHY), (9, 10, HEALTHY), (9, 8, CONCERNING), (9, 7, CONCERNING), (9, 6, POOR)],
)
def test_trend_a_drop_of_three_is_poor(previous, last, expected):
    assert band(measures.trend({"nps_previous": previous, "nps_last": last}, B, DAY)) == expected
    assert measures.trend({"nps_last": last}, B, DAY) is None


@pytest.mark.parametrize(("days", "expected"), [(59, HEALTHY), (60, CONCERNING), (120, POOR)])
def test_silence_bands(days, expected):
    row = {"last_interaction_at": AT - timedelta(days=days), "created_at": AT - timedelta(900)}
    assert band(measures.silence(row, B, DAY)) == expected


def test_silence_counts_unanswered_surveys_and_from_creation_when_never_heard():
    recent = {"last_response_at": AT, "created_at": AT - timedelta(900)}
    assert band(measures.silence({**recent, "unanswered": 2}, B, DAY)) == CONCERNING
    assert band(measures.silence({**recent, "unanswered": 3}, B, DAY)) == POOR
    never = measures.silence({"created_at": AT - timedelta(days=200)}, B, DAY)
    assert never == (POOR, {"days": 200, "unanswered": 0, "never": True})


def test_promises_bands():
    assert measures.promises({}, B, DAY) is None
    assert band(measures.promises({"checks": 5}, B, DAY)) == HEALTHY
    assert band(measures.promises({"checks": 5, "broken": 1}, B, DAY)) == CONCERNING
    assert band(measures.promises({"checks": 5, "broken": 2}, B, DAY)) == POOR
    assert band(measures.promises({"open_crises": 1}, B, DAY)) == POOR


def test_voice_bands():
    assert measures.voice({"texts": 0}, B, DAY) is None
    assert band(measures.voice({"texts": 4}, B, DAY)) == HEALTHY
    assert band(measures.voice({"texts": 8, "negative": 1}, B, DAY)) == HEALTHY
    assert band(measures.voice({"texts": 4, "negative": 1}, B, DAY)) == CONCERNING
    assert band(measures.voice({"texts": 4, "negative": 2}, B, DAY)) == CONCERNING
    assert band(measures.voice({"texts": 6, "negative": 3}, B, DAY)) == POOR
    assert band(measures.voice({"texts": 9, "angry": 1}, B, DAY)) == CONCERNING
    assert band(measures.voice({"texts": 9, "angry": 2}, B, DAY)) == POOR


def test_staff_bands_everything_is_fine_is_a_warning():
    assert measures.staff({}, B, DAY) is None
    assert band(measures.staff({"signals": 1}, B, DAY)) == HEALTHY
    assert band(measures.staff({"signals": 1, "fine": 1}, B, DAY)) == CONCERNING
    assert band(measures.staff({"signals": 1, "signals_negative": 1}, B, DAY)) == CONCERNING
    assert band(measures.staff({"signals": 2, "signals_negative": 2}, B, DAY)) == POOR


def test_complaints_bands():
    assert measures.complaints({"negative_events": 0}, B, DAY) is None
    assert band(measures.complaints({"interactions_year": 3}, B, DAY)) == HEALTHY
    assert band(measures.complaints({"interactions_year": 3, "negative_events": 1}, B, DAY)) == (
        CONCERNING
    )
    assert band(measures.complaints({"interactions_year": 3, "negative_events": 2}, B, DAY)) == (
        POOR
    )


def test_cases_bands():
    assert measures.cases({}, B, DAY) is None
    assert band(measures.cases({"cases_ever": 3}, B, DAY)) == HEALTHY
    assert band(measures.cases({"cases_ever": 1, "cases_open": 1}, B, DAY)) == CONCERNING
    assert band(measures.cases({"cases_ever": 1, "sla_breaches": 1}, B, DAY)) == CONCERNING
    assert band(measures.cases({"cases_ever": 2, "cases_open": 2}, B, DAY)) == POOR
    open_late = {"cases_ever": 1, "cases_open": 1, "sla_breaches": 1}
    assert band(measures.cases(open_late, B, DAY)) == POOR


def test_renewal_bands():
    assert measures.renewal({}, B, DAY) is None
    assert band(measures.renewal({"renewal_date": DAY + timedelta(100)}, B, DAY)) == HEALTHY
    assert band(measures.renewal({"renewal_date": DAY + timedelta(60)}, B, DAY)) == CONCERNING
    assert band(measures.renewal({"renewal_date": DAY + timedelta(10)}, B, DAY)) == POOR
    auto = {"renewal_date": DAY + timedelta(10), "renewal_auto": True}
    assert band(measures.renewal(auto, B, DAY)) == HEALTHY


def test_missing_measures_are_dropped_and_the_rest_renormalised():
    # Only the last answer (20), silence (15) and complaints (10) have data: a detractor
    # loses 20 of those 45 points, 44 of 100.
    row = {
        "nps_last": 3,
        "last_response_at": AT,
        "created_at": AT - timedelta(400),
        "interactions_year": 2,
    }
    weights = {
        "feedback": 20,
        "trend": 10,
        "silence": 15,
        "promises": 15,
        "voice": 10,
        "staff": 10,
        "complaints": 10,
        "renewal": 10,
    }
    scored = score_row(row, day=DAY, weights=weights, bands=B)
    assert scored.score == 56  # 100 - round(20 * 100 / 45)
    assert scored.contributions[0].measure == "feedback"
    assert scored.contributions[0].points == 44
    assert set(scored.missing) == {"trend", "promises", "voice", "staff", "renewal"}
    assert scored.level == "watch"


def test_too_little_data_is_not_enough_data():
    row = {"created_at": AT - timedelta(5), "last_response_at": AT}  # silence only: 15 of 100
    scored = score_row(row, day=DAY, weights=DEFAULT_WEIGHTS, bands=B)
    assert scored.score is None and scored.level == "unknown"


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list(DEFAULT_WEIGHTS)), st.floats(0, 100, allow_nan=False), min_size=1
    )
)
def test_whole_losses_add_up_to_the_rounded_total(losses):
    points = whole_losses(losses)
    assert sum(points.values()) == round(sum(losses.values()) + 1e-9)
    assert all(abs(points[k] - losses[k]) < 1 for k in losses)


def test_contributions_add_up_exactly_to_the_score():
    row = {
        "nps_last": 7,
        "nps_previous": 9,
        "last_interaction_at": AT - timedelta(70),
        "first_interaction_year": AT - timedelta(160),  # 4 contacts: every 30 days; 70 silent
        "created_at": AT - timedelta(200),  # under a year
        "payments_year": 3,
        "missed_payments": 1,  # one missed payment; and a "fine" signal: words against deeds
        "checks": 3,
        "broken": 1,
        "texts": 3,
        "negative": 1,
        "signals": 1,
        "fine": 1,
        "interactions_year": 4,
        "negative_events": 1,
        "renewal_date": DAY + timedelta(45),
        "cases_ever": 1,
        "sla_breaches": 1,
    }
    scored = score_row(row, day=DAY, weights=DEFAULT_WEIGHTS, bands=B)
    assert scored.score == 100 - sum(c.points for c in scored.contributions)
    assert scored.score == 50  # every measure concerning: half of every point
    assert not scored.missing and len(scored.contributions) == len(DEFAULT_WEIGHTS)
    assert scored.level == "watch"


def test_sentences_in_both_languages():
    with translation.override("en"):
        assert measures.sentence("silence", POOR, {"days": 130, "unanswered": 0}) == (
            "Last heard from 130 days ago."
        )
    with translation.override("it"):
        assert "130" in measures.sentence("silence", POOR, {"days": 130, "unanswered": 0})


def test_the_default_weights_add_up_to_100():
    assert sum(DEFAULT_WEIGHTS.values()) == 100
    assert set(DEFAULT_WEIGHTS) == set(measures.MEASURES) == set(measures.MEASURE_LABELS)
    assert set(DEFAULT_WEIGHTS) == set(measures.ACTIONS)


@pytest.mark.parametrize(
    ("row", "expected", "falls"),
    [
        # Nobody says all is well: nothing to weigh the deeds against.
        ({"nps_last": 7, "interactions_before": 6, "interactions_window": 1}, None, None),
        ({"nps_last": 10, "interactions_before": 6, "interactions_window": 4}, HEALTHY, []),
        (
            {"nps_last": 10, "interactions_before": 6, "interactions_window": 2},
            CONCERNING,
            ["rhythm"],
        ),
        ({"nps_last": 9, "missed_payments": 1}, CONCERNING, ["payments"]),
        ({"fine": 1, "cases_open": 1}, CONCERNING, ["problems"]),  # "tutto bene", case open
        ({"nps_last": 3, "fine": 1, "open_crises": 1}, CONCERNING, ["problems"]),
        (
            {
                "nps_last_all_good": True,
                "nps_last": 10,
                "missed_payments": 1,
                "contract_value_last": 800,
                "contract_value_previous": 1200,
            },
            POOR,
            ["payments", "value"],
        ),
    ],
)
def test_words_against_deeds(row, expected, falls):
    result = measures.deeds(row, B, DAY)
    assert band(result) == expected
    if result is not None:
        assert result[1]["falls"] == falls


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"interactions_year": 5}, None),  # no payment on record: no data
        ({"payments_year": 4}, HEALTHY),
        ({"payments_year": 4, "missed_payments": 1}, CONCERNING),
        ({"payments_year": 4, "missed_payments": 2}, POOR),
        ({"payments_year": 4, "missed_payments_before": 2}, HEALTHY),  # paid since
    ],
)
def test_payments_bands(row, expected):
    assert band(measures.payments(row, B, DAY)) == expected


@pytest.mark.parametrize(
    ("usual_days", "gap_days", "expected"),
    [
        (7, 10, HEALTHY),  # weekly customer, 10 days: under twice their rhythm
        (7, 15, CONCERNING),  # over twice
        (7, 30, POOR),  # over three times
        (60, 100, HEALTHY),  # the same 100 days are nothing for a customer seen every 60
        (60, 130, CONCERNING),
        (60, 190, POOR),
        (2, 8, CONCERNING),  # never poor under 14 days
    ],
)
def test_rhythm_is_measured_against_the_customer_s_own_interval(usual_days, gap_days, expected):
    last = AT - timedelta(days=gap_days)
    row = {
        "interactions_year": 4,
        "last_interaction_at": last,
        "first_interaction_year": last - timedelta(days=3 * usual_days),
    }
    result = measures.rhythm(row, B, DAY)
    assert band(result) == expected
    assert result[1]["usual"] == usual_days


def test_rhythm_needs_three_contacts():
    row = {"interactions_year": 2, "last_interaction_at": AT, "first_interaction_year": AT}
    assert measures.rhythm(row, B, DAY) is None


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"created_at": AT - timedelta(30)}, POOR),
        ({"created_at": AT - timedelta(200)}, CONCERNING),
        ({"created_at": AT - timedelta(400)}, HEALTHY),
        # Imported last month, but their first contract is three years old: the earliest counts.
        (
            {"created_at": AT - timedelta(30), "contract_first_start": DAY - timedelta(1100)},
            HEALTHY,
        ),
        (
            {"created_at": AT - timedelta(30), "first_interaction_at": AT - timedelta(200)},
            CONCERNING,
        ),
    ],
)
def test_tenure_bands(row, expected):
    assert band(measures.tenure(row, B, DAY)) == expected


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_new_measures_speak_in_both_languages(language):
    with translation.override(language):
        texts = [
            measures.sentence(
                "deeds", CONCERNING, {"falls": ["rhythm", "payments"], "before": 6, "now": 2}
            ),
            measures.sentence("payments", POOR, {"missed": 2}),
            measures.sentence("rhythm", POOR, {"usual": 7, "gap": 30}),
            measures.sentence("tenure", POOR, {"days": 20}),
            measures.sentence("tenure", CONCERNING, {"days": 200}),
        ]
    for text in texts:
        assert text and "%(" not in text
    if language == "it":
        assert "pagament" in texts[1] and "7" in texts[2] and "20" in texts[3]
        assert texts[0] != measures.sentence(
            "deeds", CONCERNING, {"falls": [], "before": 0, "now": 0}
        )
