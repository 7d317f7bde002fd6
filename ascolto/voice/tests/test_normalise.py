from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ascolto.lib.businesshours import business_deadline, business_minutes_between
from ascolto.voice.normalise import (
    Identity,
    date_parse,
    dedupe_key,
    rating_normalise,
    url_normalise,
)

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        ("5", 5, Decimal("5.00")),
        ("4,5", 5, Decimal("4.50")),
        ("4.5/5", 5, Decimal("4.50")),
        ("8/10", 5, Decimal("4.20")),
        ("10", 10, Decimal("5.00")),
        ("0", 10, Decimal("1.00")),
        ("40", 50, Decimal("4.00")),
        ("FOUR", 5, Decimal("4")),
        ("cinque", 5, Decimal("5")),
        ("positive", 5, Decimal("5")),
        ("negative", 5, Decimal("1")),
        ("★★☆☆☆", 5, Decimal("2")),
        ("3 stelle", 5, Decimal("3.00")),
    ],
)
def test_ratings_become_one_to_five_keeping_the_original(value, scale, expected):
    rating, original = rating_normalise(value, scale)
    assert rating == expected
    assert original == value


def test_an_empty_rating_is_a_mention():
    assert rating_normalise("", 5) == (None, "")
    assert rating_normalise(None, 5) == (None, "")


@pytest.mark.parametrize("value", ["abc", "6/5", "-1", "11/10"])
def test_nonsense_ratings_are_refused(value):
    with pytest.raises(ValueError):
        rating_normalise(value, 5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-12T10:04:00Z", datetime(2025, 3, 12, 10, 4, tzinfo=UTC)),
        ("12/03/2025", datetime(2025, 3, 12, 12, 0, tzinfo=ROME)),
        ("12/03/2025 14:30", datetime(2025, 3, 12, 14, 30, tzinfo=ROME)),
        ("12.03.2025", datetime(2025, 3, 12, 12, 0, tzinfo=ROME)),
        ("12 marzo 2025", datetime(2025, 3, 12, 12, 0, tzinfo=ROME)),
        ("mer 12 mar 2025", datetime(2025, 3, 12, 12, 0, tzinfo=ROME)),
        ("March 12, 2025", datetime(2025, 3, 12, 12, 0, tzinfo=ROME)),
        ("2025-03-12", datetime(2025, 3, 12, 12, 0, tzinfo=ROME)),
        ("Wed, 12 Mar 2025 10:04:00 +0000", datetime(2025, 3, 12, 10, 4, tzinfo=UTC)),
    ],
)
def test_dates_as_exports_write_them(value, expected):
    assert date_parse(value, ROME) == expected


@pytest.mark.parametrize("value", ["", "32/13/2025", "ieri", "12 smarzo 2025"])
def test_bad_dates_are_refused(value):
    with pytest.raises(ValueError):
        date_parse(value, ROME)


def test_the_same_review_gives_the_same_key_whichever_way_it_arrives():
    when = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
    base = Identity("google", "", "", "Mario Rossi", when, "Ottimo  servizio")
    assert dedupe_key(base) == dedupe_key(
        Identity("google", "", "", "mario rossi", when.replace(hour=18), "ottimo servizio")
    )
    assert dedupe_key(base) != dedupe_key(
        Identity("google", "", "", "Mario Rossi", when, "Pessimo servizio")
    )
    by_id = Identity("google", "abc", "https://x.test/r/1", "A", when, "t")
    assert dedupe_key(by_id) == dedupe_key(Identity("google", "abc", "", "B", when, "other"))
    assert dedupe_key(by_id) != dedupe_key(Identity("tripadvisor", "abc", "", "A", when, "t"))
    by_url = Identity("web", "", "https://Blog.test/post/1/?utm_source=x#c", "", when, "")
    assert dedupe_key(by_url) == dedupe_key(
        Identity("web", "", "https://blog.test/post/1", "", when, "changed")
    )
    assert url_normalise("HTTPS://A.test/x/?a=1&utm_medium=m") == "https://a.test/x?a=1"


def test_business_deadline_skips_nights_weekends_and_holidays():
    # Friday 17:00 + 24 business hours: 1 h on Friday, 9 on Monday, 9 on Tuesday, 5 on Wednesday.
    friday = datetime(2026, 3, 6, 17, 0, tzinfo=ROME)
    due = business_deadline(friday, 24 * 60, ROME)
    assert due == datetime(2026, 3, 11, 14, 0, tzinfo=ROME)
    assert business_minutes_between(friday, due, ROME) == 24 * 60
    # Saturday night before Easter Monday 2026 (6 April): Tuesday opens the clock.
    saturday = datetime(2026, 4, 4, 23, 0, tzinfo=ROME)
    assert business_deadline(saturday, 9 * 60, ROME) == datetime(2026, 4, 7, 18, 0, tzinfo=ROME)
    assert business_deadline(saturday, 0, ROME) == datetime(2026, 4, 7, 9, 0, tzinfo=ROME)
