"""Turning what platforms write into what a review holds: ratings on 1–5, dates, addresses,
and the key that says two copies are the same review. Pure functions, no database.

`ValueError` messages are for the person importing (translated), since a file import shows
them next to the line number.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

# Words some platforms write instead of a number (Google's export: "FIVE").
RATING_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "uno": 1,
    "due": 2,
    "tre": 3,
    "quattro": 4,
    "cinque": 5,
}
# A recommendation without stars (Facebook pages since 2018): yes is 5, no is 1.
RECOMMENDATIONS = {
    "positive": 5,
    "negative": 1,
    "recommends": 5,
    "doesn't recommend": 1,
    "does not recommend": 1,
    "consiglia": 5,
    "non consiglia": 1,
    "yes": 5,
    "no": 1,
    "si": 5,
    "sì": 5,
}

_NUMBER = re.compile(
    r"^\s*(\d+(?:[.,]\d+)?)\s*(?:/\s*(\d+(?:[.,]\d+)?))?\s*(?:stelle|stars?|★)?\s*$"
)


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def rating_normalise(value: object, scale: int = 5) -> tuple[Decimal | None, str]:
    """(the rating on 1–5 rounded to two decimals, the original as text). An empty value is
    (None, ""): a mention without stars. `scale` is the platform's maximum when the value does
    not say it ("8" on a 10-point scale); "8/10" says it itself. TripAdvisor's bubbles "50"
    (tens: "40") count on a scale of 50."""
    original = str(value).strip() if value is not None else ""
    if not original:
        return None, ""
    lowered = original.lower()
    if lowered in RATING_WORDS:
        return Decimal(RATING_WORDS[lowered]), original
    if lowered in RECOMMENDATIONS:
        return Decimal(RECOMMENDATIONS[lowered]), original
    if original.count("★") and not original.strip("★☆ "):
        return Decimal(original.count("★")).max(Decimal(1)), original
    match = _NUMBER.match(lowered)
    if not match:
        raise ValueError(_("“%(value)s” is not a rating.") % {"value": original[:40]})
    number = _decimal(match.group(1))
    top = _decimal(match.group(2)) if match.group(2) else Decimal(scale)
    if not match.group(2) and top == 5 and number > 5 and number <= 50 and number % 10 == 0:
        top = Decimal(50)  # TripAdvisor's bubbles in tens: "40" is four
    if top <= 0 or number < 0 or number > top:
        raise ValueError(_("“%(value)s” is not a rating.") % {"value": original[:40]})
    if top == 5:
        stars = number
    elif top == 50 and number >= 10:
        stars = number / 10
    else:  # another scale: 0..top onto 1..5
        stars = 1 + 4 * number / top
    stars = max(Decimal(1), min(Decimal(5), stars))
    return stars.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), original


ITALIAN_MONTHS = {
    "gennaio": 1,
    "febbraio": 2,
    "marzo": 3,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "agosto": 8,
    "settembre": 9,
    "ottobre": 10,
    "novembre": 11,
    "dicembre": 12,
    "gen": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "mag": 5,
    "giu": 6,
    "lug": 7,
    "ago": 8,
    "set": 9,
    "ott": 10,
    "nov": 11,
    "dic": 12,
}
ENGLISH_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
ENGLISH_MONTHS.update({m[:3]: i for m, i in list(ENGLISH_MONTHS.items())})
MONTHS = {**ENGLISH_MONTHS, **ITALIAN_MONTHS}

_DMY = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$"
)
_WORDS = re.compile(r"^(?:\w+,?\s+)?(\d{1,2})\s+([a-zà-ù]+)\.?,?\s+(\d{4})$")
_MONTH_FIRST = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")


def date_parse(value: object, zone: ZoneInfo) -> datetime:
    """An aware datetime from what exports write: ISO 8601 ("2025-03-12T10:04:00Z"), Italian
    day-first dates ("12/03/2025", "12/03/2025 14:30", "12 marzo 2025", "mer 12 mar 2025"),
    English ones ("March 12, 2025", "12 March 2025"), RFC 822 as feeds write it, or a date
    Excel stored. A time without a zone is in `zone`; a date alone is noon there (so that no
    zone moves it to another day)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(12), tzinfo=zone)
    text = " ".join(str(value or "").strip().split())
    if not text:
        raise ValueError(_("The date is missing."))
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is not None:
        if len(text) == 10:  # a date alone
            return datetime.combine(parsed.date(), time(12), tzinfo=zone)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    if re.search(r"\d{2}:\d{2}(:\d{2})?\s+([+-]\d{4}|gmt|ut|utc|[a-z]{3})$", text.lower()):
        from email.utils import parsedate_to_datetime

        try:
            rfc = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            rfc = None
        if rfc is not None:
            return rfc if rfc.tzinfo else rfc.replace(tzinfo=UTC)
    try:
        return _dated(text.lower(), zone)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date (write 31/12/2025 or 2025-12-31).") % {"value": text[:40]}
        ) from None


def _dated(text: str, zone: ZoneInfo) -> datetime:
    match = _DMY.match(text)
    if match:
        d, m, y, hh, mm, ss = match.groups()
        moment = time(int(hh), int(mm), int(ss or 0)) if hh else time(12)
        return datetime.combine(date(int(y), int(m), int(d)), moment, tzinfo=zone)
    plain = unicodedata.normalize("NFC", text)
    match = _WORDS.match(plain)
    if match and match.group(2) in MONTHS:
        day = date(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
        return datetime.combine(day, time(12), tzinfo=zone)
    match = _MONTH_FIRST.match(plain)
    if match and match.group(1) in MONTHS:
        day = date(int(match.group(3)), MONTHS[match.group(1)], int(match.group(2)))
        return datetime.combine(day, time(12), tzinfo=zone)
    raise ValueError(text)


def url_normalise(url: str) -> str:
    """The address without its fragment, tracking query or trailing slash, scheme and host in
    lower case: the same review linked twice gives the same text."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    query = "&".join(
        p for p in parts.query.split("&") if p and not p.lower().startswith(("utm_", "fbclid"))
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


@dataclass(frozen=True)
class Identity:
    platform: str
    platform_id: str
    url: str
    author: str
    published_at: datetime
    text: str


def dedupe_key(identity: Identity) -> str:
    """What makes two copies the same review, in this order: the platform's own id; else the
    review's address; else the author, the day it was published and the text. Hashed, so the
    key has one length whatever the platform writes (the unique constraint is on it)."""
    if identity.platform_id.strip():
        kind, material = "id", f"{identity.platform}\x1f{identity.platform_id.strip()}"
    elif identity.url.strip():
        kind, material = "url", url_normalise(identity.url)
    else:
        text = " ".join(identity.text.split()).casefold()
        author = " ".join(identity.author.split()).casefold()
        day = identity.published_at.astimezone(UTC).date().isoformat()
        kind, material = "text", f"{identity.platform}\x1f{author}\x1f{day}\x1f{text}"
    digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest}"


@dataclass
class ReviewIn:
    """One review as a platform gave it, already normalised (`ascolto/voice/normalise.py`)."""

    platform: str
    published_at: datetime
    text: str = ""
    title: str = ""
    author: str = ""
    author_email: str = ""
    author_phone: str = ""
    url: str = ""
    platform_id: str = ""
    rating: Decimal | None = None
    rating_original: str = ""
    language: str = ""
    line: int = 0  # where it came from in a file, for messages
